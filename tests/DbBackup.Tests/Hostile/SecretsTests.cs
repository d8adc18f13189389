using System.Text;
using System.Text.Json;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>The password never appears in anything DbBackup writes or shows: repository files,
/// activity log, stdout/stderr, or the command line of the worker and its client tools while they run.</summary>
public sealed class SecretsTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly List<(bool Pg, string Db)> _databases = [];

    private static string? CmdLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return null; }
    }

    private void AssertRepositoryClean(string password)
    {
        var secret = Encoding.UTF8.GetBytes(password);
        foreach (var file in Directory.EnumerateFiles(_repo.Path, "*", SearchOption.AllDirectories))
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(secret) < 0, $"the password is in {file}");
    }

    [ServersTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_password_is_in_no_file_output_or_command_line_of_a_backup_and_restore(bool postgres)
    {
        var t = postgres ? TestServers.Postgres() : TestServers.MySql();
        var db = postgres
            ? await TestSql.PgCreateAsync("hsecret", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 300000) g;")
            // As many rows as PostgreSQL's: the restore must last long enough for the sampler to see the CLI
            // process that runs it (a faster MariaDB restore once ended between two samples on a busy machine).
            : await TestSql.MyCreateAsync("hsecret", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT seq, md5(seq) FROM seq_1_to_300000;");
        _databases.Add((postgres, db));
        var env = new Dictionary<string, string?> { [postgres ? "PGPASSWORD" : "MYSQL_PWD"] = t.Password, ["DBBACKUP_REPOSITORY"] = _repo.Path };
        string[] common = ["--engine", postgres ? "postgresql" : "mysql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName];

        var sampled = new HashSet<string>();
        var leaks = new List<string>();
        using var stop = new CancellationTokenSource();
        // Samples every process of every worker (and its client tools) while the commands run.
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var workers = Directory.Exists(Path.Combine(_repo.Path, "backups"))
                    ? _repo.Engine.Repository.ReadAllBackups().Select(b => b.WorkerProcessId)
                        .Concat(_repo.Engine.Repository.ReadAllRestores().Select(r => r.WorkerProcessId)).OfType<int>().ToList()
                    : [];
                foreach (var w in workers)
                    foreach (var pid in ProcessTree.Of(w))
                        if (CmdLine(pid) is { Length: > 0 } cmd)
                        {
                            lock (sampled) sampled.Add(cmd.Split(' ')[0] + " " + (cmd.Contains(" worker ") ? "worker" : Path.GetFileName(cmd.Split(' ')[0])));
                            if (cmd.Contains(t.Password!)) lock (leaks) leaks.Add(cmd);
                        }
                await Task.Delay(5);
            }
        });

        // The backup runs in a detached worker (the password reaches it on stdin), the restore with
        // --wait inside the CLI process itself: both are sampled.
        var backup = await CliRunner.RunAsync(["backup", .. common, "--database", db, "--json", "--note", "secret test"], env);
        Assert.True(backup.ExitCode == 0, backup.StdErr);
        var id = JsonSerializer.Deserialize<JsonElement>(backup.StdOut).GetProperty("Id").GetString()!;
        var waited = await CliRunner.RunAsync(["wait", "--id", id, "--json"], env);
        Assert.True(waited.ExitCode == 0, waited.StdErr + waited.StdOut);
        var copy = db + "_copy";
        _databases.Add((postgres, copy));
        var restore = await CliRunner.RunAsync(["restore", "--id", id, .. common, "--database", db, "--target-database", copy, "--wait", "--json"], env);
        Assert.True(restore.ExitCode == 0, restore.StdErr + restore.StdOut);
        var status = await CliRunner.RunAsync(["log", "--json"], env);
        stop.Cancel();
        await sampler;

        Assert.Empty(leaks);
        Assert.Contains(sampled, s => s.EndsWith(" worker"));                  // the detached backup worker
        Assert.Contains(sampled, s => s == "dotnet dotnet");                    // the CLI that ran the restore itself (--wait)
        foreach (var output in new[] { backup.StdOut, backup.StdErr, restore.StdOut, restore.StdErr, status.StdOut, status.StdErr })
            Assert.DoesNotContain(t.Password!, output);
        AssertRepositoryClean(t.Password!);
    }

    [ServersTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_wrong_password_is_refused_without_echoing_it(bool postgres)
    {
        var t = postgres ? TestServers.Postgres() : TestServers.MySql();
        const string wrong = "Wr0ng-'\"pa$$word-with-quotes";
        var env = new Dictionary<string, string?> { ["DBBACKUP_SECRET"] = wrong, ["DBBACKUP_REPOSITORY"] = _repo.Path };
        var run = await CliRunner.RunAsync(["backup", "--engine", postgres ? "postgresql" : "mysql", "--host", t.Server, "--port", t.Port.ToString(),
            "--user", t.UserName, "--database", postgres ? "postgres" : "mysql", "--password-env", "DBBACKUP_SECRET", "--json"], env);
        Assert.Equal(5, run.ExitCode);
        Assert.Contains(t.UserName, run.StdErr);
        Assert.DoesNotContain(wrong, run.StdErr + run.StdOut);
        Assert.DoesNotContain("pa$$word", run.StdErr + run.StdOut);
        if (Directory.Exists(_repo.Path)) AssertRepositoryClean(wrong);
    }

    public void Dispose()
    {
        foreach (var (pg, db) in _databases)
            (pg ? TestSql.PgDropAsync(db) : TestSql.MyDropAsync(db)).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
