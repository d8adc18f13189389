using System.Security.Cryptography;
using System.Text;
using DbBackup.Engine;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Tests.Encryption;

/// <summary>The encrypted payload format on its own (no servers): chunked AES-256-GCM through the real
/// PayloadWriter and PayloadReader over the in-memory store, with the stored checksums kept consistent
/// with each tampering (as someone who can rewrite the repository would), so only the encryption can
/// notice: a flipped byte, a cut file, reordered chunks, files swapped between names or backups.</summary>
[Collection(EncryptionKeyCollection.Name)]
public sealed class EncryptedPayloadTests
{
    private const string Prefix = "backups/bk-1/payload/";
    private static readonly EncryptionKey Key = EncryptionKey.FromBytes(RandomNumberGenerator.GetBytes(32));
    private const int Chunk = EncryptionDataKey.ChunkSize;
    private const int Sealed = Chunk + EncryptionDataKey.TagSize;

    private static BackupRecord Encrypted(string id, EncryptionKey? key = null)
        => new() { Id = id, Encryption = EncryptionDataKey.NewFor(id, key ?? Key) };

    private static byte[] Content(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static async Task<(InMemoryStore Store, List<BackupFile> Files)> WriteAsync(BackupRecord backup, params (string Name, byte[] Content)[] files)
    {
        var store = new InMemoryStore();
        var writer = new PayloadWriter(store, Prefix, CompressionKind.None, EncryptionDataKey.Unwrap(backup, Key));
        foreach (var (name, content) in files)
            await using (var s = writer.Create(name)) await s.WriteAsync(content);
        return (store, writer.Files.ToList());
    }

    private static async Task<byte[]> ReadAsync(InMemoryStore store, BackupRecord backup, IReadOnlyList<BackupFile> files, string name)
    {
        var reader = new PayloadReader(store, Prefix, files, CompressionKind.None, EncryptionDataKey.Unwrap(backup, Key));
        using var back = new MemoryStream();
        await using (var r = reader.Open(name)) await r.CopyToAsync(back);
        return back.ToArray();
    }

    /// <summary>Rewrites a stored file and its manifest entry (size, sha256) to match: the checksums pass.</summary>
    private static List<BackupFile> Rewrite(InMemoryStore store, List<BackupFile> files, string stored, Func<byte[], byte[]> change)
    {
        byte[]? now = null;
        store.Tamper(Prefix + stored, b => now = change(b));
        return files.Select(f => f.Name != stored ? f : new BackupFile { Name = f.Name, Size = now!.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(now)) }).ToList();
    }

    private static byte[] Stored(InMemoryStore store, string name) => store.TryReadAsync(Prefix + name, CancellationToken.None).Result!.Content;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(3 * Chunk + 5)]
    public async Task A_file_of_any_length_reads_back_exactly_and_is_stored_in_sealed_chunks(int length)
    {
        var backup = Encrypted("bk-20261126000000000-aaaaaa");
        var content = Content(length);
        var (store, files) = await WriteAsync(backup, ("data/0001.copy", content));
        Assert.Equal(content, await ReadAsync(store, backup, files, "data/0001.copy"));
        var chunks = Math.Max(1, (length + Chunk - 1) / Chunk);
        Assert.Equal(length + chunks * EncryptionDataKey.TagSize, Stored(store, "data/0001.copy").Length);
        Assert.Equal(Stored(store, "data/0001.copy").Length, Assert.Single(files).Size);
    }

    [Fact]
    public async Task Stored_bytes_are_not_the_plaintext_and_differ_between_two_backups_of_the_same_data()
    {
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("secret-row-value-4711\n", 1000)));
        var one = await WriteAsync(Encrypted("bk-20261126000000000-aaaaaa"), ("data/0001.copy", content));
        var two = await WriteAsync(Encrypted("bk-20261126000000000-aaaaaa"), ("data/0001.copy", content));
        var stored = Stored(one.Store, "data/0001.copy");
        Assert.Equal(-1, stored.AsSpan().IndexOf("secret-row-value"u8));
        Assert.NotEqual(stored, Stored(two.Store, "data/0001.copy"));
    }

    [Fact]
    public async Task A_flipped_byte_fails_authentication_even_with_matching_checksums()
    {
        var backup = Encrypted("bk-20261126000000000-aaaaaa");
        var (store, files) = await WriteAsync(backup, ("data/0001.copy", Content(2 * Chunk + 100)));
        files = Rewrite(store, files, "data/0001.copy", b => { b[Chunk + 40] ^= 0x01; return b; });
        var e = await Assert.ThrowsAsync<DbBackupException>(() => ReadAsync(store, backup, files, "data/0001.copy"));
        Assert.Equal("EncryptedPayloadInvalid", e.ErrorId);
        Assert.Contains("chunk 1", e.Message);
    }

    [Theory]
    [InlineData(2 * Sealed)]       // cut at a chunk boundary: the new last chunk was not sealed as final
    [InlineData(2 * Sealed + 50)]  // cut inside the last chunk
    [InlineData(Sealed - 3)]       // cut inside the first chunk
    public async Task A_truncated_file_is_detected(int keep)
    {
        var backup = Encrypted("bk-20261126000000000-aaaaaa");
        var (store, files) = await WriteAsync(backup, ("data/0001.copy", Content(3 * Chunk + 100)));
        files = Rewrite(store, files, "data/0001.copy", b => b[..keep]);
        var e = await Assert.ThrowsAsync<DbBackupException>(() => ReadAsync(store, backup, files, "data/0001.copy"));
        Assert.Equal("EncryptedPayloadInvalid", e.ErrorId);
    }

    [Fact]
    public async Task Two_swapped_chunks_are_detected()
    {
        var backup = Encrypted("bk-20261126000000000-aaaaaa");
        var (store, files) = await WriteAsync(backup, ("data/0001.copy", Content(3 * Chunk + 100)));
        files = Rewrite(store, files, "data/0001.copy", b =>
        {
            var swapped = b.ToArray();
            b.AsSpan(0, Sealed).CopyTo(swapped.AsSpan(Sealed));
            b.AsSpan(Sealed, Sealed).CopyTo(swapped);
            return swapped;
        });
        var e = await Assert.ThrowsAsync<DbBackupException>(() => ReadAsync(store, backup, files, "data/0001.copy"));
        Assert.Equal("EncryptedPayloadInvalid", e.ErrorId);
        Assert.Contains("chunk 0", e.Message);
    }

    [Fact]
    public async Task Files_swapped_between_names_or_taken_from_another_backup_are_detected()
    {
        var backup = Encrypted("bk-20261126000000000-aaaaaa");
        var (store, files) = await WriteAsync(backup, ("data/0001.copy", Content(1000)), ("data/0002.copy", Content(1001)));
        var first = Stored(store, "data/0001.copy");
        files = Rewrite(store, files, "data/0002.copy", _ => first);
        Assert.Equal("EncryptedPayloadInvalid", (await Assert.ThrowsAsync<DbBackupException>(() => ReadAsync(store, backup, files, "data/0002.copy"))).ErrorId);

        // The same file name and the same data key, but sealed for another backup id.
        var other = Encrypted("bk-20261126000000000-bbbbbb");
        var moved = new BackupRecord { Id = backup.Id, Encryption = other.Encryption };
        var e = await Assert.ThrowsAnyAsync<DbBackupException>(() => ReadAsync(store, moved, files, "data/0001.copy"));
        Assert.Equal("EncryptedDataKeyDamaged", e.ErrorId);
    }

    [Fact]
    public void Another_key_cannot_open_the_data_key_and_the_key_id_names_the_key_without_revealing_it()
    {
        var backup = Encrypted("bk-20261126000000000-aaaaaa");
        var other = EncryptionKey.FromBytes(RandomNumberGenerator.GetBytes(32));
        Assert.NotEqual(Key.KeyId, other.KeyId);
        Assert.Equal(Key.KeyId, backup.Encryption!.KeyId);
        Assert.Equal(Key.KeyId, EncryptionKey.FromBytes(Key.Bytes).KeyId);
        Assert.Equal(16, Key.KeyId.Length);
        Assert.Equal("EncryptedDataKeyDamaged", Assert.Throws<DbBackupException>(() => EncryptionDataKey.Unwrap(backup, other)).ErrorId);
        Assert.DoesNotContain(Convert.ToBase64String(Key.Bytes), backup.Encryption.WrappedDataKey);
        Assert.Equal("key " + Key.KeyId, Key.ToString());
    }
}
