using System.Security.Cryptography;

namespace DbBackup.Engine.Artifacts;

/// <summary>A pass-through stream that hashes (SHA-256) and counts every byte written to or read
/// from the inner stream. Used so the checksum is of exactly the bytes that land on disk.</summary>
public sealed class HashingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private string? _final;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public HashingStream(Stream inner, bool leaveOpen = false)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes passed through.</summary>
    public long BytesProcessed { get; private set; }

    /// <summary>Lower-case hex SHA-256 of the bytes so far; after the first call no more bytes may pass.</summary>
    public string Sha256Hex => _final ??= Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <inheritdoc/>
    public override bool CanRead => _inner.CanRead;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override bool CanWrite => _inner.CanWrite;
    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Position { get => BytesProcessed; set => throw new NotSupportedException(); }
    /// <inheritdoc/>
    public override void Flush() => _inner.Flush();
    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Append(buffer[..n]);
        return n;
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Append(buffer.Span[..n]);
        return n;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Append(buffer);
        _inner.Write(buffer);
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Append(buffer.Span);
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        if (_final != null) throw new InvalidOperationException("The hash was already read.");
        _hash.AppendData(data);
        BytesProcessed += data.Length;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_leaveOpen) _inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
