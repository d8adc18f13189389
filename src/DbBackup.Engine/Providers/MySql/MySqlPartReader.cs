using DbBackup.Engine.Artifacts;
using MySqlConnector;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Reads one <see cref="MySqlDataPart"/> on a snapshot session into its data file: each row as
/// the canonical data-file line (see <see cref="MySqlValueEncoding"/>), checksummed, and the row count
/// checked against COUNT(*) in the same snapshot, an independent check that the streamed rows are all
/// the rows (a check computed from the stream alone cannot see rows lost on the way).</summary>
internal sealed class MySqlPartReader
{
    private byte[] _value = new byte[1 << 12];
    private byte[] _line = new byte[1 << 16];
    private readonly byte[] _pending = new byte[1 << 16];
    private int _pendingLength;

    /// <summary>Rows and checksum of the part.</summary>
    public RowSetChecksum Checksum { get; } = new();

    /// <summary>Canonical bytes read so far (progress).</summary>
    public long Bytes { get; private set; }

    /// <summary>Reads the part; <paramref name="file"/> is null when only the checksum is wanted.</summary>
    public async Task ReadAsync(MySqlConnection session, ConnectionTarget target, MySqlTableJob job, string? where, Stream? file, CancellationToken cancellationToken)
    {
        var from = MySqlSyntax.Qualified(target.Database, job.Table) + (where == null ? "" : " WHERE " + where);
        try
        {
            long expected;
            await using (var count = new MySqlCommand("SELECT COUNT(*) FROM " + from, session))
                expected = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            var columns = job.Columns;
            await using var command = new MySqlCommand("SELECT " + string.Join(", ", columns.Select(MySqlRowCodec.DriverSelectExpression)) + " FROM " + from, session);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var length = 0;
                for (var i = 0; i < columns.Count; i++)
                {
                    if (i > 0) Append(ref length, (byte)'\t');
                    if (reader.IsDBNull(i))
                    {
                        Append(ref length, (byte)'\\');
                        Append(ref length, (byte)'N');
                        continue;
                    }
                    var size = (int)reader.GetBytes(i, 0, null, 0, 0);
                    if (size > _value.Length) _value = new byte[Math.Max(size, _value.Length * 2)];
                    reader.GetBytes(i, 0, _value, 0, size);
                    var value = _value.AsSpan(0, size);
                    var start = length;
                    switch (columns[i].Encoding)
                    {
                        case MySqlValueEncoding.Escaped:
                            // Made here from any bytes, so always well formed: no check needed.
                            Reserve(length, size * 2);
                            length += MySqlRowCodec.Escape(value, _line.AsSpan(length));
                            continue;
                        case MySqlValueEncoding.Hex:
                            // Only a checksum of an older backup's form (see MySqlChecksumForm) reads hex now.
                            Reserve(length, size * 2);
                            Convert.TryToHexString(value, _line.AsSpan(length), out var written);
                            length += written;
                            break;
                        default:
                            Reserve(length, size);
                            value.CopyTo(_line.AsSpan(length));
                            length += size;
                            break;
                    }
                    if (!MySqlRowCodec.IsValid(_line.AsSpan(start, length - start), columns[i].Encoding))
                        throw new DbBackupException(ErrorKind.InvalidData, "MySqlUnexpectedRow", $"Reading table '{job.Table}': column '{columns[i].Name}' gave an unexpected form.");
                }
                Checksum.AddRow(_line.AsSpan(0, length));
                Bytes += length + 1;
                if (file != null)
                {
                    Append(ref length, (byte)'\n');
                    await WriteAsync(file, length, cancellationToken).ConfigureAwait(false);
                }
            }
            if (file != null && _pendingLength > 0) await file.WriteAsync(_pending.AsMemory(0, _pendingLength), cancellationToken).ConfigureAwait(false);
            _pendingLength = 0;
            if (Checksum.Rows != expected)
                throw new DbBackupException(ErrorKind.InvalidData, "MySqlRowCountMismatch",
                    $"Table '{job.Table}' of '{target.Database}' has {expected} rows in the snapshot (COUNT(*)) but {Checksum.Rows} were read; the backup is not complete.")
                { TargetObject = job.Table };
        }
        catch (Exception e) when (MySqlErrors.FromDriver(target, e) is { } mapped) { throw mapped; }
    }

    private void Reserve(int length, int extra)
    {
        if (length + extra + 1 > _line.Length) Array.Resize(ref _line, Math.Max(length + extra + 1, _line.Length * 2));
    }

    private void Append(ref int length, byte b)
    {
        Reserve(length, 1);
        _line[length++] = b;
    }

    /// <summary>Gathers rows into one buffer per write: a write per row (millions of ~100-byte rows)
    /// made the compressor and checksum stream the cost, not the data.</summary>
    private async ValueTask WriteAsync(Stream file, int length, CancellationToken cancellationToken)
    {
        if (_pendingLength + length > _pending.Length)
        {
            await file.WriteAsync(_pending.AsMemory(0, _pendingLength), cancellationToken).ConfigureAwait(false);
            _pendingLength = 0;
        }
        if (length > _pending.Length)
        {
            await file.WriteAsync(_line.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            return;
        }
        _line.AsSpan(0, length).CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += length;
    }
}
