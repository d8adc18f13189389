using System.Globalization;
using System.Text.RegularExpressions;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Restores the post-data section of a schema archive in parallel without the failures a
/// single <c>pg_restore -j</c> run of that section has.</summary>
/// <remarks>
/// Measured on PostgreSQL 15.18 (a primary key on a partitioned table whose partitions are partitioned
/// again, some partitions with their own index attached later): one <c>pg_restore --section=post-data -j 4</c>
/// failed 12 times in 25 with "there is no unique constraint matching given keys for referenced table",
/// and once with a deadlock; serial never failed. The cause: workers run the <c>INDEX ATTACH</c> entries
/// of one partitioned index concurrently, and each attach checks whether the parent index now has all
/// its partitions while the other attaches are not yet committed. When the last two attaches race,
/// neither sees the other's, so the parent index stays invalid for good, and a foreign key referencing
/// it cannot be created, even later. pg_dump's dependencies cannot express "not concurrently".
/// So the section runs in three lists: (1) everything that builds (indexes, constraints other than
/// foreign keys, rules, policies…) in parallel; (2) every INDEX ATTACH and every TRIGGER serially, in
/// archive order, as a serial pg_restore does (a partition's "ALTER TABLE … DISABLE TRIGGER" entry for
/// a trigger cloned from its parent's carries no dependency on the parent's CREATE TRIGGER, so in
/// parallel it sometimes ran first and failed: "trigger … does not exist", seen in the corpus tests); (3) foreign keys in parallel, then comments, security labels and
/// privileges (they may be about a foreign key, so they come after it). With this split the same case
/// succeeded 30 times in 30. Event triggers (and their comments) come last of all, after the caller's
/// materialized view refreshes.
/// </remarks>
internal static partial class PostgreSqlPostDataPhases
{
    /// <summary>One list per phase, each line a pg_restore -l entry of the post-data section.</summary>
    public static (List<string> Build, List<string> Attach, List<string> Last, List<string> EventTriggers) Split(string listing)
    {
        var build = new List<string>();
        var attach = new List<string>();
        var last = new List<string>();
        var eventTriggers = new List<string>();
        foreach (var line in listing.Split('\n'))
        {
            var m = Entry().Match(line);
            if (!m.Success) continue; // comments and blank lines
            var type = m.Groups[1].Value;
            if (type.StartsWith("EVENT TRIGGER ", StringComparison.Ordinal) || EventTriggerProperty().IsMatch(type)) eventTriggers.Add(line);
            else if (type.StartsWith("INDEX ATTACH ", StringComparison.Ordinal) || type.StartsWith("TRIGGER ", StringComparison.Ordinal)) attach.Add(line);
            else if (type.StartsWith("FK CONSTRAINT ", StringComparison.Ordinal) || type.StartsWith("COMMENT ", StringComparison.Ordinal)
                     || type.StartsWith("SECURITY LABEL ", StringComparison.Ordinal) || type.StartsWith("ACL ", StringComparison.Ordinal))
                last.Add(line);
            else build.Add(line);
        }
        return (build, attach, last, eventTriggers);
    }

    /// <summary>Runs the post-data section of <paramref name="archive"/> (a seekable file) in the three
    /// phases, then <paramref name="beforeEventTriggers"/>, then the event triggers, so that no user event
    /// trigger fires during the restore. A refresh is a command an event trigger can refuse: pg_restore 15
    /// creates event triggers before its refreshes, and failed on such a database in the corpus tests.</summary>
    /// <remarks><paramref name="done"/>: lines of <paramref name="listing"/> already restored (see <see cref="PostgreSqlEarlyPostData"/>).</remarks>
    public static async Task RestoreAsync(PostgreSqlTools tools, string database, IDictionary<string, string> environment,
        string archive, string listing, IReadOnlySet<string> done, int jobs, Func<Task> beforeEventTriggers, CancellationToken ct)
    {
        var (build, attach, last, eventTriggers) = Split(listing);
        build.RemoveAll(done.Contains);
        await RunListAsync(tools, database, environment, archive, build, jobs, ct).ConfigureAwait(false);
        await RunListAsync(tools, database, environment, archive, attach, 1, ct).ConfigureAwait(false);
        await RunListAsync(tools, database, environment, archive, last, jobs, ct).ConfigureAwait(false);
        await beforeEventTriggers().ConfigureAwait(false);
        await RunListAsync(tools, database, environment, archive, eventTriggers, 1, ct).ConfigureAwait(false);
    }

    /// <summary>The post-data entries of <paramref name="archive"/> (a seekable file), as <c>pg_restore -l</c> lines.</summary>
    public static Task<string> ListAsync(PostgreSqlTools tools, IDictionary<string, string> environment, string archive, CancellationToken ct)
        => ToolRunner.RunAsync(tools.PgRestore, ["--list", "--section=post-data", archive], environment, null, ct);

    /// <summary>Restores the given <c>pg_restore -l</c> lines of <paramref name="archive"/>, with <paramref name="jobs"/> workers.</summary>
    public static async Task RunListAsync(PostgreSqlTools tools, string database, IDictionary<string, string> environment,
        string archive, List<string> entries, int jobs, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        var list = archive + "." + Guid.NewGuid().ToString("N") + ".list";
        try
        {
            await using (var output = new FileStream(list, Repository.SecureFiles.NewFileOptions()))
            await using (var writer = new StreamWriter(output))
                foreach (var e in entries) await writer.WriteLineAsync(e.AsMemory(), ct).ConfigureAwait(false);
            var args = new List<string> { "--exit-on-error", "--no-password", "--use-list=" + list, "-d", database, archive };
            if (jobs > 1) args.InsertRange(0, ["-j", jobs.ToString(CultureInfo.InvariantCulture)]);
            await ToolRunner.RunAsync(tools.PgRestore, args, environment, null, ct).ConfigureAwait(false);
            DebugTimings.Mark($"post-data list restored: {entries.Count} entries, {jobs} jobs");
        }
        finally
        {
            Repository.SecureFiles.TryDelete(list);
        }
    }

    /// <summary>A comment or security label on an event trigger ("COMMENT - EVENT TRIGGER name owner").</summary>
    [GeneratedRegex(@"^(COMMENT|SECURITY LABEL) - EVENT TRIGGER ")]
    private static partial Regex EventTriggerProperty();

    /// <summary>"dumpId; catalogOid objectOid TYPE …": group 1 is everything after the oids.</summary>
    [GeneratedRegex(@"^\s*\d+;\s*\d+\s+\d+\s+(.*)$")]
    private static partial Regex Entry();
}
