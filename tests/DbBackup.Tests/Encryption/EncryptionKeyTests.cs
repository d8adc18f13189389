using System.Security.Cryptography;
using DbBackup.Engine;
using DbBackup.Engine.Artifacts;

namespace DbBackup.Tests.Encryption;

/// <summary>Where the repository key comes from: the environment only, as base64 or a key file; anything
/// else is refused without echoing what was given.</summary>
[Collection(EncryptionKeyCollection.Name)]
public sealed class EncryptionKeyTests : IDisposable
{
    private readonly KeyEnvironment _env = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("dbbackup-key-").FullName;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    private string KeyFile(byte[] content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void The_key_comes_from_the_variable_or_a_key_file_of_raw_or_base64_bytes_with_one_id()
    {
        _env.Set(null);
        Assert.Null(EncryptionKey.FromEnvironment());
        var id = EncryptionKey.IdOf(_key);

        _env.Set(Convert.ToBase64String(_key) + "\n");
        Assert.Equal(id, EncryptionKey.FromEnvironment()!.KeyId);
        _env.Set(null, KeyFile(_key));
        Assert.Equal(id, EncryptionKey.FromEnvironment()!.KeyId);
        _env.Set(null, KeyFile(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(_key) + "\n")));
        Assert.Equal(id, EncryptionKey.FromEnvironment()!.KeyId);
    }

    [Fact]
    public void A_bad_key_is_refused_naming_the_variable_but_never_the_value()
    {
        var shortKey = Convert.ToBase64String(_key[..16]);
        _env.Set(shortKey);
        var e = Assert.Throws<DbBackupException>(EncryptionKey.FromEnvironment);
        Assert.Equal("EncryptionKeyInvalid", e.ErrorId);
        Assert.Contains(EncryptionKey.Variable, e.Message);
        Assert.DoesNotContain(shortKey, e.Message);

        _env.Set("not base64 at all!");
        Assert.Equal("EncryptionKeyInvalid", Assert.Throws<DbBackupException>(EncryptionKey.FromEnvironment).ErrorId);

        _env.Set(Convert.ToBase64String(_key), KeyFile(_key));
        Assert.Contains("Both", Assert.Throws<DbBackupException>(EncryptionKey.FromEnvironment).Message);

        _env.Set(null, Path.Combine(_dir, "missing"));
        Assert.Equal("EncryptionKeyInvalid", Assert.Throws<DbBackupException>(EncryptionKey.FromEnvironment).ErrorId);
    }

    [Fact]
    public void A_key_file_every_user_can_read_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        _env.Set(null, KeyFile(_key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead));
        var e = Assert.Throws<DbBackupException>(EncryptionKey.FromEnvironment);
        Assert.Contains("chmod 600", e.Message);
        // A group of readers may share it (0640).
        _env.Set(null, KeyFile(_key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
        Assert.Equal(EncryptionKey.IdOf(_key), EncryptionKey.FromEnvironment()!.KeyId);
    }

    public void Dispose()
    {
        _env.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
