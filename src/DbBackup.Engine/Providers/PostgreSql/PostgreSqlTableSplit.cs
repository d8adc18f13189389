using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Splits the largest tables of a dump into block ranges, so one big table keeps every dump job
/// (and, on restore, every load job) busy instead of bounding the wall time alone. Each piece is a COPY of
/// <c>WHERE ctid</c> in its range under the shared exported snapshot, so the pieces together are exactly the
/// table's rows in that snapshot; each piece's row count is checked with count(*) over the same range.</summary>
internal static class PostgreSqlTableSplit
{
    /// <summary>TID range scans (reading only a range's blocks) exist from PostgreSQL 14; on older servers a
    /// ctid condition reads the whole table per piece, which would make splitting slower, not faster.</summary>
    public const int MinimumServerMajor = 14;

    /// <summary>Pieces of one table at most: each is a file, a COPY and a count(*).</summary>
    private const int MaximumPieces = 64;

    /// <summary>For each table, its block ranges, or null to copy it whole. A table is split when it holds
    /// at least <paramref name="splitBytes"/> on disk and more than one job runs; its pieces hold about
    /// <paramref name="splitBytes"/> each (at least two pieces). The size is read on the snapshot connection,
    /// which already holds the tables' ACCESS SHARE locks, so it cannot wait behind another lock.</summary>
    public static async Task<IReadOnlyList<PostgreSqlBlockRange>?[]> PlanAsync(NpgsqlConnection snapshotConn, IReadOnlyList<PostgreSqlDumpTable> tables,
        int jobs, long splitBytes, CancellationToken ct)
    {
        var ranges = new IReadOnlyList<PostgreSqlBlockRange>?[tables.Count];
        if (jobs < 2 || tables.Count == 0 || snapshotConn.PostgreSqlVersion.Major < MinimumServerMajor) return ranges;
        var blockSize = 0L;
        var blocks = new long[tables.Count];
        await using (var cmd = new NpgsqlCommand(
            "SELECT current_setting('block_size')::bigint, array_agg(pg_relation_size(t::regclass, 'main') ORDER BY o) FROM unnest($1::text[]) WITH ORDINALITY u(t, o)", snapshotConn)
            { Parameters = { new() { Value = tables.Select(t => PostgreSqlSyntax.Qualified(t.Schema, t.Name)).ToArray() } } })
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await r.ReadAsync(ct).ConfigureAwait(false);
            blockSize = r.GetInt64(0);
            var sizes = r.GetFieldValue<long[]>(1);
            for (var i = 0; i < tables.Count; i++) blocks[i] = sizes[i] / blockSize;
        }
        for (var i = 0; i < tables.Count; i++)
        {
            var bytes = blocks[i] * blockSize;
            if (bytes < splitBytes) continue;
            var pieces = (int)Math.Clamp((bytes + splitBytes - 1) / splitBytes, 2, MaximumPieces);
            var list = new List<PostgreSqlBlockRange>(pieces);
            for (var p = 0; p < pieces; p++)
                list.Add(new PostgreSqlBlockRange(blocks[i] * p / pieces, p == pieces - 1 ? null : blocks[i] * (p + 1) / pieces));
            ranges[i] = list;
        }
        return ranges;
    }
}
