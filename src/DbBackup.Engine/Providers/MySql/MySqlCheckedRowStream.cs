namespace DbBackup.Engine.Providers.MySql;

/// <summary>The rows of a data file as a read-only stream for LOAD DATA LOCAL INFILE, each line checked
/// before the server sees it: the field count and every value's form (see
/// <see cref="MySqlRowCodec.CheckLine"/>), and a last line that ends. Nothing from the file reaches the
/// server unchecked. The failure is kept in <see cref="Failure"/>, because the driver wraps what the
/// stream throws.</summary>
internal sealed class MySqlCheckedRowStream(Stream file, MySqlTocTable table) : Artifacts.ReadOnlyStream
{
    private readonly MySqlLineReader _reader = new(file);
    private ReadOnlyMemory<byte> _carry;
    private bool _carryNewline;

    /// <summary>Rows handed to the server.</summary>
    public long Rows { get; private set; }

    /// <summary>File bytes read.</summary>
    public long BytesRead => _reader.BytesRead;

    /// <summary>Why the stream stopped, when a line failed its check.</summary>
    public DbBackupException? Failure { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (_carry.IsEmpty && !_carryNewline)
            {
                if (await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is not { } line) break;
                try
                {
                    if (!_reader.LastLineTerminated)
                        throw new DbBackupException(ErrorKind.InvalidData, "MySqlCorruptDataFile", $"The data file of table '{table.Name}' ends in the middle of a row.");
                    MySqlRowCodec.CheckLine(line.Span, table.Columns, table.Name, Rows + 1);
                }
                catch (DbBackupException e)
                {
                    Failure = e;
                    throw;
                }
                Rows++;
                _carry = line;
                _carryNewline = true;
            }
            var n = Math.Min(_carry.Length, buffer.Length - written);
            _carry[..n].CopyTo(buffer[written..]);
            _carry = _carry[n..];
            written += n;
            if (_carry.IsEmpty && _carryNewline && written < buffer.Length)
            {
                buffer.Span[written++] = (byte)'\n';
                _carryNewline = false;
            }
        }
        return written;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    protected override void Dispose(bool disposing)
    {
        if (disposing) file.Dispose();
        base.Dispose(disposing);
    }
}
