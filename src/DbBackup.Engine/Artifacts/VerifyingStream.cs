using DbBackup.Model;

namespace DbBackup.Engine.Artifacts;

/// <summary>A read-only stream over a stored payload file that, on reaching the end, checks the size
/// and SHA-256 recorded in the manifest and throws <see cref="DbBackupException"/> (InvalidData) on a
/// mismatch. It also refuses to read past the recorded size.</summary>
public sealed class VerifyingStream : ReadOnlyStream
{
    private readonly HashingStream _hashing;
    private readonly BackupFile _expected;
    private readonly string _consequence;
    private bool _checked;

    /// <summary>Wraps <paramref name="inner"/>, which must hold exactly <paramref name="expected"/>'s bytes;
    /// <paramref name="consequence"/> ends the mismatch message (what the caller did not do).</summary>
    public VerifyingStream(Stream inner, BackupFile expected, string consequence = "nothing was restored from it")
    {
        _hashing = new HashingStream(inner);
        _expected = expected;
        _consequence = consequence;
    }

    /// <summary>The file's name as the manifest lists it.</summary>
    public string FileName => _expected.Name;

    /// <inheritdoc/>
    public override long Length => _expected.Size;
    /// <inheritdoc/>
    public override long Position { get => _hashing.BytesProcessed; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = _hashing.Read(buffer);
        After(n, buffer.Length);
        return n;
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _hashing.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        After(n, buffer.Length);
        return n;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void After(int n, int requested)
    {
        if (_hashing.BytesProcessed > _expected.Size)
            throw Mismatch($"is longer than the {_expected.Size} bytes recorded");
        if (n == 0 && requested > 0 && !_checked)
        {
            _checked = true;
            if (_hashing.BytesProcessed != _expected.Size)
                throw Mismatch($"has {_hashing.BytesProcessed} bytes, the manifest records {_expected.Size} (truncated?)");
            if (!string.Equals(_hashing.Sha256Hex, _expected.Sha256, StringComparison.OrdinalIgnoreCase))
                throw Mismatch($"has SHA-256 {_hashing.Sha256Hex}, the manifest records {_expected.Sha256}");
        }
    }

    private DbBackupException Mismatch(string what)
        => new(ErrorKind.InvalidData, "ChecksumMismatch", $"Payload file '{_expected.Name}' {what}. The backup is damaged; {_consequence}.");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) _hashing.Dispose();
        base.Dispose(disposing);
    }
}
