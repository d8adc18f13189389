using System.Collections.Concurrent;
using DbBackup.Engine.Artifacts;
using DbBackup.Model;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Table data: COPY out of the exported snapshot and COPY in, over parallel connections, a table
/// split into block ranges (<see cref="PostgreSqlTableSplit"/>) spreading over all of them.</summary>
public sealed partial class PostgreSqlProvider
{
    /// <summary>One COPY of a dump or restore: a whole table, or one piece of a split one.</summary>
    private readonly record struct DataPiece(int Table, int Piece, PostgreSqlBlockRange? Blocks);

    private static async Task<List<PostgreSqlTocTable>> DumpDataAsync(DumpRequest request, string snapshot, IReadOnlyList<PostgreSqlDumpTable> tables,
        IReadOnlyList<PostgreSqlBlockRange>?[] split, IPayloadSink sink, ProgressThrottle report, CancellationToken ct)
    {
        var files = tables.Select((_, i) => new (PostgreSqlTocPiece Piece, string Checksum)[split[i]?.Count ?? 1]).ToArray();
        var piecesLeft = files.Select(f => f.Length).ToArray();
        // Largest first (pieces of a split table are the largest), so the last to finish is small and the connections stay busy.
        var work = Enumerable.Range(0, tables.Count).SelectMany(i => split[i] is { } ranges
            ? ranges.Select((r, p) => new DataPiece(i, p, r))
            : [new DataPiece(i, 0, null)]);
        var queue = new ConcurrentQueue<DataPiece>(work);
        await RunWorkersAsync(Math.Min(Math.Max(1, request.Jobs), queue.Count), async token =>
        {
            await using var conn = await PostgreSqlConnector.OpenAsync(request.Source, token).ConfigureAwait(false);
            await ExecuteAsync(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT " + PostgreSqlSyntax.Literal(snapshot), token).ConfigureAwait(false);
            while (queue.TryDequeue(out var item))
            {
                var t = tables[item.Table];
                report.TableStarted(t.DisplayName);
                var file = item.Blocks == null ? $"data/{item.Table + 1:D4}.copy" : $"data/{item.Table + 1:D4}.{item.Piece + 1:D3}.copy";
                var checksum = new RowSetChecksum();
                long bytes;
                try
                {
                    await using var output = sink.Create(file);
                    bytes = await PostgreSqlCopy.CopyOutAsync(conn, PostgreSqlCopy.CopyOutSql(t.Schema, t.Name, t.Columns, request.DateColumn, request.Since, blocks: item.Blocks),
                        output, checksum, report.AddBytes, token).ConfigureAwait(false);
                }
                catch (PostgresException e)
                {
                    throw new DbBackupException(KindOf(e), "TableDumpFailed", $"Copying table {t.DisplayName} failed: {e.SqlState} {e.MessageText}", e) { TargetObject = t.DisplayName };
                }
                await PostgreSqlRowCount.CheckAsync(conn, t.Schema, t.Name, request.DateColumn, request.Since, checksum.Rows,
                    "its COPY in the same snapshot streamed", token, blocks: item.Blocks).ConfigureAwait(false);
                files[item.Table][item.Piece] = (new PostgreSqlTocPiece { File = file, Rows = checksum.Rows, Bytes = bytes }, checksum.Value);
                if (Interlocked.Decrement(ref piecesLeft[item.Table]) == 0) report.TableDone();
            }
            await ExecuteAsync(conn, "COMMIT", token).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        return tables.Select((t, i) => new PostgreSqlTocTable
        {
            Schema = t.Schema, Name = t.Name, Columns = [.. t.Columns],
            File = split[i] == null ? files[i][0].Piece.File : "",
            Pieces = split[i] == null ? null : files[i].Select(f => f.Piece).ToList(),
            LoadViaSchema = t.LoadVia?.Schema, LoadViaName = t.LoadVia?.Name,
            Rows = files[i].Sum(f => f.Piece.Rows), Bytes = files[i].Sum(f => f.Piece.Bytes),
            // RowSetChecksum is a sum, so the table's is the sum of its pieces'.
            ContentChecksum = files[i].Length == 1 ? files[i][0].Checksum : PostgreSqlLoadViaRoot.Sum(files[i].Select(f => f.Checksum)),
        }).ToList();
    }

    /// <summary>How many sessions load a restore's data: the jobs asked for, at most one per data file.</summary>
    private static int DataWorkers(RestoreRequest request, PostgreSqlToc toc)
        => Math.Min(Math.Max(1, request.Jobs), toc.Tables.Sum(t => t.DataFiles().Count));

    /// <remarks><paramref name="earlyBuilds"/>: a table's indexes and keys to build once its rows are in (the
    /// <c>pg_restore -l</c> lines <paramref name="build"/> runs), handed out one by one beside the other tables' data.</remarks>
    private static async Task RestoreDataAsync(RestoreRequest request, PostgreSqlToc toc, IPayloadSource source, ProgressThrottle report,
        Func<PostgreSqlTocTable, IReadOnlyList<(string Line, bool Shared)>> earlyBuilds, Func<NpgsqlConnection, string, CancellationToken, Task> build,
        Func<CancellationToken, Task<NpgsqlConnection>> openConnection, CancellationToken ct)
    {
        var piecesLeft = toc.Tables.Select(t => t.DataFiles().Count).ToArray();
        var inserted = new long[toc.Tables.Count];
        // The tables whose load is followed by the most index building first (rows to sort times indexes), so their
        // builds overlap the loading of the rest and what finishes last is light; among equals the larger first.
        var order = Enumerable.Range(0, toc.Tables.Count)
            .OrderByDescending(i => toc.Tables[i].Rows * earlyBuilds(toc.Tables[i]).Count).ThenByDescending(i => toc.Tables[i].Bytes);
        var queue = new PostgreSqlLoadQueue(piecesLeft, order);
        await RunWorkersAsync(DataWorkers(request, toc), async token =>
        {
            await using var conn = await openConnection(token).ConfigureAwait(false);
            // No wait for the WAL flush at each COPY's commit. A crash can only lose commits of the new database, which is
            // no restore's result yet: the restore ends with one synchronous commit (FlushWalAsync), and a WAL flush
            // covers all WAL before it, so by the time the restore can succeed these are durable.
            await ExecuteAsync(conn, "SET synchronous_commit TO off", token).ConfigureAwait(false);
            var tracked = await PostgreSqlInsertedRows.TrackedAsync(conn, token).ConfigureAwait(false);
            // Per table, whether it loads by COPY binary (PostgreSqlBinaryLoad): looked up once per connection.
            var binaryKinds = new Dictionary<int, PostgreSqlTextToBinary.Kind[]?>();
            // The builds' own session (their SQL changes session settings the loads do not want), opened at the first.
            await using var builds = new PostgreSqlLazyConnection(request.Target);
            while (await queue.TakeAsync(token).ConfigureAwait(false) is { } item)
            {
                if (item.Build is { } line)
                {
                    await build(await builds.OpenAsync(token).ConfigureAwait(false), line, token).ConfigureAwait(false);
                    queue.Done(item);
                    continue;
                }
                var t = toc.Tables[item.Table];
                var piece = t.DataFiles()[item.Piece];
                var display = t.Schema + "." + t.Name;
                // Rows loaded through a partition root land in its partitions: those are counted per root below.
                var counted = tracked && t.LoadViaName == null;
                report.TableStarted(display);
                DebugTimings.Mark("data file started: " + piece.File);
                if (!binaryKinds.TryGetValue(item.Table, out var binary))
                    binaryKinds[item.Table] = binary = await PostgreSqlBinaryLoad.KindsAsync(conn, t.LoadViaSchema ?? t.Schema, t.LoadViaName ?? t.Name, t.Columns, token).ConfigureAwait(false);
                long rows, before;
                while (true)
                {
                    await ExecuteAsync(conn, "BEGIN", token).ConfigureAwait(false);
                    before = counted ? await PostgreSqlInsertedRows.ReadAsync(conn, t.Schema, t.Name, token).ConfigureAwait(false) : 0;
                    try
                    {
                        rows = await LoadFileAsync(conn, t.LoadViaSchema ?? t.Schema, t.LoadViaName ?? t.Name, t.Columns, display, piece, source, report, token, binary).ConfigureAwait(false);
                        break;
                    }
                    catch (PostgreSqlBinaryNotProven e)
                    {
                        // A value the converter cannot prove it reads exactly: this piece loads again by COPY text, in a new transaction.
                        DebugTimings.Mark("binary load abandoned: " + e.Message);
                        await ExecuteAsync(conn, "ROLLBACK", token).ConfigureAwait(false);
                        binary = null;
                    }
                }
                if (counted)
                {
                    var server = await PostgreSqlInsertedRows.ReadAsync(conn, t.Schema, t.Name, token).ConfigureAwait(false) - before;
                    if (server != rows)
                        throw new DbBackupException(ErrorKind.InvalidData, "RowCountMismatch",
                            $"The server inserted {server} rows into {display} from {piece.File}, which holds {rows}.") { TargetObject = display };
                    Interlocked.Add(ref inserted[item.Table], server);
                }
                await ExecuteAsync(conn, "COMMIT", token).ConfigureAwait(false);
                DebugTimings.Mark("data file loaded: " + piece.File);
                if (rows != piece.Rows)
                    throw new DbBackupException(ErrorKind.InvalidData, "RowCountMismatch",
                        $"{piece.File} holds {rows} rows of {display}, but the backup recorded {piece.Rows}.") { TargetObject = display };
                // A failure ends every session, so only a success says Done. A table is checked once its last piece is in.
                if (Interlocked.Decrement(ref piecesLeft[item.Table]) != 0)
                {
                    queue.Done(item);
                    continue;
                }
                // Every COPY into the table went through the sum, so a file loaded twice or not at all shows here.
                if (counted && Interlocked.Read(ref inserted[item.Table]) != t.Rows)
                    throw new DbBackupException(ErrorKind.InvalidData, "RowCountMismatch",
                        $"The server inserted {Interlocked.Read(ref inserted[item.Table])} rows into {display} from its {t.DataFiles().Count} data files, but the backup recorded {t.Rows}.") { TargetObject = display };
                if (!tracked && t.LoadViaName == null)
                    await PostgreSqlRowCount.CheckAsync(conn, t.Schema, t.Name, null, null, t.Rows, "the backup recorded", token).ConfigureAwait(false);
                DebugTimings.Mark("table rows counted: " + piece.File);
                report.TableDone();
                queue.AddBuilds(item.Table, earlyBuilds(t));
                queue.Done(item);
            }
        }, ct).ConfigureAwait(false);
        var roots = PostgreSqlLoadViaRoot.Stats(toc.Tables).Where(s => toc.Tables.Any(t => t.LoadViaSchema == s.Schema && t.LoadViaName == s.Name)).ToList();
        if (roots.Count == 0) return;
        await using var check = await PostgreSqlConnector.OpenAsync(request.Target, ct).ConfigureAwait(false);
        foreach (var root in roots)
            await PostgreSqlRowCount.CheckAsync(check, root.Schema, root.Name, null, null, root.Rows, "the backup recorded for its partitions", ct, wholeTree: true).ConfigureAwait(false);
    }

    /// <summary>COPYs one data file into a table and returns the rows sent. The file is checked as it
    /// streams (no pre-pass re-hashes the payload), so a load error on a damaged file is reported as the damage.</summary>
    /// <remarks><paramref name="binary"/>: the column kinds when the table loads by COPY binary (<see cref="PostgreSqlBinaryLoad"/>).</remarks>
    private static async Task<long> LoadFileAsync(NpgsqlConnection conn, string schema, string name, IReadOnlyList<string> columns, string display,
        PostgreSqlTocPiece piece, IPayloadSource source, ProgressThrottle report, CancellationToken ct, PostgreSqlTextToBinary.Kind[]? binary = null)
    {
        await using var input = OpenPayload(source, piece.File);
        long sent = 0;
        void Sent(long bytes) { sent += bytes; report.AddBytes(bytes); }
        try
        {
            if (binary != null)
                return await PostgreSqlCopy.CopyInBinaryAsync(conn, PostgreSqlCopy.CopyInBinarySql(schema, name, columns), input,
                    new PostgreSqlTextToBinary(binary, piece.File), Sent, ct).ConfigureAwait(false);
            return await PostgreSqlCopy.CopyInAsync(conn, PostgreSqlCopy.CopyInSql(schema, name, columns), input, Sent, ct).ConfigureAwait(false);
        }
        catch (PostgreSqlBinaryNotProven)
        {
            // The piece loads again by COPY text, which counts its bytes anew: take back what this attempt counted.
            report.AddBytes(-sent);
            throw;
        }
        catch (DbBackupException e) when (e.ErrorId == "TableRestoreFailed")
        {
            // The conversion refused a row: a damaged file is reported as the damage.
            await CheckedPayloadStream.VerifyRestAsync(input, ct).ConfigureAwait(false);
            throw new DbBackupException(e.Kind, e.ErrorId, $"Loading table {display} failed: {e.Message}", e) { TargetObject = display };
        }
        catch (PostgresException e)
        {
            await CheckedPayloadStream.VerifyRestAsync(input, ct).ConfigureAwait(false);
            throw new DbBackupException(KindOf(e), "TableRestoreFailed", $"Loading table {display} from {piece.File} failed: {e.SqlState} {e.MessageText}", e) { TargetObject = display };
        }
    }
}
