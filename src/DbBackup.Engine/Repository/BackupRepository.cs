using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>A repository (layout in README "Repository format"): repository.json,
/// backups/&lt;id&gt;/manifest.json + payload, restores/&lt;id&gt;/record.json, the activity log,
/// locks/. Every byte goes through an <see cref="IRepositoryStore"/> (a local folder, an object store,
/// memory in tests); this class knows the keys and the rules (seals, compare-and-swap of records),
/// never the file system. Nothing is created until the first write, so read-only calls (and -WhatIf)
/// leave no trace. The synchronous members are the async ones through <see cref="StoreSync"/>.</summary>
public sealed partial class BackupRepository
{
    /// <summary>The repository layout version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    private const string RepositoryKey = "repository.json";
    private const string ManifestFile = "manifest.json";
    private const string RestoreFile = "record.json";
    private volatile bool _created;

    /// <summary>Opens the repository at <paramref name="path"/> (null: DBBACKUP_REPOSITORY, else the
    /// per-user default folder): a local folder, s3://bucket/prefix, azure://container/prefix or a blob
    /// URL (<see cref="RepositoryAddress"/>). An address with a scheme it does not know is refused, never
    /// taken as a relative folder. Opening does no I/O; credentials come from the environment.</summary>
    public BackupRepository(string? path)
        : this(StoreFactory.Open(RepositoryAddress.Parse(ResolvePath(path))))
    {
    }

    /// <summary>Opens the repository held by <paramref name="store"/>.</summary>
    public BackupRepository(IRepositoryStore store) => Store = store;

    /// <summary>Where every byte of the repository lives.</summary>
    public IRepositoryStore Store { get; }

    /// <summary>Where the repository is, for messages (a full path for a local folder).</summary>
    public string Location => Store.Location;

    /// <summary>The path used when none is given: DBBACKUP_REPOSITORY, else XDG data dir (Linux) or
    /// LocalAppData (Windows) + dbbackup.</summary>
    public static string ResolvePath(string? path)
    {
        if (!string.IsNullOrWhiteSpace(path)) return path;
        var env = Environment.GetEnvironmentVariable("DBBACKUP_REPOSITORY");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        return DefaultLocalPath();
    }

    /// <summary>The per-user default folder: XDG data dir (Linux) or LocalAppData (Windows) + dbbackup.</summary>
    public static string DefaultLocalPath()
    {
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data))
            data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, OperatingSystem.IsWindows() ? "DbBackup" : "dbbackup");
    }

    /// <summary>True once repository.json exists.</summary>
    public bool Exists => StoreSync.Run(() => ExistsAsync(CancellationToken.None));

    /// <summary>True once repository.json exists.</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken)
        => _created || await Store.TryReadAsync(RepositoryKey, cancellationToken).ConfigureAwait(false) != null;

    /// <summary>Creates repository.json if missing; refuses a newer format.</summary>
    public void EnsureCreated() => StoreSync.Run(() => EnsureCreatedAsync(CancellationToken.None));

    /// <summary>Creates repository.json if missing (exclusively: two first writers agree on one);
    /// refuses a newer format. Checked once per instance.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_created) return;
        if (await Store.TryReadAsync(RepositoryKey, cancellationToken).ConfigureAwait(false) == null)
            await Store.TryWriteAsync(RepositoryKey, System.Text.Encoding.UTF8.GetBytes(Json.Write(new RepositoryFile())), WriteCondition.IfAbsent, cancellationToken).ConfigureAwait(false);
        await ReadRepositoryFileAsync(cancellationToken).ConfigureAwait(false);
        _created = true;
    }

    /// <summary>repository.json (defaults when the repository does not exist yet).</summary>
    public RepositoryFile ReadRepositoryFile() => StoreSync.Run(() => ReadRepositoryFileAsync(CancellationToken.None));

    /// <summary>repository.json (defaults when the repository does not exist yet).</summary>
    public async Task<RepositoryFile> ReadRepositoryFileAsync(CancellationToken cancellationToken)
    {
        if (await Store.TryReadAsync(RepositoryKey, cancellationToken).ConfigureAwait(false) is not { } stored) return new RepositoryFile();
        var f = Json.Parse<RepositoryFile>(stored.Content, Describe(RepositoryKey));
        if (f.FormatVersion > CurrentFormatVersion)
            throw new DbBackupException(ErrorKind.NotSupported, "RepositoryFormatTooNew",
                $"The repository at '{Location}' has format version {f.FormatVersion}; this DbBackup reads versions up to {CurrentFormatVersion}. Upgrade DbBackup.");
        return f;
    }

    /// <summary>Writes new settings atomically.</summary>
    public void WriteSettings(RepositorySettings settings) => StoreSync.Run(async () =>
    {
        await EnsureCreatedAsync(CancellationToken.None).ConfigureAwait(false);
        var f = await ReadRepositoryFileAsync(CancellationToken.None).ConfigureAwait(false);
        f.Settings = settings;
        await Store.TryWriteAsync(RepositoryKey, System.Text.Encoding.UTF8.GetBytes(Json.Write(f)), WriteCondition.None, CancellationToken.None).ConfigureAwait(false);
    });

    /// <summary>The key prefix of a backup's objects ("backups/&lt;id&gt;/").</summary>
    public static string BackupPrefix(string id) => "backups/" + Ids.Validate(id) + "/";

    /// <summary>The key prefix of a restore's objects ("restores/&lt;id&gt;/").</summary>
    public static string RestorePrefix(string id) => "restores/" + Ids.Validate(id) + "/";

    /// <summary>The key prefix of the objects of the operation <paramref name="id"/> (backup or restore).</summary>
    public static string RecordPrefix(string id) => Ids.IsRestoreId(Ids.Validate(id)) ? RestorePrefix(id) : BackupPrefix(id);

    /// <summary>How an object is named in messages: its file for a local folder, else location/key.</summary>
    public string Describe(string key) => Store is LocalFolderStore local ? local.PathOf(key) : $"{Location.TrimEnd('/')}/{key}";
}
