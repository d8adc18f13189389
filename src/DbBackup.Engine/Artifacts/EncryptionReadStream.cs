using System.Security.Cryptography;

namespace DbBackup.Engine.Artifacts;

/// <summary>Decrypts a payload file written by <see cref="EncryptionWriteStream"/>, one chunk at a time
/// (bounded memory). A chunk is the final one exactly when the stored bytes end after it, so a file cut
/// anywhere, even at a chunk boundary, fails: its new last chunk was sealed as not final.</summary>
internal sealed class EncryptionReadStream : ReadOnlyStream
{
    private const int SealedChunk = EncryptionDataKey.ChunkSize + EncryptionDataKey.TagSize;

    private readonly Stream _stored;
    private readonly AesGcm _aes;
    private readonly string _name;
    // One sealed chunk plus one byte: that byte tells whether more follows (then the chunk is not final).
    private readonly byte[] _in = new byte[SealedChunk + 1];
    private readonly byte[] _plain = new byte[EncryptionDataKey.ChunkSize];
    private int _inCount;
    private int _plainAt;
    private int _plainCount;
    private long _index;
    private bool _finalDone;

    /// <summary>Decrypts <paramref name="stored"/> (disposed with this stream), the file <paramref name="name"/>; owns <paramref name="aes"/>.</summary>
    public EncryptionReadStream(Stream stored, AesGcm aes, string name)
    {
        _stored = stored;
        _aes = aes;
        _name = name;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (_plainAt == _plainCount && !_finalDone)
        {
            while (_inCount < _in.Length)
            {
                var n = _stored.Read(_in, _inCount, _in.Length - _inCount);
                if (n == 0) break;
                _inCount += n;
            }
            Open();
        }
        return Copy(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (_plainAt == _plainCount && !_finalDone)
        {
            while (_inCount < _in.Length)
            {
                var n = await _stored.ReadAsync(_in.AsMemory(_inCount), cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                _inCount += n;
            }
            Open();
        }
        return Copy(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Copy(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _plainCount - _plainAt);
        _plain.AsSpan(_plainAt, n).CopyTo(buffer);
        _plainAt += n;
        return n;
    }

    /// <summary>Opens the next chunk from <see cref="_in"/>: not final when a byte follows it, which is
    /// kept as the start of the next one.</summary>
    private void Open()
    {
        var final = _inCount <= SealedChunk;
        var length = final ? _inCount : SealedChunk;
        // A final chunk is empty only in an empty file: an empty one after others was never written.
        if (length < EncryptionDataKey.TagSize || (final && length == EncryptionDataKey.TagSize && _index > 0))
            throw Invalid(final ? "the file ends inside a chunk (truncated?)" : "a chunk is too short");
        var plainLength = length - EncryptionDataKey.TagSize;
        Span<byte> nonce = stackalloc byte[EncryptionDataKey.NonceBytes];
        EncryptionDataKey.Nonce(nonce, _index, final);
        try { _aes.Decrypt(nonce, _in.AsSpan(0, plainLength), _in.AsSpan(plainLength, EncryptionDataKey.TagSize), _plain.AsSpan(0, plainLength)); }
        catch (CryptographicException e)
        {
            throw Invalid($"chunk {_index} fails authentication", e);
        }
        _index++;
        _plainAt = 0;
        _plainCount = plainLength;
        if (final) _finalDone = true;
        else
        {
            _in[0] = _in[SealedChunk];
            _inCount = 1;
        }
    }

    private DbBackupException Invalid(string what, Exception? inner = null)
        => new DbBackupException(ErrorKind.InvalidData, "EncryptedPayloadInvalid",
            $"Encrypted payload file '{_name}': {what}. The file was altered, truncated, reordered or taken from another file or backup; nothing from it can be trusted.", inner);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stored.Dispose();
            _aes.Dispose();
        }
        base.Dispose(disposing);
    }
}
