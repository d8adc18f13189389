namespace DbBackup.Engine.Providers.MySql;

/// <summary>Reads newline-terminated lines from a byte stream without decoding them. Memory is the
/// read buffer plus the longest line (one row), never the whole stream.</summary>
internal sealed class MySqlLineReader
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>Wraps <paramref name="stream"/>.</summary>
    public MySqlLineReader(Stream stream) => _stream = stream;

    /// <summary>Bytes consumed so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>The next line without its '\n' (valid until the next call), or null at the end. A
    /// final line without '\n' is returned too; <see cref="LastLineTerminated"/> then is false.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanFrom = _start;
        while (true)
        {
            var nl = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
            if (nl >= 0)
            {
                var line = new ReadOnlyMemory<byte>(_buffer, _start, nl - _start);
                _start = nl + 1;
                LastLineTerminated = true;
                return line;
            }
            if (_eof)
            {
                if (_start == _end) return null;
                var tail = new ReadOnlyMemory<byte>(_buffer, _start, _end - _start);
                _start = _end;
                LastLineTerminated = false;
                return tail;
            }
            scanFrom = _end;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                scanFrom -= _start;
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0) _eof = true;
            _end += n;
            BytesRead += n;
        }
    }

    /// <summary>False when the last line returned had no terminating newline.</summary>
    public bool LastLineTerminated { get; private set; } = true;
}
