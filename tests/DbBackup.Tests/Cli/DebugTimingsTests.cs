using System.Text.Json;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Cli;

/// <summary>`--debug-timings` shows where a command's time goes (the speed work on small databases)
/// on stderr only: stdout stays the record a script parses, and no line carries the password.</summary>
public sealed class DebugTimingsTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private string? _db;

    [PostgresFact]
    public async Task Backup_with_wait_and_debug_timings_writes_ordered_phase_lines_to_stderr_and_the_record_to_stdout()
    {
        var t = TestServers.Postgres();
        _db = await TestSql.PgCreateAsync("timings", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g;");
        var env = new Dictionary<string, string?> { ["PGPASSWORD"] = t.Password, ["DBBACKUP_REPOSITORY"] = _repo.Path, ["DBBACKUP_DEBUG_TIMINGS"] = null };

        var run = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName,
            "--database", _db, "--wait", "--json", "--debug-timings"], env);

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Equal("Succeeded", JsonSerializer.Deserialize<JsonElement>(run.StdOut).GetProperty("State").GetString());
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("timing: +", StringComparison.Ordinal)).ToList();
        string[] expected = ["arguments parsed", "postgresql connection opened: " + _db, "operation recorded; following it", "record Running", "phase Data", "record ending", "operation ended"];
        var positions = expected.Select(phase => lines.FindIndex(l => l.EndsWith(" " + phase, StringComparison.Ordinal))).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
        Assert.DoesNotContain(t.Password!, run.StdErr, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Without_the_option_a_backup_writes_no_timing_lines()
    {
        var t = TestServers.Postgres();
        _db = await TestSql.PgCreateAsync("timings", "CREATE TABLE t (id int PRIMARY KEY);");
        var env = new Dictionary<string, string?> { ["PGPASSWORD"] = t.Password, ["DBBACKUP_REPOSITORY"] = _repo.Path, ["DBBACKUP_DEBUG_TIMINGS"] = null };

        var run = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", t.Server, "--port", t.Port.ToString(), "--user", t.UserName,
            "--database", _db, "--wait", "--json"], env);

        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.DoesNotContain("timing:", run.StdErr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (_db != null) TestSql.PgDropAsync(_db).GetAwaiter().GetResult();
        _repo.Dispose();
    }
}
