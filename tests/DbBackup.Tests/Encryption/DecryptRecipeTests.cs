using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Tests.Encryption;

/// <summary>The README's way to decrypt a backup without DbBackup (tools/dbbackup-decrypt.py, Python with
/// the 'cryptography' package) gives back exactly the bytes DbBackup's own reader gives: the format is
/// documented correctly.</summary>
[Collection(EncryptionKeyCollection.Name)]
public sealed class DecryptRecipeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dbbackup-recipe-").FullName;

    [PythonCryptographyFact]
    public async Task The_documented_python_recipe_decrypts_a_backup_folder_to_the_payload_dbbackup_reads()
    {
        var key = EncryptionKey.FromBytes(RandomNumberGenerator.GetBytes(32));
        const string id = "bk-20261126000000000-abcdef";
        var record = new BackupRecord { Id = id, State = OperationState.Succeeded, Compression = CompressionKind.Gzip, Encryption = EncryptionDataKey.NewFor(id, key) };
        var dataKey = EncryptionDataKey.Unwrap(record, key);
        Directory.CreateDirectory(Path.Combine(_dir, "payload"));
        var writer = new PayloadWriter(new DbBackup.Engine.Repository.Storage.LocalFolderStore(Path.Combine(_dir, "payload")), "", CompressionKind.Gzip, dataKey);
        var contents = new Dictionary<string, byte[]>
        {
            ["toc.json"] = Encoding.UTF8.GetBytes("{\"Tables\": []}"),
            ["data/0001.copy"] = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40000).Select(i => $"{i}\trow {i}\n"))),
            ["data/0002.copy"] = [],
        };
        foreach (var (name, bytes) in contents)
            await using (var s = writer.Create(name)) await s.WriteAsync(bytes);
        record.Files = writer.Files.Select(f => new BackupFile { Name = "payload/" + f.Name, Size = f.Size, Sha256 = f.Sha256 }).ToList();
        await File.WriteAllBytesAsync(Path.Combine(_dir, "manifest.json"), RecordFile.Serialize(record));

        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Root(), "tools", "dbbackup-decrypt.py"));
        psi.ArgumentList.Add(_dir);
        psi.Environment[EncryptionKey.Variable] = Convert.ToBase64String(key.Bytes);
        psi.Environment.Remove(EncryptionKey.FileVariable);
        using var p = Process.Start(psi)!;
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, stderr);

        // What is left is the unencrypted gzip payload: the stock-tools recipe continues from here.
        foreach (var (name, bytes) in contents)
        {
            await using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(_dir, "payload", name + ".gz")), System.IO.Compression.CompressionMode.Decompress);
            using var back = new MemoryStream();
            await gz.CopyToAsync(back);
            Assert.Equal(bytes, back.ToArray());
        }
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DbBackup.sln"))) return dir.FullName;
        throw new InvalidOperationException("DbBackup.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary>Runs where python3 with the 'cryptography' package is installed; skipped, saying so, elsewhere.</summary>
public sealed class PythonCryptographyFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("python3", ["-c", "import cryptography"]) { RedirectStandardError = true })!;
            p.WaitForExit(30_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    });

    /// <summary>Skips without python3 and 'cryptography', except under CI (which installs them), where the test runs and fails.</summary>
    public PythonCryptographyFactAttribute()
    {
        if (!Available.Value && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            Skip = "python3 with the 'cryptography' package is not installed (pip install cryptography).";
    }
}
