using DbBackup.Engine.Artifacts;

namespace DbBackup.Tests.Encryption;

/// <summary>Sets the encryption key variables for one test and restores them on dispose.</summary>
internal sealed class KeyEnvironment : IDisposable
{
    private readonly string? _key = Environment.GetEnvironmentVariable(EncryptionKey.Variable);
    private readonly string? _file = Environment.GetEnvironmentVariable(EncryptionKey.FileVariable);

    /// <summary>Sets (or, with null, unsets) both variables.</summary>
    public void Set(string? key, string? file = null)
    {
        Environment.SetEnvironmentVariable(EncryptionKey.Variable, key);
        Environment.SetEnvironmentVariable(EncryptionKey.FileVariable, file);
    }

    public void Dispose() => Set(_key, _file);
}
