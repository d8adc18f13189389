namespace DbBackup.Engine.Artifacts;

/// <summary>A write stream compressing into <c>stored</c> (left open) with libzstd at the given level, one
/// frame per stream as ZstdSharp's CompressionStream writes it (no content checksum: the payload has its
/// SHA-256). Disposing it ends the frame. Memory: a 128 KiB output buffer and the library's context.</summary>
internal sealed class NativeZstdEncoder(Stream stored, int level) : WriteOnlyStream
{
    private const int Continue = 0, FlushBlock = 1, EndFrame = 2;

    private readonly NativeZstdContext _context = NativeZstdContext.ForCompression(level);
    private readonly byte[] _output = new byte[1 << 17];
    private bool _ended;

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        for (var used = 0; used < buffer.Length;)
        {
            var (consumed, produced, _) = Compress(buffer[used..], Continue);
            used += consumed;
            if (produced > 0) stored.Write(_output, 0, produced);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        for (var used = 0; used < buffer.Length;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (consumed, produced, _) = Compress(buffer.Span[used..], Continue);
            used += consumed;
            if (produced > 0) await stored.WriteAsync(_output.AsMemory(0, produced), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Flush()
    {
        Drain(FlushBlock);
        stored.Flush();
    }

    /// <inheritdoc/>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(FlushBlock, cancellationToken).ConfigureAwait(false);
        await stored.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Drain(int operation)
    {
        while (true)
        {
            var (_, produced, remaining) = Compress([], operation);
            if (produced > 0) stored.Write(_output, 0, produced);
            if (remaining == 0) return;
        }
    }

    private async Task DrainAsync(int operation, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (_, produced, remaining) = Compress([], operation);
            if (produced > 0) await stored.WriteAsync(_output.AsMemory(0, produced), cancellationToken).ConfigureAwait(false);
            if (remaining == 0) return;
        }
    }

    private unsafe (int Consumed, int Produced, nuint Remaining) Compress(ReadOnlySpan<byte> input, int operation)
    {
        fixed (byte* i = input)
        fixed (byte* o = _output)
        {
            var inBuffer = new ZstdBuffer { Data = i, Size = (nuint)input.Length };
            var outBuffer = new ZstdBuffer { Data = o, Size = (nuint)_output.Length };
            var added = false;
            _context.DangerousAddRef(ref added);
            try
            {
                var remaining = NativeZstd.Check(NativeZstd.CompressStream2(_context.DangerousGetHandle(), &outBuffer, &inBuffer, operation), "compression");
                return ((int)inBuffer.Position, (int)outBuffer.Position, remaining);
            }
            finally { if (added) _context.DangerousRelease(); }
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_ended)
        {
            _ended = true;
            try { Drain(EndFrame); }
            finally { _context.Dispose(); }
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (!_ended)
        {
            _ended = true;
            try { await DrainAsync(EndFrame, CancellationToken.None).ConfigureAwait(false); }
            finally { _context.Dispose(); }
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
