using DbBackup.Engine.Artifacts;

namespace DbBackup.Tests.Lifecycle;

/// <summary>The system libzstd decoder (NativeZstd) and ZstdSharp's read the same files the same way: frames written by
/// either library, several frames in one file, an empty file; a truncated or damaged file is an error in both, never a
/// short read.</summary>
public sealed class NativeZstdTests
{
    public static TheoryData<string> Decoders => ["native", "managed"];

    private static Stream Decoder(string which, byte[] stored)
    {
        // Linux hosts (CI's Debian among them: apt itself links libzstd1) have the library; a test there must not pass without it.
        if (which == "native") Assert.True(NativeZstd.IsAvailable, "the system libzstd was not loaded");
        return which == "native" ? new NativeZstdDecoder(new MemoryStream(stored)) : PayloadCodec.ManagedZstdDecoder(new MemoryStream(stored));
    }

    private static byte[] Content(int seed, int length)
    {
        var content = new byte[length];
        new Random(seed).NextBytes(content.AsSpan(0, length / 3)); // incompressible, then compressible rows
        for (var i = length / 3; i < length; i++) content[i] = (byte)("row\t" + i % 977 + "\n")[i % 5];
        return content;
    }

    private static byte[] Frame(byte[] content)
    {
        var stored = new MemoryStream();
        using (var encoder = PayloadCodec.Encoder(stored, DbBackup.Model.CompressionKind.Zstd))
            for (var o = 0; o < content.Length; o += 70_000) encoder.Write(content, o, Math.Min(70_000, content.Length - o));
        return stored.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Stream s, bool sync)
    {
        var result = new MemoryStream();
        var buffer = new byte[50_000]; // smaller than a block, so output is handed out in several calls
        int n;
        while ((n = sync ? s.Read(buffer, 0, buffer.Length) : await s.ReadAsync(buffer)) > 0) result.Write(buffer, 0, n);
        return result.ToArray();
    }

    [Fact]
    public void The_system_library_is_found_on_Linux_where_libzstd_is_installed()
    {
        var installed = File.Exists("/usr/lib/x86_64-linux-gnu/libzstd.so.1") || File.Exists("/usr/lib/aarch64-linux-gnu/libzstd.so.1");
        Assert.Equal(OperatingSystem.IsLinux() && installed, NativeZstd.IsAvailable);
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public async Task Two_frames_in_one_file_decode_to_both_contents_in_order_sync_and_async(string which)
    {
        var first = Content(1, 3_000_000);
        var second = Content(2, 1_234_567);
        var stored = Frame(first).Concat(Frame(second)).ToArray();
        foreach (var sync in new[] { true, false })
        {
            await using var s = Decoder(which, stored);
            Assert.True(first.Concat(second).SequenceEqual(await ReadAllAsync(s, sync)), $"{which} decoder, sync={sync}");
        }
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public async Task An_empty_file_reads_as_empty(string which)
    {
        await using var s = Decoder(which, []);
        Assert.Empty(await ReadAllAsync(s, sync: false));
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public async Task A_file_cut_inside_its_frame_is_an_error_not_a_short_read(string which)
    {
        var stored = Frame(Content(3, 2_000_000));
        foreach (var cut in new[] { stored.Length - 1, stored.Length / 2, 5 })
        {
            await using var s = Decoder(which, stored[..cut]);
            await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(s, sync: false));
        }
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public async Task Bytes_that_are_not_zstd_are_an_error(string which)
    {
        await using var s = Decoder(which, "these are rows, not a zstd frame\n"u8.ToArray());
        await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(s, sync: true));
    }
}
