using System.Text.Json;
using Azure.Storage.Blobs;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>One catalog shared by many hosts (issue 8 §3), as separate CLI processes against one Azure
/// Blob repository (Azurite): backups of different databases started at the same instant all succeed;
/// of backups of one database started at that instant exactly one runs at a time, and each refused one
/// names the backup that holds the target. The race is decided by the store's conditional create.</summary>
public sealed class AzureSharedCatalogTests : IDisposable
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private const string Container = "sharedcatalog";
    private readonly List<string> _databases = [];

    [StoreFact]
    public async Task Processes_starting_backups_at_once_run_every_other_database_and_one_backup_of_the_same_database_at_a_time()
    {
        const string schema = "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g;";
        var same = await TestSql.PgCreateAsync("shared_a", schema);
        _databases.Add(same);
        var other = await TestSql.PgCreateAsync("shared_b", schema);
        _databases.Add(other);
        await new BlobContainerClient(Azurite.ConnectionString, Container).CreateIfNotExistsAsync();
        var pg = TestServers.Postgres();
        // Two rounds, each in a fresh repository: the lock race is a matter of milliseconds.
        for (var round = 0; round < 2; round++)
        {
            var env = new Dictionary<string, string?>
            {
                ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString, ["PGPASSWORD"] = pg.Password,
                ["DBBACKUP_REPOSITORY"] = $"azure://{Container}/{Guid.NewGuid():N}",
            };
            string[] Backup(string db) => ["backup", "--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName, "--database", db, "--json"];
            var runs = await Task.WhenAll(new[] { same, same, same, other }.Select(db => CliRunner.RunAsync(Backup(db), env)));

            var otherRun = runs[3];
            Assert.True(otherRun.ExitCode == 0, otherRun.StdErr);
            var started = runs[..3].Where(r => r.ExitCode == 0).Select(r => JsonDocument.Parse(r.StdOut).RootElement.GetProperty("Id").GetString()!).ToList();
            Assert.True(started.Count >= 1, $"round {round}: no backup of {same} started: " + string.Join(" | ", runs.Select(r => r.ExitCode + " " + r.StdErr.Trim())));
            foreach (var loser in runs[..3].Where(r => r.ExitCode != 0))
            {
                Assert.True(loser.ExitCode == 4, loser.StdErr);
                Assert.Contains("TargetBusy", loser.StdErr, StringComparison.Ordinal);
                Assert.Contains(started, id => loser.StdErr.Contains(id, StringComparison.Ordinal));
            }

            var ended = new List<JsonElement>();
            foreach (var id in started.Append(JsonDocument.Parse(otherRun.StdOut).RootElement.GetProperty("Id").GetString()!))
            {
                var waited = await CliRunner.RunAsync(["wait", "--id", id, "--json"], env);
                Assert.True(waited.ExitCode == 0, waited.StdErr + waited.StdOut);
                ended.Add(JsonDocument.Parse(waited.StdOut).RootElement);
            }
            Assert.All(ended, e => Assert.Equal("Succeeded", e.GetProperty("State").GetString()));
            // Under load a start can come after the first backup ended and run too, but never beside it.
            var ofSame = ended.Where(e => e.GetProperty("Database").GetString() == same).OrderBy(e => e.GetProperty("StartedAt").GetDateTimeOffset()).ToList();
            for (var i = 1; i < ofSame.Count; i++)
                Assert.True(ofSame[i].GetProperty("StartedAt").GetDateTimeOffset() >= ofSame[i - 1].GetProperty("CompletedAt").GetDateTimeOffset(), $"round {round}: two backups of {same} ran at once");

            // The shared catalog lists exactly these, from any process.
            var listed = await CliRunner.RunAsync(["list", "--json"], env);
            Assert.True(listed.ExitCode == 0, listed.StdErr);
            var ids = JsonDocument.Parse(listed.StdOut).RootElement.GetProperty("Items").EnumerateArray().Select(b => b.GetProperty("Id").GetString()).Order().ToList();
            Assert.Equal(ended.Select(e => e.GetProperty("Id").GetString()).Order().ToList(), ids);
        }
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
    }
}
