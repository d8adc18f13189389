using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Artifacts;

/// <summary>Reads a backup's payload from the repository's store: object → SHA-256/size check → decompression. The
/// check happens as the reader reaches the end of a file; a mismatch throws, so a restore fed from a
/// corrupt file fails before it can finish. A decoder that chokes on a damaged file reports the damage
/// as the checksum mismatch it is (see <see cref="CheckedPayloadStream"/>).</summary>
public sealed class PayloadReader : IPayloadSource
{
    private readonly IRepositoryStore _store;
    private readonly string _prefix;
    private readonly Dictionary<string, BackupFile> _byLogicalName;
    private readonly string _suffix;
    private readonly CompressionKind _compression;
    private readonly EncryptionDataKey? _encryption;

    /// <summary>Reads the listed <paramref name="files"/> from the local folder <paramref name="folder"/>.</summary>
    public PayloadReader(string folder, IReadOnlyList<BackupFile> files, CompressionKind compression)
        : this(new LocalFolderStore(folder), "", files, compression)
    {
    }

    /// <summary>Reads the listed <paramref name="files"/> from the keys <paramref name="prefix"/> + name
    /// of <paramref name="store"/> (e.g. "backups/&lt;id&gt;/payload/"), decrypting with <paramref name="encryption"/> when given.</summary>
    public PayloadReader(IRepositoryStore store, string prefix, IReadOnlyList<BackupFile> files, CompressionKind compression, EncryptionDataKey? encryption = null)
    {
        _encryption = encryption;
        _store = store;
        _prefix = prefix;
        _compression = compression;
        _suffix = PayloadCodec.Suffix(compression);
        _byLogicalName = new(StringComparer.Ordinal);
        foreach (var f in files)
        {
            var logical = _suffix.Length > 0 && f.Name.EndsWith(_suffix, StringComparison.Ordinal) ? f.Name[..^_suffix.Length] : f.Name;
            _byLogicalName[logical] = f;
        }
        Names = _byLogicalName.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Names { get; }

    /// <inheritdoc/>
    public Stream Open(string name)
    {
        if (!_byLogicalName.TryGetValue(name, out var entry))
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadFileMissing", $"The backup has no payload file '{name}'.");
        PayloadPaths.Validate(entry.Name);
        Stream file;
        // IPayloadSource.Open is synchronous (the providers' contract): opening is a local file open or
        // one request, through the storage layer's one sync bridge; the bytes then stream.
        try { file = StoreSync.Run(() => _store.OpenReadAsync(_prefix + entry.Name, CancellationToken.None)); }
        catch (DbBackupException e) when (StoreErrors.IsNotFound(e))
        {
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadFileMissing", $"Payload file '{entry.Name}' is missing from the backup folder.", e);
        }
        return new CheckedPayloadStream(new VerifyingStream(file, entry), _compression, _encryption);
    }
}
