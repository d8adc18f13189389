using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.MySql;
using DbBackup.Tests.PostgreSql;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>`dbbackup copy` around every kind of store — a local folder → Azure Blob (Azurite) → S3
/// (s3rver) → another local folder — with a real PostgreSQL and a real MariaDB backup, then a restore
/// from the last copy compared with the source database. The credentials only in the SDKs' variables.</summary>
public sealed class CopyAcrossStoresTests : IDisposable
{
    /// <summary>Why the tests are skipped here, if they are (both emulators are needed).</summary>
    public static string? SkipReason => Azurite.SkipReason ?? S3rver.SkipReason;

    private const string Container = "copies";
    private readonly List<string> _pgDatabases = [];
    private readonly List<string> _myDatabases = [];
    private readonly List<string> _folders = [];

    private string NewFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "dbbackup-copy-" + Guid.NewGuid().ToString("N")[..10]);
        _folders.Add(path);
        return path;
    }

    private static Dictionary<string, string?> StoreEnvironment()
    {
        var s3 = S3rver.StoreEnvironment();
        return new()
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = Azurite.ConnectionString,
            ["AWS_ENDPOINT_URL_S3"] = s3("AWS_ENDPOINT_URL_S3"), ["AWS_ACCESS_KEY_ID"] = s3("AWS_ACCESS_KEY_ID"),
            ["AWS_SECRET_ACCESS_KEY"] = s3("AWS_SECRET_ACCESS_KEY"), ["AWS_REGION"] = "us-east-1",
            ["DBBACKUP_REPOSITORY"] = null,
        };
    }

    private static async Task<CliRunner.Result> RunAsync(Dictionary<string, string?> env, params string[] args)
    {
        var run = await CliRunner.RunAsync(args, env);
        Assert.True(run.ExitCode == 0, $"dbbackup {string.Join(' ', args)} → {run.ExitCode}\n{run.StdErr}\n{run.StdOut}");
        return run;
    }

    /// <summary>Backs <paramref name="db"/> up into a local folder, copies it around the stores and
    /// returns the id and the last (local) repository holding it.</summary>
    private async Task<(string Id, string Repository)> BackUpAndCopyAroundAsync(Dictionary<string, string?> env, string[] server, string db)
    {
        await new BlobContainerClient(Azurite.ConnectionString, Container).CreateIfNotExistsAsync();
        await S3StoreContractTests.CreateBucketAsync(Container);
        var local = NewFolder();
        var azure = $"azure://{Container}/{Guid.NewGuid():N}";
        var s3 = $"s3://{Container}/{Guid.NewGuid():N}";
        var back = NewFolder();

        var backup = await RunAsync(env, ["backup", "--repository", local, .. server, "--database", db, "--label", "env=prod", "--note", "off-site test", "--wait", "--json"]);
        var id = JsonDocument.Parse(backup.StdOut).RootElement.GetProperty("Id").GetString()!;

        var toAzure = JsonDocument.Parse((await RunAsync(env, "copy", "--repository", local, "--id", id, "--to", azure, "--json")).StdOut).RootElement;
        Assert.Equal("Copied", toAzure.GetProperty("Outcome").GetString());
        // Idempotent: the same copy again finds it there and writes nothing.
        var again = JsonDocument.Parse((await RunAsync(env, "copy", "--repository", local, "--id", id, "--to", azure, "--json")).StdOut).RootElement;
        Assert.Equal("Skipped", again.GetProperty("Outcome").GetString());

        var toS3 = JsonDocument.Parse((await RunAsync(env, "copy", "--repository", azure, "--id", id, "--to", s3, "--json")).StdOut).RootElement;
        Assert.Equal("Copied", toS3.GetProperty("Outcome").GetString());
        // Back to a local folder by the filter form: the newest backup of the database.
        var home = JsonDocument.Parse((await RunAsync(env, "copy", "--repository", s3, "--database", db, "--first", "1", "--to", back, "--json")).StdOut).RootElement;
        Assert.Equal(id, Assert.Single(home.EnumerateArray()).GetProperty("BackupId").GetString());

        var listed = JsonDocument.Parse((await RunAsync(env, "list", "--repository", back, "--json")).StdOut).RootElement.GetProperty("Items");
        var record = Assert.Single(listed.EnumerateArray());
        Assert.Equal(id, record.GetProperty("Id").GetString());
        Assert.Equal("prod", record.GetProperty("Labels").GetProperty("env").GetString());
        Assert.Equal("off-site test", record.GetProperty("Note").GetString());
        Assert.Equal("Manual", record.GetProperty("Kind").GetString());
        var verified = JsonDocument.Parse((await RunAsync(env, "verify", "--repository", back, "--id", id, "--json")).StdOut).RootElement;
        Assert.True(verified.GetProperty("Passed").GetBoolean());
        return (id, back);
    }

    [StoreFact]
    public async Task A_PostgreSQL_backup_copied_local_to_Azure_to_S3_to_local_restores_to_the_source_data()
    {
        var db = await TestSql.PgCreateAsync("cpx", """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE TABLE t (id int PRIMARY KEY, v text, b bytea, m mood, at timestamptz, n numeric(20,6));
            INSERT INTO t SELECT g, md5(g::text), decode(md5(g::text), 'hex'), (ARRAY['sad','ok','happy']::mood[])[g % 3 + 1], timestamptz '2026-01-01' + g * interval '1 minute', g / 7.0 FROM generate_series(1, 3000) g;
            CREATE VIEW happy AS SELECT id FROM t WHERE m = 'happy';
            """);
        _pgDatabases.Add(db);
        var pg = TestServers.Postgres();
        var env = StoreEnvironment();
        env["PGPASSWORD"] = pg.Password;
        string[] server = ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];

        var (id, back) = await BackUpAndCopyAroundAsync(env, server, db);

        var restored = db + "_r";
        _pgDatabases.Add(restored);
        await RunAsync(env, ["restore", "--repository", back, "--id", id, .. server, "--target-database", restored, "--wait"]);
        await PostgresComparison.AssertSameAsync(db, restored);
    }

    [StoreFact]
    public async Task A_MariaDB_backup_copied_local_to_Azure_to_S3_to_local_restores_to_the_source_data()
    {
        var db = await TestSql.MyCreateAsync("cpx", """
            CREATE TABLE t (id int PRIMARY KEY, v varchar(64), b blob, f float, d double, n decimal(20,6), at datetime(6), u varchar(20) CHARACTER SET utf8mb4);
            INSERT INTO t SELECT seq, md5(seq), unhex(md5(seq)), seq / 3, seq / 7, seq / 11, '2026-01-01' + INTERVAL seq MINUTE, 'ünï😀' FROM seq_1_to_3000;
            CREATE VIEW big AS SELECT id FROM t WHERE id > 2000;
            """);
        _myDatabases.Add(db);
        var my = TestServers.MySql();
        var env = StoreEnvironment();
        env["MYSQL_PWD"] = my.Password;
        string[] server = ["--engine", "mysql", "--host", my.Server, "--port", my.Port.ToString(), "--user", my.UserName];

        var (id, back) = await BackUpAndCopyAroundAsync(env, server, db);

        var restored = db + "_r";
        _myDatabases.Add(restored);
        await RunAsync(env, ["restore", "--repository", back, "--id", id, .. server, "--target-database", restored, "--wait"]);
        // The control: mariadb-dump's own view of both databases, rows (hex for binary) and definitions.
        Assert.Equal(await MariaDbDumpAsync(db), await MariaDbDumpAsync(restored));
    }

    private static async Task<string> MariaDbDumpAsync(string db)
    {
        string[] common = ["--skip-dump-date", "--skip-comments", "--compact", "--order-by-primary", "--hex-blob", "--skip-extended-insert", "--default-character-set=utf8mb4"];
        var dump = await MySqlClientTools.RunAsync(TestServers.MySql(db), MySqlClientTools.Dump, [.. common, "--routines", "--triggers", "--", db], null, CancellationToken.None);
        // Definitions name their database only in DEFINER-free forms; auto-increment counters are not data.
        return Regex.Replace(dump.Replace($"`{db}`", "`DB`"), @" AUTO_INCREMENT=\d+", "");
    }

    public void Dispose()
    {
        foreach (var db in _pgDatabases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        foreach (var db in _myDatabases) TestSql.MyDropAsync(db).GetAwaiter().GetResult();
        foreach (var folder in _folders)
        {
            try { Directory.Delete(folder, recursive: true); } catch (DirectoryNotFoundException) { }
        }
    }
}
