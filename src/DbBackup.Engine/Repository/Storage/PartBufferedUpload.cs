namespace DbBackup.Engine.Repository.Storage;

/// <summary>The shape both object-store uploads share: bytes fill a fixed-size part buffer, each full
/// buffer is sent as one part (an Azure block, an S3 part) while the next fills, at most
/// <see cref="MaxPartsInFlight"/> at a time, and the commit waits for them, sends the last part and
/// makes the object visible. Memory stays at three parts whatever the object's size; each part is a
/// seekable buffer, so the SDK's retries can resend it.</summary>
public abstract class PartBufferedUpload : StoreUpload
{
    /// <summary>First part size: 8 MiB keeps memory small; past 1,000 parts each further part is larger
    /// (see <see cref="PartSizeFor"/>), within both stores' limits (S3: 10,000 parts; Azure: 50,000 blocks).</summary>
    public const int BasePartSize = 8 * 1024 * 1024;

    /// <summary>Parts being sent while the next one fills: two hide a round trip's latency without
    /// letting memory grow.</summary>
    public const int MaxPartsInFlight = 2;

    private readonly Queue<(Task Send, byte[] Buffer)> _inFlight = new();
    private byte[]? _spare;
    private byte[] _buffer = new byte[BasePartSize];
    private int _filled;
    private int _partNumber = 1;
    private bool _committed;
    private bool _disposed;

    /// <summary>The key the upload writes, for messages.</summary>
    protected abstract string Key { get; }

    /// <summary>Sends a full part (numbered from 1). Up to <see cref="MaxPartsInFlight"/> calls run at once;
    /// each is started from the writer, one after the other, in part order.</summary>
    protected abstract Task SendPartAsync(int partNumber, ArraySegment<byte> part, CancellationToken cancellationToken);

    /// <summary>Sends the last (possibly empty) part and makes the object visible. <paramref name="partNumber"/>
    /// is the last part's number; 1 means no part was sent before (a small object: one request).</summary>
    protected abstract Task CompleteAsync(int partNumber, ArraySegment<byte> lastPart, CancellationToken cancellationToken);

    /// <summary>A read-only stream over a part, which the SDK may rewind to retry.</summary>
    protected static MemoryStream PartStream(ArraySegment<byte> part) => new(part.Array!, part.Offset, part.Count, writable: false);

    /// <summary>Abandons what was sent (best effort: nothing was made visible anyway).</summary>
    protected abstract Task AbortAsync();

    /// <summary>The part size from part <paramref name="partNumber"/> on: 8 MiB, doubled after every
    /// 1,000 parts up to 128 MiB, so one payload file of up to 867 GiB fits in S3's 10,000 parts while a
    /// usual one never holds more than 8 MiB.</summary>
    public static int PartSizeFor(int partNumber) => BasePartSize << Math.Min(4, (partNumber - 1) / 1000);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
        => WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) throw new InvalidOperationException($"The upload of '{Key}' is already committed.");
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, _buffer.Length - _filled);
            buffer[..take].CopyTo(_buffer.AsMemory(_filled));
            _filled += take;
            buffer = buffer[take..];
            if (_filled == _buffer.Length)
            {
                _inFlight.Enqueue((SendPartAsync(_partNumber, new ArraySegment<byte>(_buffer, 0, _filled), cancellationToken), _buffer));
                _partNumber++;
                _filled = 0;
                if (_inFlight.Count >= MaxPartsInFlight)
                {
                    var (send, sent) = _inFlight.Dequeue();
                    await send.ConfigureAwait(false);
                    _spare = sent;
                }
                _buffer = _spare is { } spare && spare.Length == PartSizeFor(_partNumber) ? spare : new byte[PartSizeFor(_partNumber)];
                _spare = null;
            }
        }
    }

    /// <inheritdoc/>
    public override async Task CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) return;
        while (_inFlight.TryDequeue(out var part)) await part.Send.ConfigureAwait(false);
        await CompleteAsync(_partNumber, new ArraySegment<byte>(_buffer, 0, _filled), cancellationToken).ConfigureAwait(false);
        _committed = true;
    }

    /// <inheritdoc/>
    public override void Flush() { }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_committed)
        {
            while (_inFlight.TryDequeue(out var part))
            {
                try { await part.Send.ConfigureAwait(false); }
                catch (Exception) { /* abandoned anyway; the abort below is what matters */ }
            }
            try { await AbortAsync().ConfigureAwait(false); }
            catch (Exception) { /* best effort: an unfinished upload is invisible, and the store expires it */ }
        }
        _buffer = [];
        GC.SuppressFinalize(this);
    }
}
