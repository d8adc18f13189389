using System.Diagnostics;
using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Lifecycle;

/// <summary>The libzstd path of the zstd codec and its ZstdSharp fallback write the same format: each reads
/// the other's frames and the zstd tool's, and both report truncated and damaged frames instead of short data.
/// The process-wide collection because one test flips the codec's managed switch.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class NativeZstdTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private static readonly byte[] Content = MakeContent();

    [Fact]
    public void The_platform_libzstd_is_loaded_on_this_host_and_recent_enough()
    {
        Assert.True(NativeZstd.IsAvailable, "libzstd.so.1 is installed on the test hosts (Debian)");
        Assert.True(NativeZstd.Version >= NativeZstd.MinimumVersion, $"version {NativeZstd.Version}");
    }

    [Fact]
    public void The_managed_switch_makes_the_codec_use_ZstdSharp_both_ways()
    {
        NativeZstd.ForceManaged = true;
        try
        {
            using var encoder = PayloadCodec.Encoder(new MemoryStream(), CompressionKind.Zstd);
            using var decoder = PayloadCodec.Decoder(new MemoryStream(), CompressionKind.Zstd);
            Assert.IsType<ZstdSharp.CompressionStream>(encoder);
            Assert.IsType<ZstdSharp.DecompressionStream>(decoder);
        }
        finally { NativeZstd.ForceManaged = null; }
        using var native = PayloadCodec.Decoder(new MemoryStream(), CompressionKind.Zstd);
        Assert.IsType<NativeZstdDecoder>(native);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Frames_written_by_one_implementation_read_back_exactly_through_the_other(bool nativeWriter, bool nativeReader)
    {
        var stored = await CompressAsync(nativeWriter, Content);
        Assert.Equal(Content, await DecompressAsync(nativeReader, stored));
    }

    [Fact]
    public async Task Native_frames_are_no_larger_than_managed_ones_at_the_same_level()
    {
        var native = await CompressAsync(true, Content);
        var managed = await CompressAsync(false, Content);
        Assert.True(native.Length <= managed.Length * 1.01, $"native {native.Length} vs managed {managed.Length} bytes");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_zstd_tool_reads_the_frames_and_they_read_its_frames(bool native)
    {
        Directory.CreateDirectory(_repo.Path);
        var ours = Path.Combine(_repo.Path, $"ours-{native}.zst");
        await File.WriteAllBytesAsync(ours, await CompressAsync(native, Content));
        Assert.Equal(Content, await RunZstdAsync("-d", "-c", ours));

        var plain = Path.Combine(_repo.Path, $"plain-{native}");
        await File.WriteAllBytesAsync(plain, Content);
        var theirs = await RunZstdAsync("-3", "-c", plain);
        Assert.Equal(Content, await DecompressAsync(native, theirs));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Concatenated_frames_read_as_one_stream(bool native)
    {
        var first = await CompressAsync(!native, Content.AsMemory(0, 100_000).ToArray());
        var second = await CompressAsync(native, Content.AsMemory(100_000).ToArray());
        Assert.Equal(Content, await DecompressAsync(native, [.. first, .. second]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_truncated_frame_is_an_error_not_a_short_read(bool native)
    {
        var stored = await CompressAsync(native, Content);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => DecompressAsync(native, stored.AsMemory(0, stored.Length - 7).ToArray()));
        Assert.IsNotType<DbBackupException>(e); // the reader turns decoder errors into ChecksumMismatch (CompressionTests)
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_corrupted_frame_header_is_an_error(bool native)
    {
        var stored = await CompressAsync(native, Content);
        // The frame has no content checksum (the payload's SHA-256 covers the file), so damage inside a raw
        // block decodes silently; a damaged frame header must fail in both decoders.
        stored[1] ^= 0x5A;
        var e = await Assert.ThrowsAnyAsync<Exception>(() => DecompressAsync(native, stored));
        Assert.IsNotType<DbBackupException>(e);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_damaged_file_through_the_payload_reader_is_a_checksum_mismatch_on_both_paths(bool native)
    {
        NativeZstd.ForceManaged = !native;
        try
        {
            var folder = Path.Combine(_repo.Path, $"damaged-{native}");
            var writer = new PayloadWriter(folder, CompressionKind.Zstd);
            await using (var s = writer.Create("data/0001.copy")) await s.WriteAsync(Content);
            var file = Path.Combine(folder, writer.Files.Single().Name);
            var bytes = await File.ReadAllBytesAsync(file);
            await File.WriteAllBytesAsync(file, bytes.AsMemory(0, bytes.Length - 5).ToArray());

            var e = await Assert.ThrowsAsync<DbBackupException>(async () =>
            {
                await using var s = new PayloadReader(folder, writer.Files, CompressionKind.Zstd).Open("data/0001.copy");
                await s.CopyToAsync(Stream.Null);
            });
            Assert.Equal("ChecksumMismatch", e.ErrorId);
        }
        finally { NativeZstd.ForceManaged = null; }
    }

    [Fact]
    public async Task Native_reads_and_writes_stop_on_a_cancelled_token()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await using var decoder = new NativeZstdDecoder(new MemoryStream(await CompressAsync(true, Content)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await decoder.ReadAtLeastAsync(new byte[1000], 1000, cancellationToken: cancelled.Token));
        await using var encoder = new NativeZstdEncoder(new MemoryStream(), 1);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await encoder.WriteAsync(Content, cancelled.Token));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_empty_stored_file_and_a_file_of_no_rows_read_as_empty_on_both_paths(bool native)
    {
        Assert.Empty(await DecompressAsync(native, []));
        var nothing = await CompressAsync(native, []);
        Assert.Empty(await DecompressAsync(native, nothing));
        Assert.Empty(await DecompressAsync(!native, nothing));
    }

    private static async Task<byte[]> CompressAsync(bool native, byte[] content)
    {
        var stored = new MemoryStream();
        await using (Stream s = native ? new NativeZstdEncoder(stored, 1) : new ZstdSharp.CompressionStream(stored, 1, leaveOpen: true))
            for (var o = 0; o < content.Length; o += 70_000) await s.WriteAsync(content.AsMemory(o, Math.Min(70_000, content.Length - o)));
        return stored.ToArray();
    }

    private static async Task<byte[]> DecompressAsync(bool native, byte[] stored)
    {
        var input = new MemoryStream(stored);
        await using Stream s = native ? new NativeZstdDecoder(input) : new ZstdSharp.DecompressionStream(input, checkEndOfStream: true);
        var read = new MemoryStream();
        await s.CopyToAsync(read, 50_000);
        return read.ToArray();
    }

    private static async Task<byte[]> RunZstdAsync(params string[] args)
    {
        var start = new ProcessStartInfo("zstd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = await process.StandardError.ReadToEndAsync();
        await copy;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output.ToArray();
    }

    /// <summary>2.5 MB: incompressible bytes, then COPY-like text (so frames hold raw and compressed blocks).</summary>
    private static byte[] MakeContent()
    {
        var content = new byte[2_500_000];
        new Random(11).NextBytes(content.AsSpan(0, 300_000));
        var text = string.Concat(Enumerable.Range(0, 120_000).Select(i => $"{i}\tname {i * 7919 % 10007}\t2026-11-{i % 28 + 1:00}\n"));
        System.Text.Encoding.ASCII.GetBytes(text.AsSpan(0, content.Length - 300_000), content.AsSpan(300_000));
        return content;
    }

    /// <inheritdoc/>
    public void Dispose() => _repo.Dispose();
}
