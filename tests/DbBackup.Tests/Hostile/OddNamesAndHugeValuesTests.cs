using System.Text.Json;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>Names with spaces, quotes, control characters and unicode, a 50 MB value, and labels
/// and notes with quotes, newlines and unicode: round trips through the CLI, --json parseable.</summary>
public sealed class OddNamesAndHugeValuesTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<(bool Pg, string Db)> _databases = [];

    private const string OddTable = "we\"ird\n\ttab`le'name";
    private const string Note = "line one\nline \"two\" with 'quotes', a \\ backslash and 日本語 ✓";

    private static string PgId(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
    private static string MyId(string s) => "`" + s.Replace("`", "``") + "`";

    private Dictionary<string, string?> Env(bool pg) => new()
    {
        [pg ? "PGPASSWORD" : "MYSQL_PWD"] = (pg ? TestServers.Postgres() : TestServers.MySql()).Password,
        ["DBBACKUP_REPOSITORY"] = _repo.Path,
    };

    private static string[] Common(bool pg)
    {
        var t = pg ? TestServers.Postgres() : TestServers.MySql();
        return ["--engine", pg ? "postgresql" : "mysql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName];
    }

    private static JsonElement Json(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
        return JsonSerializer.Deserialize<JsonElement>(r.StdOut);
    }

    private async Task<string> BackupAsync(bool pg, string db)
    {
        var backup = Json(await CliRunner.RunAsync(["backup", .. Common(pg), "--database", db, "--wait", "--json",
            "--label", "team=\"ops\" & 'dba' ünïcödé", "--label", "empty=", "--name", "nightly \"odd\" 名前", "--note", Note], Env(pg)));
        Assert.Equal("Succeeded", backup.GetProperty("State").GetString());
        Assert.Equal("\"ops\" & 'dba' ünïcödé", backup.GetProperty("Labels").GetProperty("team").GetString());
        Assert.Equal("", backup.GetProperty("Labels").GetProperty("empty").GetString());
        Assert.Equal("nightly \"odd\" 名前", backup.GetProperty("Name").GetString());
        Assert.Equal(Note, backup.GetProperty("Note").GetString());
        Assert.Equal(db, backup.GetProperty("Database").GetString());
        var id = backup.GetProperty("Id").GetString()!;
        // The same values come back from list (filtered by the odd label) and from the activity log.
        var list = Json(await CliRunner.RunAsync(["list", "--json", "--label", "team=\"ops\" & 'dba' ünïcödé", "--database", db], Env(pg)));
        Assert.Equal(id, list.GetProperty("Items").EnumerateArray().Single().GetProperty("Id").GetString());
        var log = Json(await CliRunner.RunAsync(["log", "--json", "--id", id], Env(pg)));
        Assert.Contains(log.GetProperty("Items").EnumerateArray(), e => e.GetProperty("Note").GetString() == Note && e.GetProperty("Database").GetString() == db);
        return id;
    }

    [PostgresFact]
    public async Task Postgres_odd_database_and_table_names_and_a_50_MB_bytea_round_trip_through_the_cli()
    {
        var db = "odd db \"quoted\" 'single' é日本 " + Guid.NewGuid().ToString("N")[..6];
        var copy = "copy of " + db;
        _databases.Add((true, db));
        _databases.Add((true, copy));
        await TestSql.PgExecAsync("postgres", $"CREATE DATABASE {PgId(db)}");
        await TestSql.PgExecAsync(db, $"""
            CREATE TABLE {PgId(OddTable)} ({PgId("col \"x\"\n")} text, n int);
            INSERT INTO {PgId(OddTable)} VALUES (E'tab\there\nnewline \\ back \"q\" ''s'' 日本', 1), (NULL, 2);
            CREATE TABLE big (id int PRIMARY KEY, b bytea NOT NULL);
            INSERT INTO big SELECT 1, string_agg(decode(md5(g::text || random()::text), 'hex'), '') FROM generate_series(1, 3276800) g;
            """);
        var id = await BackupAsync(true, db);

        var restore = Json(await CliRunner.RunAsync(["restore", "--id", id, .. Common(true), "--database", db, "--target-database", copy, "--wait", "--json", "--note", Note], Env(true)));
        Assert.Equal("Succeeded", restore.GetProperty("State").GetString());
        Assert.Equal(copy, restore.GetProperty("TargetDatabase").GetString());

        const string tables = "SELECT string_agg(quote_ident(table_name), ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'";
        Assert.Equal(await TestSql.PgColumnAsync(db, tables), await TestSql.PgColumnAsync(copy, tables));
        var rows = $"SELECT coalesce(string_agg(md5(t::text), ',' ORDER BY n), '') FROM {PgId(OddTable)} t";
        Assert.Equal(await TestSql.PgColumnAsync(db, rows), await TestSql.PgColumnAsync(copy, rows));
        const string big = "SELECT length(b)::text || ':' || md5(b) FROM big";
        var original = (await TestSql.PgColumnAsync(db, big)).Single();
        Assert.StartsWith("52428800:", original);
        Assert.Equal(original, (await TestSql.PgColumnAsync(copy, big)).Single());
    }

    [PostgresFact]
    public async Task Postgres_restore_over_a_database_whose_name_is_long_in_utf8_bytes()
    {
        // 28 two-byte letters and 4 digits: 60 bytes, within PostgreSQL's 63-byte limit, but too long once the
        // restore's aside suffix is added, unless the aside name is cut by bytes rather than characters.
        var db = new string('ü', 28) + Guid.NewGuid().ToString("N")[..4];
        _databases.Add((true, db));
        await TestSql.PgExecAsync("postgres", $"CREATE DATABASE {PgId(db)}");
        await TestSql.PgExecAsync(db, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'backed up');");
        var id = await BackupAsync(true, db);
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed'");

        var restore = Json(await CliRunner.RunAsync(["restore", "--id", id, .. Common(true), "--database", db, "--force", "--wait", "--json"], Env(true)));
        Assert.True(restore.GetProperty("State").GetString() == "Succeeded", restore.GetProperty("StatusMessage").GetString());
        Assert.Equal("backed up", (await TestSql.PgColumnAsync(db, "SELECT v FROM t")).Single());
        // A new database name over 63 bytes is refused up front, not silently truncated by the server.
        var tooLong = await CliRunner.RunAsync(["restore", "--id", id, .. Common(true), "--database", db, "--target-database", new string('é', 32), "--json"], Env(true));
        Assert.Equal(2, tooLong.ExitCode);
        Assert.Contains("InvalidDatabase", tooLong.StdErr);
        Assert.Contains("64 bytes", tooLong.StdErr);
        var safety = restore.GetProperty("SafetyBackupId").GetString()!;
        _ = Json(await CliRunner.RunAsync(["status", "--id", safety, "--json"], Env(true)));
        Assert.Empty(await TestSql.PgColumnAsync("postgres", "SELECT datname FROM pg_database WHERE datname LIKE '%\\_\\_restore\\_%'" + $" AND datname LIKE '{new string('ü', 10)}%'"));
    }

    [MySqlFact]
    public async Task MariaDb_odd_database_and_table_names_round_trip_through_the_cli()
    {
        var db = "odd db 'q' é日本 " + Guid.NewGuid().ToString("N")[..6];
        var copy = "copy " + db;
        _databases.Add((false, db));
        _databases.Add((false, copy));
        await TestSql.MyExecAsync(null, $"CREATE DATABASE {MyId(db)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        // MariaDB forbids control characters in identifiers; backticks, quotes and unicode are allowed.
        var table = "we\"ird `tab` 'le' 名";
        await TestSql.MyExecAsync(db, $"""
            CREATE TABLE {MyId(table)} (`col ``x``` text, n int PRIMARY KEY, b longblob);
            INSERT INTO {MyId(table)} VALUES ('tab\there\nnewline \\ back "q" ''s'' 日本 😀', 1, UNHEX(REPEAT(MD5('x'), 65536))), (NULL, 2, NULL);
            """);
        var id = await BackupAsync(false, db);
        var restore = Json(await CliRunner.RunAsync(["restore", "--id", id, .. Common(false), "--database", db, "--target-database", copy, "--wait", "--json"], Env(false)));
        Assert.Equal("Succeeded", restore.GetProperty("State").GetString());
        var q = $"SELECT n, MD5(`col ``x```), MD5(b), LENGTH(b) FROM {MyId(table)} ORDER BY n";
        var original = await TestSql.MyExecAsync(db, q);
        Assert.Contains("1048576", original);
        Assert.Equal(original, await TestSql.MyExecAsync(copy, q));
    }

    public void Dispose()
    {
        // TestSql's drop helpers do not quote names like these.
        foreach (var (pg, db) in _databases)
            (pg ? TestSql.PgExecAsync("postgres", $"DROP DATABASE IF EXISTS {PgId(db)} WITH (FORCE)") : TestSql.MyExecAsync(null, $"DROP DATABASE IF EXISTS {MyId(db)}")).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
