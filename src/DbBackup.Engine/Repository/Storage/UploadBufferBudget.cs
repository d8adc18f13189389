using System.Buffers;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>The part buffers of every object-store upload of the process, from one pool and under one
/// byte budget. Each upload holds one buffer it fills and up to <see cref="PartBufferedUpload.MaxPartsInFlight"/>
/// being sent; without a bound, every upload open at once (one payload file per job, and more around a
/// split table) held three parts: 48 MiB of S3 parts with <c>--jobs 2</c>, which took the worker backing up the
/// 700 MB benchmark database to s3rver to 225 MB of peak RSS. Here a buffer to fill is handed out only
/// while the buffers in use stay within <see cref="Limit"/>; otherwise the upload waits until a part
/// being sent somewhere comes back. A buffer is never refused while no part is being sent: then every
/// buffer in use is one an upload is filling, none will come back by waiting, and each open upload
/// must be able to go on (so nothing deadlocks). Hence in use ≤ max(<see cref="Limit"/>, open uploads ×
/// part size). A part's buffer comes back when its send ends, whether it succeeded, failed or was
/// cancelled, without waiting for the writer.</summary>
public sealed class UploadBufferBudget
{
    /// <summary>24 MiB: three S3 parts (8 MiB, S3's minimum is 5 MiB) or six Azure blocks (4 MiB) in use
    /// at once across all uploads, whatever <c>--jobs</c> is: with two jobs each fills one part while a
    /// third is sent (on Azure, two each in flight, as before the budget).</summary>
    public const long DefaultLimit = 24L * 1024 * 1024;

    /// <summary>The budget of every upload in the process.</summary>
    public static UploadBufferBudget Shared { get; } = new(DefaultLimit);

    /// <summary>Returned buffers stay pooled (up to 8 per size: 64 MiB at 8 MiB, never more than were in use
    /// at once): a backup writes one upload per payload file (dozens for a split table), and fresh 8 MiB
    /// arrays for each would pile up on the large-object heap until a full collection (the worker backing up
    /// the 700 MB benchmark database to Azurite peaked at 300 MB of RSS before the pool, 203 MB with it).</summary>
    private readonly ArrayPool<byte> _pool = ArrayPool<byte>.Create(PartBufferedUpload.BasePartSize << 4, 8);
    private readonly Lock _lock = new();
    private TaskCompletionSource _returned = NewSignal();
    private long _inUse;
    private long _sending;
    private long _highWaterMark;

    /// <summary>A budget of <paramref name="limit"/> bytes (tests make small ones).</summary>
    public UploadBufferBudget(long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    /// <summary>Bytes of part buffers the uploads may hold at once; more only while no part is being sent,
    /// one buffer per open upload (see the class).</summary>
    public long Limit { get; }

    /// <summary>Bytes of part buffers handed out and not yet returned.</summary>
    public long InUse
    {
        get { lock (_lock) return _inUse; }
    }

    /// <summary>The most <see cref="InUse"/> has ever been.</summary>
    public long HighWaterMark
    {
        get { lock (_lock) return _highWaterMark; }
    }

    /// <summary>A buffer of at least <paramref name="size"/> bytes to fill, counted as <paramref name="size"/>;
    /// waits while that would take the buffers in use past <see cref="Limit"/> and a part is being sent.</summary>
    public async ValueTask<byte[]> RentAsync(int size, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task returned;
            lock (_lock)
            {
                if (_inUse + size <= Limit || _sending == 0)
                {
                    _inUse += size;
                    _highWaterMark = Math.Max(_highWaterMark, _inUse);
                    return _pool.Rent(size);
                }
                returned = _returned.Task;
            }
            await returned.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The buffer (of <paramref name="size"/> counted bytes) is now being sent: it will come back by itself.</summary>
    public void Sending(int size)
    {
        lock (_lock) _sending += size;
    }

    /// <summary>Takes a buffer back (once nothing reads it any more: its send has ended).</summary>
    public void Return(byte[] buffer, int size, bool wasSending)
    {
        _pool.Return(buffer);
        TaskCompletionSource returned;
        lock (_lock)
        {
            _inUse -= size;
            if (wasSending) _sending -= size;
            returned = _returned;
            _returned = NewSignal();
        }
        returned.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
