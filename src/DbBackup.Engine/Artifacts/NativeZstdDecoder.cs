namespace DbBackup.Engine.Artifacts;

/// <summary>A read stream decompressing zstd frames from <c>stored</c> (which it disposes) with libzstd.
/// Like ZstdSharp's decoder with checkEndOfStream: concatenated frames read as one stream, a damaged frame
/// throws InvalidDataException, and a file ending inside a frame throws EndOfStreamException. Memory is the
/// 128 KiB input buffer and the library's window (≤ 8 MiB at the levels DbBackup writes).</summary>
internal sealed class NativeZstdDecoder(Stream stored) : ReadOnlyStream
{
    private readonly NativeZstdContext _context = NativeZstdContext.ForDecompression();
    private readonly byte[] _input = new byte[1 << 17];
    private int _inputLength;
    private int _inputPosition;
    private bool _storedEnded;
    private bool _frameOpen;

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            if (_inputPosition == _inputLength && !_storedEnded) Refilled(stored.Read(_input));
            if (AtEnd()) return 0;
            if (Decompress(buffer) is var produced and > 0) return produced;
            ThrowIfTruncated();
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_inputPosition == _inputLength && !_storedEnded) Refilled(await stored.ReadAsync(_input, cancellationToken).ConfigureAwait(false));
            if (AtEnd()) return 0;
            if (Decompress(buffer.Span) is var produced and > 0) return produced;
            ThrowIfTruncated();
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Refilled(int read)
    {
        _inputLength = read;
        _inputPosition = 0;
        _storedEnded = read == 0;
    }

    /// <summary>True when the stored bytes are used up between frames. (Asking libzstd then would start a
    /// next frame and report it open.)</summary>
    private bool AtEnd() => _storedEnded && _inputPosition == _inputLength && !_frameOpen;

    /// <summary>After a call that gave nothing: with the stored bytes used up, a frame still open is a truncated file.</summary>
    private void ThrowIfTruncated()
    {
        if (_storedEnded && _inputPosition == _inputLength && _frameOpen)
            throw new EndOfStreamException("The zstd payload ends inside a frame: the file is truncated.");
    }

    private unsafe int Decompress(Span<byte> output)
    {
        fixed (byte* o = output)
        fixed (byte* i = _input)
        {
            var outBuffer = new ZstdBuffer { Data = o, Size = (nuint)output.Length };
            var inBuffer = new ZstdBuffer { Data = i, Size = (nuint)_inputLength, Position = (nuint)_inputPosition };
            var added = false;
            _context.DangerousAddRef(ref added);
            try
            {
                // 0 means a frame was completed and fully flushed; a following frame starts on the next call.
                _frameOpen = NativeZstd.Check(NativeZstd.DecompressStream(_context.DangerousGetHandle(), &outBuffer, &inBuffer), "decompression") != 0;
            }
            finally { if (added) _context.DangerousRelease(); }
            _inputPosition = (int)inBuffer.Position;
            return (int)outBuffer.Position;
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _context.Dispose();
            stored.Dispose();
        }
        base.Dispose(disposing);
    }
}
