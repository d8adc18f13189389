using DbBackup.Engine.Artifacts;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Encryption at rest (README "Encryption at rest"): which new backups are encrypted, and the
/// key checks every read of an encrypted backup makes before anything else.</summary>
internal sealed class EncryptionKeys(EngineContext context)
{
    /// <summary>The repository key new backups are encrypted with, or null when the repository does not
    /// require encryption. Refuses, before anything is written, when the key is missing or is not the one
    /// the repository's setting pinned.</summary>
    public EncryptionKey? KeyForNewBackups()
    {
        var settings = context.Repository.ReadRepositoryFile().Settings;
        if (settings.Encryption != EncryptionMode.Required) return null;
        var key = EncryptionKey.FromEnvironment()
            ?? throw new DbBackupException(ErrorKind.AuthenticationError, "EncryptionKeyMissing",
                $"The repository '{context.RepositoryPath}' requires encryption (key {settings.EncryptionKeyId}), and no key is set: set {EncryptionKey.Variable} (base64 of 32 bytes) or {EncryptionKey.FileVariable} (a file holding it). Nothing was started.");
        if (settings.EncryptionKeyId is { } pinned && pinned != key.KeyId)
            throw new DbBackupException(ErrorKind.AuthenticationError, "EncryptionKeyMismatch",
                $"The repository '{context.RepositoryPath}' encrypts new backups with key {pinned}; the key in {key.Source} is {key.KeyId}. Set the repository's key, or make this key the repository's with Set-DbBackupRepository -Encryption Required / dbbackup repository set --encryption required. Nothing was started.");
        return key;
    }

    /// <summary>The encryption block of a new backup under the repository's setting (null: not encrypted).</summary>
    public BackupEncryption? EncryptionForNewBackup(string backupId)
        => KeyForNewBackups() is { } key ? EncryptionDataKey.NewFor(backupId, key) : null;

    /// <summary>The data key of an encrypted backup, or null for an unencrypted one. Refuses when the key
    /// is not set or is another key than the one the manifest names; the message names the key id and the
    /// variables, never a key.</summary>
    public static EncryptionDataKey? DataKeyOf(BackupRecord b)
    {
        if (b.Encryption is not { } e) return null;
        var key = EncryptionKey.FromEnvironment()
            ?? throw new DbBackupException(ErrorKind.AuthenticationError, "EncryptionKeyMissing",
                $"Backup {b.Id} is encrypted with key {e.KeyId}, and no key is set: set {EncryptionKey.Variable} (base64) or {EncryptionKey.FileVariable} to that key. Nothing was touched.") { TargetObject = b.Id };
        if (key.KeyId != e.KeyId)
            throw new DbBackupException(ErrorKind.AuthenticationError, "EncryptionKeyMismatch",
                $"Backup {b.Id} is encrypted with key {e.KeyId}; the key in {key.Source} is {key.KeyId}, another key. Set {EncryptionKey.Variable} or {EncryptionKey.FileVariable} to key {e.KeyId}. Nothing was touched.") { TargetObject = b.Id };
        return EncryptionDataKey.Unwrap(b, key);
    }

    /// <summary>Pins the key of an Encryption Required setting to the key set now (refused without one);
    /// clears it when encryption is off.</summary>
    public static void PinEncryptionKey(RepositorySettings settings)
    {
        if (settings.Encryption != EncryptionMode.Required)
        {
            settings.EncryptionKeyId = null;
            return;
        }
        if (settings.EncryptionKeyId != null) return;
        var key = EncryptionKey.FromEnvironment()
            ?? throw new DbBackupException(ErrorKind.InvalidArgument, "EncryptionKeyMissing",
                $"Requiring encryption needs the repository key now, so its id can be recorded: set {EncryptionKey.Variable} (base64 of 32 bytes, e.g. from openssl rand -base64 32) or {EncryptionKey.FileVariable}. Nothing was changed.");
        settings.EncryptionKeyId = key.KeyId;
    }
}
