namespace DbBackup.Model;

/// <summary>How a backup's payload is encrypted at rest (README "Encryption at rest"). It never holds a
/// key: the backup's own data key is stored only wrapped (encrypted) by the repository key, and that key
/// is named by its id, a one-way fingerprint.</summary>
public sealed class BackupEncryption
{
    /// <summary>The payload cipher: "AES-256-GCM-STREAM-v1" (each file in authenticated chunks).</summary>
    public string Algorithm { get; set; } = "";
    /// <summary>Plaintext bytes per chunk (the last chunk of a file may be shorter).</summary>
    public int ChunkSize { get; set; }
    /// <summary>Id of the repository key that wraps the data key: the first 8 bytes (hex) of
    /// HMAC-SHA256(key, "DbBackup key id v1"). Restores need the key with this id.</summary>
    public string KeyId { get; set; } = "";
    /// <summary>The backup's data key, AES-256-GCM-encrypted by the repository key: base64 of
    /// nonce (12 bytes) ‖ ciphertext (32) ‖ tag (16), associated data "DbBackup data key v1", NUL, backup id.</summary>
    public string WrappedDataKey { get; set; } = "";

    /// <summary>The cipher and key id.</summary>
    public override string ToString() => $"{Algorithm} key {KeyId}";
}
