using System.Security.Cryptography;

namespace DbBackup.Engine.Artifacts;

/// <summary>Encrypts a payload file in chunks (see <see cref="EncryptionDataKey"/>). A full chunk is
/// sealed only once more bytes follow it, so the chunk sealed as final on dispose holds 1 to ChunkSize
/// bytes (0 only for an empty file): the reader's rule. Memory: two chunk buffers, whatever the size.</summary>
internal sealed class EncryptionWriteStream : WriteOnlyStream
{
    private readonly Stream _stored;
    private readonly AesGcm _aes;
    private readonly byte[] _plain = new byte[EncryptionDataKey.ChunkSize];
    private readonly byte[] _sealed = new byte[EncryptionDataKey.ChunkSize + EncryptionDataKey.TagSize];
    private int _filled;
    private long _index;
    private bool _disposed;

    /// <summary>Encrypts into <paramref name="stored"/>, left open; owns <paramref name="aes"/>.</summary>
    public EncryptionWriteStream(Stream stored, AesGcm aes)
    {
        _stored = stored;
        _aes = aes;
    }

    /// <summary>Passes the flush on; a partial chunk stays buffered (only the last chunk may be short).</summary>
    public override void Flush() => _stored.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _stored.FlushAsync(cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_filled == _plain.Length) _stored.Write(_sealed, 0, Seal(final: false));
            var n = Take(buffer);
            buffer = buffer[n..];
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            if (_filled == _plain.Length) await _stored.WriteAsync(_sealed.AsMemory(0, Seal(final: false)), cancellationToken).ConfigureAwait(false);
            var n = Take(buffer.Span);
            buffer = buffer[n..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Take(ReadOnlySpan<byte> data)
    {
        var n = Math.Min(data.Length, _plain.Length - _filled);
        data[..n].CopyTo(_plain.AsSpan(_filled));
        _filled += n;
        return n;
    }

    /// <summary>Seals the buffered chunk into <see cref="_sealed"/>; returns its stored length.</summary>
    private int Seal(bool final)
    {
        Span<byte> nonce = stackalloc byte[EncryptionDataKey.NonceBytes];
        EncryptionDataKey.Nonce(nonce, _index++, final);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _sealed.AsSpan(0, _filled), _sealed.AsSpan(_filled, EncryptionDataKey.TagSize));
        var length = _filled + EncryptionDataKey.TagSize;
        _filled = 0;
        return length;
    }

    /// <summary>Writes the final chunk (even for a failed write: its upload is then abandoned anyway).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try { _stored.Write(_sealed, 0, Seal(final: true)); }
            finally { _aes.Dispose(); }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            try { await _stored.WriteAsync(_sealed.AsMemory(0, Seal(final: true))).ConfigureAwait(false); }
            finally { _aes.Dispose(); }
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
