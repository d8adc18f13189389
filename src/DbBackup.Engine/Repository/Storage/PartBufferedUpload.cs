namespace DbBackup.Engine.Repository.Storage;

/// <summary>The shape both object-store uploads share: bytes fill a fixed-size part buffer, each full
/// buffer is sent as one part (an Azure block, an S3 part) while the next fills, at most
/// <see cref="MaxPartsInFlight"/> at a time, and the commit waits for them, sends the last part and
/// makes the object visible. Memory stays at three parts whatever the object's size; each part is a
/// seekable buffer, so the SDK's retries can resend it. Part buffers come from one budget shared by every
/// upload of the process (<see cref="UploadBufferBudget"/>), which bounds the sum over all uploads open
/// at once: a new part to fill waits while the budget is spent and parts are being sent.</summary>
public abstract class PartBufferedUpload : StoreUpload
{
    /// <summary>First part size: 8 MiB keeps memory small; past 1,000 parts each further part is larger
    /// (see <see cref="PartSizeFor"/>), within both stores' limits (S3: 10,000 parts; Azure: 50,000 blocks).</summary>
    public const int BasePartSize = 8 * 1024 * 1024;

    /// <summary>Azure's first block size: 4 MiB, the Azure SDK's own block size for uploads (S3 cannot go
    /// below 5 MiB a part). Half the memory per upload: a backup with two jobs holds two uploads, and this
    /// took the 700 MB benchmark's worker from 203 to 192 MB (MiB) of peak RSS on Azurite.</summary>
    public const int AzureFirstBlockSize = 4 * 1024 * 1024;

    /// <summary>Parts being sent while the next one fills: two hide a round trip's latency without
    /// letting memory grow.</summary>
    public const int MaxPartsInFlight = 2;

    private readonly UploadBufferBudget _buffers;
    private readonly Queue<Task> _inFlight = new();
    private byte[] _buffer = [];
    private int _partSize;
    private int _filled;
    private int _partNumber = 1;
    private bool _committed;
    private bool _disposed;

    /// <summary>An upload whose part buffers come from <see cref="UploadBufferBudget.Shared"/>.</summary>
    protected PartBufferedUpload() : this(UploadBufferBudget.Shared) { }

    /// <summary>An upload whose part buffers come from <paramref name="buffers"/> (tests give a small budget).</summary>
    protected PartBufferedUpload(UploadBufferBudget buffers) => _buffers = buffers;

    /// <summary>The size of the first part (later ones grow, see <see cref="PartSizeFor"/>).</summary>
    protected virtual int FirstPartSize => BasePartSize;

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

    /// <summary>The part size from part <paramref name="partNumber"/> on: <paramref name="firstPartSize"/>
    /// (8 MiB), doubled after every 1,000 parts up to 16 times that, so one payload file of up to 867 GiB
    /// fits in S3's 10,000 parts while a usual one never holds more than 8 MiB.</summary>
    public static int PartSizeFor(int partNumber, int firstPartSize = BasePartSize) => firstPartSize << Math.Min(4, (partNumber - 1) / 1000);

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
            if (_buffer.Length == 0)
            {
                _partSize = PartSizeFor(_partNumber, FirstPartSize);
                _buffer = await _buffers.RentAsync(_partSize, cancellationToken).ConfigureAwait(false);
            }
            var take = Math.Min(buffer.Length, _partSize - _filled);
            buffer[..take].CopyTo(_buffer.AsMemory(_filled));
            _filled += take;
            buffer = buffer[take..];
            if (_filled == _partSize)
            {
                _inFlight.Enqueue(SendAndReturnAsync(_partNumber, _buffer, _partSize, cancellationToken));
                _partNumber++;
                _filled = 0;
                _buffer = [];
                if (_inFlight.Count >= MaxPartsInFlight) await _inFlight.Dequeue().ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public override async Task CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) return;
        while (_inFlight.TryDequeue(out var send)) await send.ConfigureAwait(false);
        await CompleteAsync(_partNumber, new ArraySegment<byte>(_buffer, 0, _filled), cancellationToken).ConfigureAwait(false);
        _committed = true;
    }

    /// <summary>Sends a full part and gives its buffer back to the budget as soon as the send has ended
    /// (the SDK may read it until then), not when the writer next looks, so other uploads waiting for
    /// budget go on even while this upload's writer is busy elsewhere.</summary>
    private async Task SendAndReturnAsync(int partNumber, byte[] buffer, int size, CancellationToken cancellationToken)
    {
        _buffers.Sending(size);
        try { await SendPartAsync(partNumber, new ArraySegment<byte>(buffer, 0, size), cancellationToken).ConfigureAwait(false); }
        finally { _buffers.Return(buffer, size, wasSending: true); }
        Operations.WorkerPausePoints.At("upload:part-sent");
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
        // The abort must follow every send (a part sent after it would start the upload again).
        while (_inFlight.TryDequeue(out var send))
        {
            try { await send.ConfigureAwait(false); }
            catch (Exception) { /* abandoned anyway; the abort below is what matters */ }
        }
        if (!_committed)
        {
            try { await AbortAsync().ConfigureAwait(false); }
            catch (Exception) { /* best effort: an unfinished upload is invisible, and the store expires it */ }
        }
        if (_buffer.Length > 0) _buffers.Return(_buffer, _partSize, wasSending: false);
        _buffer = [];
        GC.SuppressFinalize(this);
    }
}
