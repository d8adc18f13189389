using System.Buffers;
using DbBackup.Engine.Artifacts;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Streams COPY text data between the server and a stream in fixed-size chunks, byte for byte.
/// Npgsql's text COPY API hands out a StreamReader/StreamWriter; we use its underlying raw COPY stream
/// so no bytes are decoded and re-encoded (a SQL_ASCII database may hold bytes that are not UTF-8).</summary>
internal static class PostgreSqlCopy
{
    private const int ChunkSize = 128 * 1024;

    /// <summary>COPY (SELECT cols FROM ONLY table [WHERE dateColumn &gt;= since] [AND ctid in blocks]) TO STDOUT, text format.</summary>
    public static string CopyOutSql(string schema, string name, IReadOnlyList<string> columns, string? dateColumn, DateTimeOffset? since,
        bool wholeTree = false, PostgreSqlBlockRange? blocks = null)
    {
        // ONLY: an inheritance parent's own rows; its children are tables of their own, dumped once each.
        // wholeTree: a partitioned table's rows, which are all in its partitions (verify of rows loaded through a root).
        var select = "SELECT " + string.Join(", ", columns.Select(PostgreSqlSyntax.Identifier)) + (wholeTree ? " FROM " : " FROM ONLY ") + PostgreSqlSyntax.Qualified(schema, name);
        if (since is { } s && dateColumn != null)
            select += " WHERE " + PostgreSqlSyntax.Identifier(dateColumn) + " >= " + PostgreSqlSyntax.TimestampTz(s);
        if (blocks is { } b)
            select += (since != null && dateColumn != null ? " AND " : " WHERE ") + b.Condition;
        return "COPY (" + select + ") TO STDOUT";
    }

    /// <summary>COPY table (cols) FROM STDIN, text format. A table with no copyable columns takes rows of nothing.</summary>
    public static string CopyInSql(string schema, string name, IReadOnlyList<string> columns)
        => "COPY " + PostgreSqlSyntax.Qualified(schema, name)
           + (columns.Count == 0 ? "" : " (" + string.Join(", ", columns.Select(PostgreSqlSyntax.Identifier)) + ")")
           + " FROM STDIN";

    /// <summary>Runs a COPY … TO STDOUT, writing the bytes to <paramref name="destination"/> (when given)
    /// and every row to <paramref name="checksum"/>. Returns the bytes copied.</summary>
    public static async Task<long> CopyOutAsync(NpgsqlConnection conn, string sql, Stream? destination, RowSetChecksum checksum,
        Action<long> onBytes, CancellationToken ct)
    {
        using var reader = await conn.BeginTextExportAsync(sql, ct).ConfigureAwait(false);
        var raw = RawStream(reader);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var carry = new List<byte>();
        long total = 0;
        try
        {
            int n;
            while ((n = await raw.ReadAsync(buffer.AsMemory(0, ChunkSize), ct).ConfigureAwait(false)) > 0)
            {
                if (destination != null) await destination.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                checksum.AddLines(buffer.AsSpan(0, n), carry);
                total += n;
                onBytes(n);
            }
            checksum.Flush(carry);
            return total;
        }
        catch
        {
            // Without this, disposing the reader would read the rest of the table to reach the end of the COPY.
            TryCancel(raw);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Runs a COPY … FROM STDIN fed from <paramref name="source"/>. Returns the rows sent
    /// (newlines: COPY text escapes newlines inside values, so each line is a row).</summary>
    public static async Task<long> CopyInAsync(NpgsqlConnection conn, string sql, Stream source, Action<long> onBytes, CancellationToken ct)
    {
        var writer = await conn.BeginTextImportAsync(sql, ct).ConfigureAwait(false);
        var raw = RawStream(writer);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        long rows = 0;
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer.AsMemory(0, ChunkSize), ct).ConfigureAwait(false)) > 0)
            {
                rows += buffer.AsSpan(0, n).Count((byte)'\n');
                await raw.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                onBytes(n);
            }
            // Ends the COPY; the server's verdict on the data (bad value, constraint) arrives here.
            await writer.DisposeAsync().ConfigureAwait(false);
            return rows;
        }
        catch
        {
            TryCancel(raw);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>COPY table (cols) FROM STDIN in binary format (rows converted by <see cref="PostgreSqlTextToBinary"/>).</summary>
    public static string CopyInBinarySql(string schema, string name, IReadOnlyList<string> columns)
        => CopyInSql(schema, name, columns) + " (FORMAT binary)";

    /// <summary>Runs a COPY … FROM STDIN (FORMAT binary) fed with <paramref name="source"/>'s COPY text rows, converted
    /// by <paramref name="converter"/>. Returns the rows sent.</summary>
    public static async Task<long> CopyInBinaryAsync(NpgsqlConnection conn, string sql, Stream source, PostgreSqlTextToBinary converter,
        Action<long> onBytes, CancellationToken ct)
    {
        var raw = await conn.BeginRawBinaryCopyAsync(sql, ct).ConfigureAwait(false);
        var input = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var output = new ArrayBufferWriter<byte>(2 * ChunkSize);
        var filled = 0;
        try
        {
            output.Write(PostgreSqlTextToBinary.Header);
            int n;
            while ((n = await source.ReadAsync(input.AsMemory(filled), ct).ConfigureAwait(false)) > 0)
            {
                filled += n;
                onBytes(n);
                var used = converter.Convert(input.AsSpan(0, filled), output);
                input.AsSpan(used, filled - used).CopyTo(input);
                filled -= used;
                // A row longer than the buffer (a large bytea value): make room for the rest of it.
                if (filled == input.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(2 * input.Length);
                    input.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(input);
                    input = larger;
                }
                if (output.WrittenCount < ChunkSize) continue;
                await raw.WriteAsync(output.WrittenMemory, ct).ConfigureAwait(false);
                output.ResetWrittenCount();
            }
            converter.Finish(input.AsSpan(0, filled));
            output.Write(PostgreSqlTextToBinary.Trailer);
            await raw.WriteAsync(output.WrittenMemory, ct).ConfigureAwait(false);
            // Ends the COPY; the server's verdict on the data arrives here.
            await raw.DisposeAsync().ConfigureAwait(false);
            return converter.Rows;
        }
        catch
        {
            TryCancel(raw);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private static Stream RawStream(TextReader reader) => (reader as StreamReader)?.BaseStream
        ?? throw new InvalidOperationException("Npgsql's text COPY reader no longer exposes its raw stream.");

    private static Stream RawStream(TextWriter writer) => (writer as StreamWriter)?.BaseStream
        ?? throw new InvalidOperationException("Npgsql's text COPY writer no longer exposes its raw stream.");

    private static void TryCancel(Stream raw)
    {
        try { (raw as NpgsqlRawCopyStream)?.Cancel(); }
        catch (Exception) { /* the connection is discarded by the caller anyway */ }
    }
}
