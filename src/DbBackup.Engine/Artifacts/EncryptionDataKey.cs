using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DbBackup.Model;

namespace DbBackup.Engine.Artifacts;

/// <summary>One backup's data key: a fresh random AES-256 key per backup, stored only wrapped by the
/// repository key (<see cref="BackupEncryption.WrappedDataKey"/>). Each payload file is encrypted under
/// its own key, HKDF-SHA256(data key, info = "DbBackup payload v1" NUL backup id NUL file name), in
/// chunks of <see cref="ChunkSize"/> bytes sealed by AES-256-GCM with the nonce
/// 3 zero bytes ‖ chunk index (8 bytes, big-endian) ‖ final flag (1 byte), the STREAM construction age and
/// Tink use: a chunk altered, dropped, reordered, moved to another file or backup, or a file cut at a
/// chunk boundary fails authentication.</summary>
public sealed class EncryptionDataKey
{
    /// <summary>The algorithm name recorded in manifests.</summary>
    public const string Algorithm = "AES-256-GCM-STREAM-v1";

    /// <summary>Plaintext bytes per chunk: 64 KiB, as age; 16 bytes of tag each (0.02%).</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>AES-GCM tag bytes per chunk.</summary>
    public const int TagSize = 16;

    private const int NonceSize = 12;
    private static readonly byte[] PayloadLabel = Encoding.ASCII.GetBytes("DbBackup payload v1");
    private const string WrapLabel = "DbBackup data key v1";

    private readonly byte[] _dataKey;
    private readonly string _backupId;

    private EncryptionDataKey(byte[] dataKey, string backupId)
    {
        _dataKey = dataKey;
        _backupId = backupId;
    }

    /// <summary>A new random data key for the backup <paramref name="backupId"/>, and the manifest block
    /// holding it wrapped by <paramref name="key"/>.</summary>
    public static BackupEncryption NewFor(string backupId, EncryptionKey key)
    {
        var dataKey = RandomNumberGenerator.GetBytes(EncryptionKey.Length);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var wrapped = new byte[NonceSize + dataKey.Length + TagSize];
        nonce.CopyTo(wrapped, 0);
        using (var aes = new AesGcm(key.Bytes, TagSize))
            aes.Encrypt(nonce, dataKey, wrapped.AsSpan(NonceSize, dataKey.Length), wrapped.AsSpan(NonceSize + dataKey.Length), WrapAad(backupId));
        CryptographicOperations.ZeroMemory(dataKey);
        return new BackupEncryption { Algorithm = Algorithm, ChunkSize = ChunkSize, KeyId = key.KeyId, WrappedDataKey = Convert.ToBase64String(wrapped) };
    }

    /// <summary>The data key of <paramref name="backup"/>, unwrapped with <paramref name="key"/> (which must
    /// be the one its manifest names: the caller checks the key id first, for the clearer message).</summary>
    public static EncryptionDataKey Unwrap(BackupRecord backup, EncryptionKey key)
    {
        var e = backup.Encryption ?? throw new InvalidOperationException($"Backup {backup.Id} is not encrypted.");
        if (e.Algorithm != Algorithm || e.ChunkSize != ChunkSize)
            throw new DbBackupException(ErrorKind.NotSupported, "EncryptionAlgorithmUnknown",
                $"Backup {backup.Id} is encrypted with '{e.Algorithm}' in chunks of {e.ChunkSize} bytes; this DbBackup reads {Algorithm} in chunks of {ChunkSize}. Upgrade DbBackup.") { TargetObject = backup.Id };
        byte[] wrapped;
        try { wrapped = Convert.FromBase64String(e.WrappedDataKey); }
        catch (FormatException) { wrapped = []; }
        var dataKey = new byte[EncryptionKey.Length];
        try
        {
            if (wrapped.Length != NonceSize + dataKey.Length + TagSize) throw new AuthenticationTagMismatchException();
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Decrypt(wrapped.AsSpan(0, NonceSize), wrapped.AsSpan(NonceSize, dataKey.Length), wrapped.AsSpan(NonceSize + dataKey.Length), dataKey, WrapAad(backup.Id));
        }
        catch (CryptographicException ex)
        {
            throw new DbBackupException(ErrorKind.InvalidData, "EncryptedDataKeyDamaged",
                $"Backup {backup.Id}'s wrapped data key does not open with key {key.KeyId}, the key its manifest names: the manifest's encryption block was altered or damaged. Nothing was restored.", ex) { TargetObject = backup.Id };
        }
        return new EncryptionDataKey(dataKey, backup.Id);
    }

    /// <summary>A write stream encrypting into <paramref name="stored"/> (left open) as the payload file
    /// <paramref name="name"/> (its name in the payload folder, e.g. "data/0001.copy.zst"). Disposing it
    /// writes the final chunk.</summary>
    public Stream Encryptor(Stream stored, string name) => new EncryptionWriteStream(stored, new AesGcm(FileKey(name), TagSize));

    /// <summary>A read stream decrypting <paramref name="stored"/> (which it disposes), the payload file
    /// <paramref name="name"/>; a chunk that fails authentication throws EncryptedPayloadInvalid.</summary>
    public Stream Decryptor(Stream stored, string name) => new EncryptionReadStream(stored, new AesGcm(FileKey(name), TagSize), name);

    private byte[] FileKey(string name)
    {
        var info = new byte[PayloadLabel.Length + 1 + Encoding.UTF8.GetByteCount(_backupId) + 1 + Encoding.UTF8.GetByteCount(name)];
        var at = 0;
        PayloadLabel.CopyTo(info, at); at += PayloadLabel.Length + 1;
        at += Encoding.UTF8.GetBytes(_backupId, info.AsSpan(at)) + 1;
        Encoding.UTF8.GetBytes(name, info.AsSpan(at));
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, _dataKey, EncryptionKey.Length, [], info);
    }

    /// <summary>The nonce of chunk <paramref name="index"/> of a file.</summary>
    internal static void Nonce(Span<byte> nonce, long index, bool final)
    {
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[3..11], index);
        nonce[11] = final ? (byte)1 : (byte)0;
    }

    /// <summary>Bytes of a nonce.</summary>
    internal const int NonceBytes = NonceSize;

    private static byte[] WrapAad(string backupId) => Encoding.UTF8.GetBytes(WrapLabel + "\0" + backupId);
}
