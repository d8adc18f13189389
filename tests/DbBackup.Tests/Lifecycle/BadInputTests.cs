using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Lifecycle;

/// <summary>Bad input through the CLI, as automation sees it: a clear message on stderr naming the bad
/// value, a non-zero exit code, the password never echoed, and nothing written to the repository.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _repo = Path.Combine(Path.GetTempPath(), "dbbackup-bad-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<(bool pg, string db)> _databases = [];

    private Dictionary<string, string?> Env(bool pg, string? password = null) => new()
    {
        [pg ? "PGPASSWORD" : "MYSQL_PWD"] = password ?? (pg ? TestServers.Postgres() : TestServers.MySql()).Password,
        ["DBBACKUP_REPOSITORY"] = _repo,
    };

    private static List<string> Backup(bool pg, string db, int? port = null, string? host = null, params string[] extra)
    {
        var t = pg ? TestServers.Postgres() : TestServers.MySql();
        return ["backup", "--engine", pg ? "postgresql" : "mysql", "--host", host ?? t.Server, "--port", (port ?? t.Port).ToString(), "--database", db, "--user", t.UserName, .. extra];
    }

    private async Task<string> DbAsync(bool pg)
    {
        var db = pg
            ? await TestSql.PgCreateAsync("bad", "CREATE TABLE orders (id int PRIMARY KEY, created_at timestamptz); CREATE TABLE \"Odd \"\"Name\" (id int);")
            : await TestSql.MyCreateAsync("bad", "CREATE TABLE orders (id int PRIMARY KEY, created_at datetime); CREATE TABLE `Odd ``Name` (id int);");
        _databases.Add((pg, db));
        return db;
    }

    private async Task<string> RefusedAsync(List<string> args, Dictionary<string, string?> env, int exitCode, params string[] mustContain)
    {
        var r = await CliRunner.RunAsync(args, env);
        Assert.Equal(exitCode, r.ExitCode);
        Assert.Equal("", r.StdOut);
        foreach (var s in mustContain) Assert.Contains(s, r.StdErr);
        Assert.DoesNotContain("dbbackup-test-pw", r.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_repo, "backups")) && Directory.EnumerateFileSystemEntries(Path.Combine(_repo, "backups")).Any(),
            "a refused request must leave no backup in the repository");
        return r.StdErr;
    }

    [ServersTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Unknown_tables_are_listed_in_one_error(bool pg)
    {
        var db = await DbAsync(pg);
        await RefusedAsync(Backup(pg, db, extra: ["--table", "orders", "--table", "nope", "--table", "x'; DROP TABLE orders; --"]), Env(pg), 2,
            "UnknownTable", "nope", "x'; DROP TABLE orders; --");
        Assert.True(pg ? (await TestSql.PgColumnAsync(db, "SELECT count(*) FROM orders")).Count == 1 : (await TestSql.MyExecAsync(db, "SELECT COUNT(*) FROM orders")).Trim() == "0");
    }

    [ServersTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_odd_table_name_is_accepted_and_quoted(bool pg)
    {
        var db = await DbAsync(pg);
        var r = await CliRunner.RunAsync(Backup(pg, db, extra: ["--table", pg ? "public.Odd \"Name" : "Odd `Name", "--wait", "--json"]), Env(pg));
        Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
        Assert.Contains("\"State\": \"Succeeded\"", r.StdOut);
    }

    [ServersTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_unknown_date_column_and_an_invalid_date_are_refused(bool pg)
    {
        var db = await DbAsync(pg);
        await RefusedAsync(Backup(pg, db, extra: ["--table", "orders", "--since", "2026-01-01", "--date-column", "modified"]), Env(pg), 2,
            "Tables which cannot be filtered by date", "modified");
        await RefusedAsync(Backup(pg, db, extra: ["--since", "31/01/2026"]), Env(pg), 2, "InvalidSince", "31/01/2026", "ISO-8601");
    }

    [ServersTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_wrong_password_names_the_user_and_never_the_password(bool pg)
    {
        var db = await DbAsync(pg);
        var err = await RefusedAsync(Backup(pg, db), Env(pg, "wrong-pw-s3cret"), 5, "dbbackup");
        Assert.DoesNotContain("wrong-pw-s3cret", err);
    }

    [ServersTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_unreachable_host_is_a_connection_error_naming_it(bool pg)
    {
        await RefusedAsync(Backup(pg, "anything", port: TestServers.FreePort()), Env(pg), 5, "127.0.0.1");
    }

    [ServersTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_missing_database_is_refused(bool pg)
    {
        await RefusedAsync(Backup(pg, "no_such_db_" + Guid.NewGuid().ToString("N")[..6]), Env(pg), 3, "no_such_db_");
    }

    [Fact]
    public async Task An_unknown_engine_is_refused_naming_the_accepted_ones()
    {
        await RefusedAsync(["backup", "--engine", "oracle", "--host", "127.0.0.1", "--database", "x", "--user", "u"], Env(true), 2, "oracle", "postgresql", "mysql");
    }

    [Fact]
    public async Task A_password_argument_does_not_exist()
    {
        var r = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", "h", "--database", "d", "--user", "u", "--password", "x"], Env(true));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--password", r.StdErr);
    }

    public void Dispose()
    {
        foreach (var (pg, db) in _databases) (pg ? TestSql.PgDropAsync(db) : TestSql.MyDropAsync(db)).GetAwaiter().GetResult();
        try { Directory.Delete(_repo, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
