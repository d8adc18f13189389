namespace DbBackup.Tests.Encryption;

/// <summary>Tests that set DBBACKUP_ENCRYPTION_KEY / DBBACKUP_ENCRYPTION_KEY_FILE in this process (and so in
/// the workers it starts): one at a time, so none sees another's key. Other tests never read them.</summary>
[CollectionDefinition(Name)]
public sealed class EncryptionKeyCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Encryption key";
}
