using DbBackup.Model;

namespace DbBackup.Engine.Artifacts;

/// <summary>A payload file opened for reading: the decoder over a <see cref="VerifyingStream"/>. The
/// checksum is checked when the reader reaches the end. A damaged file usually fails earlier, in the
/// decoder or in whoever consumes the bytes (a server rejecting a COPY line); <see cref="VerifyRestAsync"/>
/// then reads the rest of the stored file so the failure is reported as the ChecksumMismatch it is,
/// naming the file, rather than as a decoding or server error. Decoder failures do that on their own.</summary>
public sealed class CheckedPayloadStream : ReadOnlyStream
{
    private readonly VerifyingStream _stored;
    private readonly Stream _decoded;

    /// <summary>Decodes <paramref name="stored"/> with the codec of <paramref name="compression"/>, after
    /// decrypting it with <paramref name="encryption"/> when the backup is encrypted.</summary>
    public CheckedPayloadStream(VerifyingStream stored, CompressionKind compression, EncryptionDataKey? encryption = null)
    {
        _stored = stored;
        _decoded = PayloadCodec.Decoder(encryption?.Decryptor(stored, stored.FileName) ?? stored, compression);
    }

    /// <summary>If <paramref name="stream"/> is a payload file, reads the rest of its stored bytes: throws
    /// ChecksumMismatch when the file is damaged, returns normally when it is intact (the caller then
    /// rethrows its own error). For use in a catch block after a failure while the file was being read.</summary>
    public static async Task VerifyRestAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (stream is CheckedPayloadStream payload) await payload.VerifyRestAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the rest of the stored file through its checksum (see the class remarks).</summary>
    public async Task VerifyRestAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (await _stored.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0) { }
    }


    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        try { return _decoded.Read(buffer); }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            VerifyRestAsync(CancellationToken.None).GetAwaiter().GetResult();
            throw;
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try { return await _decoded.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            await VerifyRestAsync(cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>A decoder's own complaint about its input, or a chunk failing decryption (the stored file's
    /// checks are the other DbBackupExceptions): a damaged file is then reported as the damage it is.</summary>
    private static bool IsDecodingFailure(Exception e)
        => e is DbBackupException { ErrorId: "EncryptedPayloadInvalid" } || e is not DbBackupException and not OperationCanceledException;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoded.Dispose();
            _stored.Dispose();
        }
        base.Dispose(disposing);
    }
}
