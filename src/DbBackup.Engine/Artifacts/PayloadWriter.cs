using System.IO.Compression;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Artifacts;

/// <summary>Writes a backup's payload into the repository's store: provider bytes → compression →
/// SHA-256 → a streaming upload (a temp file renamed into place locally, block / multipart uploads on
/// object stores). A file's entry (stored name, size, sha256) exists only once its stream was disposed
/// after a complete write and its upload committed, so an interrupted file is never listed.</summary>
public sealed class PayloadWriter : IPayloadSink
{
    private readonly IRepositoryStore _store;
    private readonly string _prefix;
    private readonly CompressionKind _compression;
    private readonly EncryptionDataKey? _encryption;
    private readonly List<BackupFile> _files = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Writes under the keys <paramref name="prefix"/> + name of <paramref name="store"/>
    /// (e.g. "backups/&lt;id&gt;/payload/"), encrypted after compression when <paramref name="encryption"/> is given.</summary>
    public PayloadWriter(IRepositoryStore store, string prefix, CompressionKind compression, EncryptionDataKey? encryption = null)
    {
        _store = store;
        _prefix = prefix;
        _compression = compression;
        _encryption = encryption;
    }

    /// <summary>Writes into the local folder <paramref name="folder"/> (tests, scratch payloads).</summary>
    public PayloadWriter(string folder, CompressionKind compression)
        : this(new LocalFolderStore(folder), "", compression)
    {
    }

    /// <summary>Suffix added to stored names.</summary>
    public static string Suffix(CompressionKind compression) => PayloadCodec.Suffix(compression);

    /// <summary>Completed files, in completion order.</summary>
    public IReadOnlyList<BackupFile> Files
    {
        get { lock (_lock) return _files.ToList(); }
    }

    /// <summary>Uncompressed bytes written through all streams so far (for progress).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);
    private long _bytesWritten;

    /// <inheritdoc/>
    public Stream Create(string name)
    {
        var stored = PayloadPaths.Validate(name) + Suffix(_compression);
        lock (_lock)
        {
            if (!_names.Add(stored)) throw new InvalidOperationException($"Payload file '{name}' was already written.");
        }
        // IPayloadSink.Create is synchronous (the providers' contract); opening an upload is a local
        // file create or one request, so it goes through the storage layer's one sync bridge.
        var upload = StoreSync.Run(() => _store.CreateAsync(_prefix + stored, CancellationToken.None));
        var hashing = new HashingStream(upload, leaveOpen: true);
        // Compress, then encrypt (ciphertext does not compress); the checksum is of the stored bytes.
        var encrypted = _encryption?.Encryptor(hashing, stored) ?? hashing;
        var top = PayloadCodec.Encoder(encrypted, _compression);
        return new PayloadFileStream(top, encrypted, hashing, upload, n => Interlocked.Add(ref _bytesWritten, n), () =>
        {
            lock (_lock) _files.Add(new BackupFile { Name = stored, Size = hashing.BytesProcessed, Sha256 = hashing.Sha256Hex });
        });
    }

    /// <summary>Write-only stream returned by <see cref="Create"/>; completes the entry on dispose.</summary>
    private sealed class PayloadFileStream(Stream top, Stream encrypted, HashingStream hashing, StoreUpload upload, Action<long> counted, Action completed) : WriteOnlyStream
    {
        private bool _failed;
        private bool _disposed;
        private bool _wrote;

        public override void Flush() => top.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => top.FlushAsync(cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try { top.Write(buffer); counted(buffer.Length); _wrote |= buffer.Length > 0; }
            catch { _failed = true; throw; }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try { await top.WriteAsync(buffer, cancellationToken).ConfigureAwait(false); counted(buffer.Length); _wrote |= buffer.Length > 0; }
            catch { _failed = true; throw; }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed) StoreSync.Run(() => CompleteAsync(CancellationToken.None));
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_disposed) await CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        /// <summary>Closing the compressor writes its trailer; only then is the file complete. The
        /// upload is committed (fsynced and renamed locally) before the file is listed, so a power cut
        /// cannot leave a listed-but-short file; a failed write abandons the upload.</summary>
        private async Task CompleteAsync(CancellationToken ct)
        {
            _disposed = true;
            try
            {
                if (!ReferenceEquals(top, encrypted)) await top.DisposeAsync().ConfigureAwait(false);
                // GZipStream writes nothing at all for no input, and gunzip refuses a 0-byte file (zstd writes its empty frame).
                if (!_wrote && top is GZipStream) await encrypted.WriteAsync(PayloadCodec.EmptyGzip, ct).ConfigureAwait(false);
                // The encryptor's dispose writes the final chunk.
                if (!ReferenceEquals(encrypted, hashing)) await encrypted.DisposeAsync().ConfigureAwait(false);
                if (!_failed)
                {
                    await upload.CommitAsync(ct).ConfigureAwait(false);
                    completed();
                }
            }
            finally
            {
                await hashing.DisposeAsync().ConfigureAwait(false);
                await upload.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
