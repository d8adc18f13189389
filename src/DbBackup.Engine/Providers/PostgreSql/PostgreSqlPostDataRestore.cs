using DbBackup.Engine.Repository;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The post-data section of one restore: the big tables' indexes and keys built as each table's
/// data is in (<see cref="PostgreSqlEarlyPostData"/>), the rest in phases after all the data
/// (<see cref="PostgreSqlPostDataPhases"/>).</summary>
/// <remarks>pg_restore restores a chosen list of entries (and in parallel) only from a seekable file, not
/// stdin. The schema archive is small (no table data), so a verified owner-only temp copy is cheap; it is
/// in the operation's own temp folder, so whoever finds a killed worker removes it. Disposing deletes it.</remarks>
internal sealed class PostgreSqlPostDataRestore : IAsyncDisposable
{
    private readonly PostgreSqlTools _tools;
    private readonly string _database;
    private readonly IDictionary<string, string> _environment;
    private readonly string _archive = Path.Combine(OperationTempFolder.Path, "dbbackup-schema-" + Guid.NewGuid().ToString("N") + ".dump");
    private readonly int _jobs;
    private readonly Task<(string Listing, PostgreSqlEarlyPostData Early)> _plan;

    /// <summary>Starts copying the schema archive from <paramref name="schema"/> (disposed here) and planning the
    /// early builds for <paramref name="tables"/>, beside the pre-data section (the plan needs no database).
    /// With one job nothing runs beside the data, so nothing is built early.</summary>
    public PostgreSqlPostDataRestore(PostgreSqlTools tools, string database, IDictionary<string, string> environment,
        Stream schema, IReadOnlyCollection<(string Schema, string Name)> tables, int jobs, CancellationToken ct)
    {
        (_tools, _database, _environment, _jobs) = (tools, database, environment, Math.Max(1, jobs));
        _plan = PlanAsync(schema, jobs > 1 ? tables : [], ct);
    }

    private async Task<(string Listing, PostgreSqlEarlyPostData Early)> PlanAsync(Stream schema, IReadOnlyCollection<(string Schema, string Name)> tables, CancellationToken ct)
    {
        await Task.Yield(); // the caller goes on with the pre-data section meanwhile
        await using (schema)
        await using (var output = new FileStream(_archive, SecureFiles.NewFileOptions()))
            await schema.CopyToAsync(output, ct).ConfigureAwait(false);
        var listing = await PostgreSqlPostDataPhases.ListAsync(_tools, _environment, _archive, ct).ConfigureAwait(false);
        var early = PostgreSqlEarlyPostData.None;
        if (tables.Count > 0)
        {
            // The whole archive's entries with their dependencies, to find each index's and key's table.
            var script = await ToolRunner.RunAsync(_tools.PgRestore, ["--verbose", "--file=-", _archive], _environment, null, ct).ConfigureAwait(false);
            early = PostgreSqlEarlyPostData.Plan(listing, PostgreSqlRestoreScript.Parse(script), tables);
        }
        DebugTimings.Mark("post-data planned");
        return (listing, early);
    }

    /// <summary>The indexes and keys to build as soon as a table's rows are in (none for most), each with whether it may
    /// run beside the table's other such builds (<see cref="PostgreSqlEarlyPostData.Shared"/>), once the plan is made.</summary>
    public async Task<Func<PostgreSqlTocTable, IReadOnlyList<(string Line, bool Shared)>>> EarlyBuildsAsync()
    {
        var (_, early) = await _plan.ConfigureAwait(false);
        return table => (early.For(table.Schema, table.Name) ?? []).Select(line => (line, early.Shared(line))).ToList();
    }

    /// <summary>Builds one of <see cref="EarlyBuildsAsync"/>'s entries on <paramref name="conn"/> (a session of the new
    /// database kept for builds: the SQL sets what pg_restore's session sets), as pg_restore would: one statement
    /// list, committed, without starting a pg_restore and signing in for each index.</summary>
    public async Task BuildAsync(NpgsqlConnection conn, string line, CancellationToken ct)
    {
        var (_, early) = await _plan.ConfigureAwait(false);
        await using (var cmd = new NpgsqlCommand(early.SqlOf(line), conn) { CommandTimeout = 0 })
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        DebugTimings.Mark("early build done: " + line.Trim());
    }

    /// <summary>Everything not built early, in phases, with <paramref name="beforeEventTriggers"/> (the
    /// materialized view refreshes) before the event triggers.</summary>
    public async Task RestoreRestAsync(Func<Task> beforeEventTriggers, CancellationToken ct)
    {
        var (listing, early) = await _plan.ConfigureAwait(false);
        Operations.WorkerPausePoints.At("restore:post-data");
        await PostgreSqlPostDataPhases.RestoreAsync(_tools, _database, _environment, _archive, listing, early.Lines, _jobs, beforeEventTriggers, ct).ConfigureAwait(false);
    }

    /// <summary>Waits for the plan (whatever its outcome: a failure is reported by whoever awaited it) and deletes the copy.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAny(_plan).ConfigureAwait(false);
        SecureFiles.TryDelete(_archive);
    }
}
