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

    /// <summary>Smallest piece worth its own COPY, file and count(*), unless the caller's limit is smaller.</summary>
    private const long MinimumPieceBytes = 8L << 20;

    /// <summary>For each table, its block ranges, or null to copy it whole. With more than one job, the piece
    /// size is a quarter of each job's share of all the tables' bytes, at least 8 MB and at most
    /// <paramref name="splitBytes"/>: a table holding at least that is split into pieces of about that size
    /// (at least two), so the jobs stay evenly busy to the end. The sizes are read on the snapshot connection,
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
        var piece = Math.Min(splitBytes, Math.Max(MinimumPieceBytes, blocks.Sum() * blockSize / (4L * jobs)));
        for (var i = 0; i < tables.Count; i++)
        {
            var bytes = blocks[i] * blockSize;
            if (bytes < piece || blocks[i] < 2) continue;
            var pieces = (int)Math.Clamp((bytes + piece - 1) / piece, 2, Math.Min(MaximumPieces, blocks[i]));
            var list = new List<PostgreSqlBlockRange>(pieces);
            for (var p = 0; p < pieces; p++)
                list.Add(new PostgreSqlBlockRange(blocks[i] * p / pieces, p == pieces - 1 ? null : blocks[i] * (p + 1) / pieces));
            ranges[i] = list;
        }
        return ranges;
    }
}
