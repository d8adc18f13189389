using System.Text.Json;
using Azure.Storage.Blobs;
using DbBackup.Engine.Artifacts;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Encryption;

/// <summary>An encrypted repository in Azure Blob (Azurite), through the CLI and its detached worker: the
/// blobs hold no plaintext, and the restore with the key gives back the rows.</summary>
[Collection(EncryptionKeyCollection.Name)]
public sealed class EncryptedAzureRepositoryTests : IDisposable
{
    public static string? SkipReason => Azurite.SkipReason;

    private const string Container = "encrypted";
    private readonly List<string> _databases = [];

    [StoreFact]
    public async Task An_encrypted_backup_in_blob_storage_holds_no_plaintext_and_restores_with_the_key()
    {
        var needle = "needle-" + Guid.NewGuid().ToString("N");
        var db = await TestSql.PgCreateAsync("cryptblob", $"CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, '{needle} ' || g FROM generate_series(1, 3000) g;");
        _databases.Add(db);
        var container = new BlobContainerClient(Azurite.ConnectionString, Container);
        await container.CreateIfNotExistsAsync();
        var root = Guid.NewGuid().ToString("N");
        var pg = TestServers.Postgres();
        var env = new Dictionary<string, string?>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString,
            ["PGPASSWORD"] = pg.Password,
            ["DBBACKUP_REPOSITORY"] = $"azure://{Container}/{root}",
            [EncryptionKey.Variable] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            [EncryptionKey.FileVariable] = null,
        };
        string[] server = ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];

        var set = await CliRunner.RunAsync(["repository", "set", "--encryption", "required"], env);
        Assert.True(set.ExitCode == 0, set.StdErr);
        var backup = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--compression", "none", "--wait", "--json"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr + backup.StdOut);
        var id = JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!;

        var payloadBlobs = 0;
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{root}/backups/{id}/payload/", CancellationToken.None))
        {
            payloadBlobs++;
            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray();
            Assert.True(content.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(needle)) < 0, $"{blob.Name} holds a row in plaintext");
        }
        Assert.True(payloadBlobs >= 2);

        var copy = db + "_copy";
        _databases.Add(copy);
        var restored = await CliRunner.RunAsync(["restore", "--id", id, .. server, "--target-database", copy, "--wait"], env);
        Assert.True(restored.ExitCode == 0, restored.StdErr + restored.StdOut);
        const string rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";
        Assert.Equal(await TestSql.PgColumnAsync(db, rows), await TestSql.PgColumnAsync(copy, rows));

        env[EncryptionKey.Variable] = null;
        var refused = await CliRunner.RunAsync(["restore", "--id", id, .. server, "--target-database", copy + "2", "--wait"], env);
        Assert.Equal(5, refused.ExitCode);
        Assert.Contains("EncryptionKeyMissing", refused.StdErr);
        Assert.False(await TestSql.PgExistsAsync(copy + "2"));
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
    }
}
