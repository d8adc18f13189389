using System.Security.Cryptography;
using System.Text;

namespace DbBackup.Engine.Artifacts;

/// <summary>The repository key (README "Encryption at rest"): 32 bytes that wrap each encrypted backup's
/// data key. It comes only from the environment, never from an argument: <see cref="Variable"/> (base64)
/// or the file named by <see cref="FileVariable"/>. Its <see cref="KeyId"/> names it in manifests,
/// settings and messages; the bytes never leave this object except into the ciphers.</summary>
public sealed class EncryptionKey
{
    /// <summary>Environment variable holding the key as base64 (32 bytes).</summary>
    public const string Variable = "DBBACKUP_ENCRYPTION_KEY";

    /// <summary>Environment variable naming a file that holds the key: 32 raw bytes, or their base64 text.</summary>
    public const string FileVariable = "DBBACKUP_ENCRYPTION_KEY_FILE";

    /// <summary>Key length in bytes (AES-256).</summary>
    public const int Length = 32;

    private static readonly byte[] KeyIdLabel = Encoding.ASCII.GetBytes("DbBackup key id v1");

    private EncryptionKey(byte[] bytes, string source)
    {
        Bytes = bytes;
        Source = source;
        KeyId = IdOf(bytes);
    }

    /// <summary>The key itself; only the ciphers read it.</summary>
    internal byte[] Bytes { get; }

    /// <summary>Where it came from, for messages: the variable's name (never its value).</summary>
    public string Source { get; }

    /// <summary>The key's public name: the first 8 bytes (lowercase hex) of HMAC-SHA256(key, "DbBackup key
    /// id v1"). One-way, so it tells which key a backup needs without revealing anything of it.</summary>
    public string KeyId { get; }

    /// <summary>The key id of <paramref name="key"/>.</summary>
    public static string IdOf(byte[] key) => Convert.ToHexStringLower(HMACSHA256.HashData(key, KeyIdLabel).AsSpan(0, 8));

    /// <summary>A key from its bytes (tests, and the readers below).</summary>
    public static EncryptionKey FromBytes(byte[] key, string source = "the given key")
    {
        if (key.Length != Length)
            throw new DbBackupException(ErrorKind.InvalidArgument, "EncryptionKeyInvalid", $"{source} holds {key.Length} bytes; an encryption key is exactly {Length} bytes (AES-256).");
        return new EncryptionKey(key.ToArray(), source);
    }

    /// <summary>The key the environment gives, or null when neither variable is set. A value that is not
    /// a 32-byte key, an unreadable or world-readable key file, or both variables at once are refused.</summary>
    public static EncryptionKey? FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        var file = Environment.GetEnvironmentVariable(FileVariable);
        if (!string.IsNullOrEmpty(text) && !string.IsNullOrEmpty(file))
            throw new DbBackupException(ErrorKind.InvalidArgument, "EncryptionKeyInvalid", $"Both {Variable} and {FileVariable} are set; set only one, so it is clear which key is meant.");
        if (!string.IsNullOrEmpty(text)) return FromBytes(Base64(text.Trim(), $"{Variable}"), Variable);
        if (string.IsNullOrEmpty(file)) return null;
        return FromFile(file);
    }

    private static EncryptionKey FromFile(string path)
    {
        var source = $"The key file named by {FileVariable} ('{path}')";
        byte[] content;
        try
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                throw new DbBackupException(ErrorKind.InvalidArgument, "EncryptionKeyInvalid", $"{source} can be read or written by every user; make it readable by its owner (chmod 600, or 640 for a group of readers).");
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DbBackupException(ErrorKind.InvalidArgument, "EncryptionKeyInvalid", $"{source} cannot be read: {e.Message}", e);
        }
        // 32 raw bytes (head -c 32 /dev/urandom), else base64 text (openssl rand -base64 32).
        if (content.Length == Length) return FromBytes(content, FileVariable);
        return FromBytes(Base64(Encoding.ASCII.GetString(content).Trim(), source), FileVariable);
    }

    private static byte[] Base64(string text, string source)
    {
        try { return Convert.FromBase64String(text); }
        catch (FormatException e)
        {
            throw new DbBackupException(ErrorKind.InvalidArgument, "EncryptionKeyInvalid", $"{source} is not base64 text; give {Length} random bytes in base64 (openssl rand -base64 {Length}).", e);
        }
    }

    /// <summary>The key id only: the bytes never reach a message or a log.</summary>
    public override string ToString() => "key " + KeyId;
}
