using System.Diagnostics;
using System.Globalization;
using DbBackup.Engine.Artifacts;
using DbBackup.Model;
using MySqlConnector;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Reads the tables' data over several sessions in one snapshot (see <see cref="MySqlSnapshot"/>).
/// A table whose estimated size reaches <see cref="SplitBytes"/> and that has a one-column integer primary
/// key is read in primary-key ranges, each to a file of its own, so one big table keeps every session
/// busy; its checksum is the sum of its parts' (the checksum is order-independent).</summary>
internal sealed class MySqlDataDump
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Estimated table size from which a table is split into key ranges (with more than one
    /// session); also the target size of a range. Settable for tests.</summary>
    public long SplitBytes { get; init; } = 64L << 20;

    /// <summary>What was read: per table its stats and files, and how the snapshot was made.</summary>
    public sealed record Result(List<TableStat> Stats, List<List<(string File, long Rows)>> Files, string Consistency);

    /// <summary>Reads <paramref name="jobs"/> (files written to <paramref name="sink"/> when given) with up
    /// to <paramref name="sessions"/> sessions.</summary>
    public async Task<Result> RunAsync(ConnectionTarget target, IReadOnlyList<MySqlTableJob> jobs, IReadOnlyDictionary<string, long> sizes,
        int sessions, IPayloadSink? sink, IProgress<OperationProgress>? progress, OperationProgress state, CancellationToken cancellationToken)
    {
        var stats = new List<TableStat>();
        if (jobs.Count == 0) return new Result(stats, [], "no tables");
        var keys = sessions > 1 ? await SplitKeysAsync(target, jobs, sizes, cancellationToken).ConfigureAwait(false) : [];
        await using var snapshot = await MySqlSnapshot.OpenAsync(target, keys.Count > 0 ? sessions : Math.Min(sessions, jobs.Count), cancellationToken).ConfigureAwait(false);
        var parts = await PlanAsync(snapshot, target, jobs, sizes, keys, cancellationToken).ConfigureAwait(false);

        var queue = new Queue<MySqlDataPart>(parts.OrderByDescending(p => p.EstimatedBytes));
        var checksums = jobs.Select(_ => new RowSetChecksum()).ToList();
        var readers = new List<MySqlPartReader>();
        var partsLeft = jobs.Select((_, i) => parts.Count(p => p.Table == i)).ToArray();
        var files = partsLeft.Select(n => new (string, long)[n]).ToList();
        long bytesDone = 0;
        var lastReport = Stopwatch.StartNew();
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        void ReportProgress(bool force)
        {
            if (progress == null) return;
            lock (state)
            {
                if (!force && lastReport.Elapsed < ProgressInterval) return;
                var running = readers.Sum(r => r.Bytes);
                state.BytesDone = bytesDone + running;
                state.Percent = state.BytesEstimated > 0 ? (int)Math.Min(99, 100 * state.BytesDone / state.BytesEstimated) : 100 * state.TablesDone / Math.Max(1, state.TablesTotal);
                state.UpdatedAt = DateTimeOffset.UtcNow;
                progress.Report(state.Clone());
                lastReport.Restart();
            }
        }

        async Task WorkAsync(MySqlConnection session)
        {
            while (true)
            {
                MySqlDataPart part;
                lock (queue)
                {
                    if (queue.Count == 0) return;
                    part = queue.Dequeue();
                }
                var job = jobs[part.Table];
                var reader = new MySqlPartReader();
                lock (state)
                {
                    readers.Add(reader);
                    state.CurrentTable = job.Table;
                }
                using var ticker = new Timer(_ => ReportProgress(false), null, ProgressInterval, ProgressInterval);
                var file = part.File == null || sink == null ? null : sink.Create(part.File);
                try
                {
                    await reader.ReadAsync(session, target, job, part.Where, file, failed.Token).ConfigureAwait(false);
                }
                finally
                {
                    if (file != null) await file.DisposeAsync().ConfigureAwait(false);
                }
                DebugTimings.Mark("data part read");
                lock (state)
                {
                    readers.Remove(reader);
                    bytesDone += reader.Bytes;
                    checksums[part.Table].Add(reader.Checksum);
                    files[part.Table][part.Index] = (part.File ?? "", reader.Checksum.Rows);
                    if (--partsLeft[part.Table] == 0) state.TablesDone++;
                }
                ReportProgress(false);
            }
        }

        var workers = snapshot.Sessions.Select(s => Task.Run(async () =>
        {
            try { await WorkAsync(s).ConfigureAwait(false); }
            catch
            {
                // One failed part ends the dump: the other sessions stop at once instead of reading on.
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The first real failure, not the cancellations it caused in the other sessions.
            var first = workers.Where(w => w.IsFaulted).SelectMany(w => w.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
            if (first != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw;
        }
        for (var i = 0; i < jobs.Count; i++)
        {
            stats.Add(new TableStat { Name = jobs[i].Table, Rows = checksums[i].Rows, ContentChecksum = MySqlChecksumForm.Of(checksums[i], jobs[i].Columns) });
        }
        ReportProgress(true);
        return new Result(stats, files.Select(f => f.ToList()).ToList(), snapshot.Consistency);
    }

    /// <summary>The parts to read: tables in <paramref name="keys"/> that are big enough in key ranges
    /// (bounds from the snapshot itself), every other table whole.</summary>
    private async Task<List<MySqlDataPart>> PlanAsync(MySqlSnapshot snapshot, ConnectionTarget target, IReadOnlyList<MySqlTableJob> jobs,
        IReadOnlyDictionary<string, long> sizes, Dictionary<string, string> keys, CancellationToken cancellationToken)
    {
        var parts = new List<MySqlDataPart>();
        var sessions = snapshot.Sessions.Count;
        for (var i = 0; i < jobs.Count; i++)
        {
            var job = jobs[i];
            var size = sizes.GetValueOrDefault(job.Table);
            if (sessions > 1 && keys.TryGetValue(job.Table, out var key))
            {
                var count = (int)Math.Clamp((size + SplitBytes - 1) / SplitBytes, sessions, 4L * sessions);
                var bounds = await BoundsAsync(snapshot, target, job, key, count, cancellationToken).ConfigureAwait(false);
                if (bounds.Count > 0)
                {
                    var column = MySqlSyntax.Identifier(key);
                    for (var k = 0; k <= bounds.Count; k++)
                    {
                        var range = k == 0 ? $"{column} < {bounds[0]}"
                            : k == bounds.Count ? $"{column} >= {bounds[k - 1]}"
                            : $"{column} >= {bounds[k - 1]} AND {column} < {bounds[k]}";
                        var file = job.File == null ? null : k == 0 ? job.File : job.File[..^4] + "." + (k + 1).ToString(CultureInfo.InvariantCulture) + ".tsv";
                        parts.Add(new MySqlDataPart(i, k, file, job.Where == null ? range : $"({job.Where}) AND {range}", size / (bounds.Count + 1)));
                    }
                    continue;
                }
            }
            parts.Add(new MySqlDataPart(i, 0, job.File, job.Where, size));
        }
        return parts;
    }

    /// <summary>count-1 evenly spaced inner bounds between the key's MIN and MAX in the snapshot (none
    /// when the table is empty or its key range is too narrow to split).</summary>
    private static async Task<List<string>> BoundsAsync(MySqlSnapshot snapshot, ConnectionTarget target, MySqlTableJob job, string key, int count, CancellationToken cancellationToken)
    {
        var column = MySqlSyntax.Identifier(key);
        var rows = await MySqlConnections.QueryAsync(snapshot.Sessions[0], target,
            $"SELECT CAST(MIN({column}) AS CHAR), CAST(MAX({column}) AS CHAR) FROM {MySqlSyntax.Qualified(target.Database, job.Table)}", cancellationToken).ConfigureAwait(false);
        if (rows.Count != 1 || rows[0][0] == "NULL") return [];
        var min = Int128.Parse(rows[0][0], CultureInfo.InvariantCulture);
        var max = Int128.Parse(rows[0][1], CultureInfo.InvariantCulture);
        var step = (max - min + 1) / count;
        if (step < 1) return [];
        return Enumerable.Range(1, count - 1).Select(k => (min + step * k).ToString(CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>Tables worth splitting (estimated size at least <see cref="SplitBytes"/>) that have a
    /// one-column integer primary key, with that column's name.</summary>
    private async Task<Dictionary<string, string>> SplitKeysAsync(ConnectionTarget target, IReadOnlyList<MySqlTableJob> jobs, IReadOnlyDictionary<string, long> sizes, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var big = jobs.Where(j => sizes.GetValueOrDefault(j.Table) >= SplitBytes).Select(j => j.Table).ToList();
        if (big.Count == 0) return result;
        var rows = await MySqlConnections.QueryAsync(target, null,
            "SELECT HEX(s.table_name), HEX(MIN(s.column_name)), MIN(c.data_type) FROM information_schema.statistics s JOIN information_schema.columns c " +
            "ON c.table_schema = s.table_schema AND c.table_name = s.table_name AND c.column_name = s.column_name " +
            $"WHERE s.table_schema = {MySqlSyntax.StringLiteral(target.Database)} AND s.index_name = 'PRIMARY' " +
            $"AND s.table_name IN ({string.Join(", ", big.Select(MySqlSyntax.StringLiteral))}) GROUP BY s.table_name HAVING COUNT(*) = 1",
            cancellationToken).ConfigureAwait(false);
        foreach (var r in rows)
            if (MySqlColumn.EncodingFor(r[2].ToLowerInvariant()) == MySqlValueEncoding.Integer)
                result[MySqlSyntax.FromHex(r[0])] = MySqlSyntax.FromHex(r[1]);
        return result;
    }
}
