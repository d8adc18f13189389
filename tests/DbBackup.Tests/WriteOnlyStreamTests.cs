using System.Security.Cryptography;
using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests;

/// <summary>The write-only streams (a store upload, the zstd encoder, the encryption layer) share one base,
/// WriteOnlyStream: each still writes its bytes, and each refuses reading, seeking and sizing the same way.</summary>
public sealed class WriteOnlyStreamTests
{
    [Fact]
    public async Task Uploads_encoders_and_encryptors_write_and_refuse_reads_seeks_and_lengths()
    {
        var store = new InMemoryStore();
        await using var upload = await store.CreateAsync("objects/one", default);
        using var sink = new MemoryStream();
        // Loads libzstd (the encoder calls into it), as PayloadCodec does before it picks the native encoder.
        Assert.True(NativeZstd.IsAvailable, "libzstd.so.1 is installed on the test hosts (Debian)");
        await using var zstd = new NativeZstdEncoder(sink, 3);
        await using var encrypted = new EncryptionWriteStream(new MemoryStream(), new AesGcm(RandomNumberGenerator.GetBytes(32), 16));
        foreach (Stream s in new Stream[] { upload, zstd, encrypted })
        {
            Assert.IsAssignableFrom<WriteOnlyStream>(s);
            Assert.True(s.CanWrite);
            Assert.False(s.CanRead);
            Assert.False(s.CanSeek);
            await s.WriteAsync("abc"u8.ToArray());
            Assert.Throws<NotSupportedException>(() => s.Read(new byte[1], 0, 1));
            Assert.Throws<NotSupportedException>(() => s.Seek(0, SeekOrigin.Begin));
            Assert.Throws<NotSupportedException>(() => s.SetLength(1));
            Assert.Throws<NotSupportedException>(() => s.Length);
            Assert.Throws<NotSupportedException>(() => s.Position);
        }
        await upload.CommitAsync(default);
        Assert.Equal("abc"u8.ToArray(), (await store.TryReadAsync("objects/one", default))!.Content);
    }
}
