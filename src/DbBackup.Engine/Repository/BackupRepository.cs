using System.Text;
using System.Text.Json;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>The local-folder repository (layout in ARCHITECTURE.md):
/// repository.json, backups/&lt;id&gt;/manifest.json + payload, restores/&lt;id&gt;/record.json,
/// activity.jsonl, locks/. Nothing is created until the first write, so read-only calls (and
/// -WhatIf) leave no trace.</summary>
public sealed class BackupRepository
{
    /// <summary>The repository layout version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Opens the repository at <paramref name="path"/> (null: DBBACKUP_REPOSITORY, else the per-user default).</summary>
    public BackupRepository(string? path)
    {
        Root = Path.GetFullPath(ResolvePath(path));
    }

    /// <summary>Full path of the repository folder.</summary>
    public string Root { get; }

    /// <summary>The path used when none is given: DBBACKUP_REPOSITORY, else XDG data dir (Linux) or
    /// LocalAppData (Windows) + dbbackup.</summary>
    public static string ResolvePath(string? path)
    {
        if (!string.IsNullOrWhiteSpace(path)) return path;
        var env = Environment.GetEnvironmentVariable("DBBACKUP_REPOSITORY");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(data))
            data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, OperatingSystem.IsWindows() ? "DbBackup" : "dbbackup");
    }

    /// <summary>True once repository.json exists.</summary>
    public bool Exists => File.Exists(RepositoryJsonPath);

    private string RepositoryJsonPath => Path.Combine(Root, "repository.json");
    private string BackupsFolder => Path.Combine(Root, "backups");
    private string RestoresFolder => Path.Combine(Root, "restores");
    /// <summary>Folder of target locks.</summary>
    public string LocksFolder => Path.Combine(Root, "locks");
    private string ActivityPath => Path.Combine(Root, "activity.jsonl");

    /// <summary>Creates the repository folders and repository.json if missing; refuses a newer format.</summary>
    public void EnsureCreated()
    {
        if (Exists)
        {
            ReadRepositoryFile();
            return;
        }
        SecureFiles.CreateFolder(Root);
        SecureFiles.CreateFolder(BackupsFolder);
        SecureFiles.CreateFolder(RestoresFolder);
        SecureFiles.CreateFolder(LocksFolder);
        if (!File.Exists(RepositoryJsonPath)) SecureFiles.WriteAllTextAtomic(RepositoryJsonPath, Json.Write(new RepositoryFile()));
    }

    /// <summary>repository.json (defaults when the repository does not exist yet).</summary>
    public RepositoryFile ReadRepositoryFile()
    {
        if (!Exists) return new RepositoryFile();
        var f = Json.ReadFile<RepositoryFile>(RepositoryJsonPath);
        if (f.FormatVersion > CurrentFormatVersion)
            throw new DbBackupException(ErrorKind.NotSupported, "RepositoryFormatTooNew",
                $"The repository at '{Root}' has format version {f.FormatVersion}; this DbBackup reads versions up to {CurrentFormatVersion}. Upgrade DbBackup.");
        return f;
    }

    /// <summary>Writes new settings atomically.</summary>
    public void WriteSettings(RepositorySettings settings)
    {
        EnsureCreated();
        var f = ReadRepositoryFile();
        f.Settings = settings;
        SecureFiles.WriteAllTextAtomic(RepositoryJsonPath, Json.Write(f));
    }

    /// <summary>The folder of a backup.</summary>
    public string BackupFolder(string id) => Path.Combine(BackupsFolder, Ids.Validate(id));

    /// <summary>The folder of a restore.</summary>
    public string RestoreFolder(string id) => Path.Combine(RestoresFolder, Ids.Validate(id));

    private const string ManifestFile = "manifest.json";
    private const string RestoreFile = "record.json";

    /// <summary>How long a record write waits for the record's lock before giving up (not written).</summary>
    internal static TimeSpan RecordLockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    private string RecordLocksFolder => Path.Combine(LocksFolder, "records");

    private string RecordLockPath(string id) => Path.Combine(RecordLocksFolder, Ids.Validate(id) + ".lock");

    private string RecordPath(OperationRecord r)
        => r is RestoreRecord ? Path.Combine(RestoreFolder(r.Id), RestoreFile) : Path.Combine(BackupFolder(r.Id), ManifestFile);

    /// <summary>Reads a backup record, or null when it does not exist. A damaged, foreign or altered
    /// manifest, or one naming another id than its folder, throws CorruptMetadata.</summary>
    public BackupRecord? TryReadBackup(string id) => TryReadBackupSealed(id)?.Record;

    /// <summary>As <see cref="TryReadBackup"/>, also telling whether the manifest carries a seal
    /// (false: written by a DbBackup older than seals; its contents cannot be checked).</summary>
    public (BackupRecord Record, bool Sealed)? TryReadBackupSealed(string id)
        => ReadRecord<BackupRecord>(Path.Combine(BackupFolder(id), ManifestFile), id);

    /// <summary>Reads a restore record, or null (damage throws as for backups).</summary>
    public RestoreRecord? TryReadRestore(string id) => ReadRecord<RestoreRecord>(Path.Combine(RestoreFolder(id), RestoreFile), id)?.Record;

    private static (T Record, bool Sealed)? ReadRecord<T>(string path, string id) where T : OperationRecord
    {
        if (!File.Exists(path)) return null;
        (T Record, bool Sealed) read;
        try { read = RecordFile.Read<T>(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        RecordChecks.Validate(read.Record, id, path);
        return read;
    }

    /// <summary>Writes a backup record if the stored copy is still the revision it was read as (or
    /// there is none and it is new): a compare-and-swap under the record's lock. Returns false, writing
    /// nothing, when someone else wrote it since (or its lock stayed busy).</summary>
    public bool WriteBackup(BackupRecord record) => WriteRecord(record, claim: false, out _) == RecordWrite.Written;

    /// <summary>As <see cref="WriteBackup"/>, for a restore record.</summary>
    public bool WriteRestore(RestoreRecord record) => WriteRecord(record, claim: false, out _) == RecordWrite.Written;

    /// <summary>The compare-and-swap write of a record. With <paramref name="claim"/> the condition is
    /// "the stored copy is Pending" (a worker taking its record over from the launcher, whichever of the
    /// two wrote last); otherwise "the stored revision is the record's". On success the record's
    /// Revision is the one written; on Conflict <paramref name="stored"/> is the stored copy (null when
    /// unreadable or gone).</summary>
    internal RecordWrite WriteRecord(OperationRecord record, bool claim, out OperationRecord? stored)
    {
        stored = null;
        EnsureCreated();
        var path = RecordPath(record);
        SecureFiles.CreateFolder(RecordLocksFolder);
        using var held = RecordLock.TryAcquire(RecordLockPath(record.Id), RecordLockTimeout);
        if (held == null) return RecordWrite.Busy;
        SecureFiles.RemoveDeadTempFiles(path);
        var exists = File.Exists(path);
        try { stored = record is RestoreRecord ? TryReadRestore(record.Id) : TryReadBackup(record.Id); }
        catch (DbBackupException) { return RecordWrite.Conflict; } // never overwrite what cannot be read
        var ok = claim ? stored is { State: OperationState.Pending } : stored == null ? !exists && record.Revision == 0 : stored.Revision == record.Revision;
        if (!ok) return RecordWrite.Conflict;
        SecureFiles.CreateFolder(Path.GetDirectoryName(path)!);
        var previous = record.Revision;
        record.Revision = (claim ? stored!.Revision : record.Revision) + 1;
        try { SecureFiles.WriteAllBytesAtomic(path, RecordFile.Serialize(record)); }
        catch
        {
            record.Revision = previous;
            throw;
        }
        return RecordWrite.Written;
    }

    /// <summary>Every backup record (unordered). Folders without a readable manifest (an import in
    /// progress, a damaged copy) are skipped.</summary>
    public IEnumerable<BackupRecord> ReadAllBackups()
        => ScanBackups().Where(x => x.Record != null).Select(x => x.Record!);

    /// <summary>Why each backup folder that <see cref="ReadAllBackups"/> skips was skipped (a manifest
    /// that is not valid JSON, of another shape, altered, or naming another id), so listings can say so.</summary>
    public IEnumerable<string> DescribeUnreadableBackups()
        => ScanBackups().Where(x => x.Problem != null).Select(x => x.Problem!);

    private IEnumerable<(BackupRecord? Record, string? Problem)> ScanBackups()
    {
        if (!Directory.Exists(BackupsFolder)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(BackupsFolder))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith('.')) continue;
            BackupRecord? r = null;
            string? problem = null;
            try
            {
                SecureFiles.RemoveDeadTempFiles(Path.Combine(dir, ManifestFile));
                r = TryReadBackup(name);
            }
            catch (DbBackupException e) { problem = e.Message; }
            // A folder without a manifest is a backup being created (its folder appears a moment before it).
            if (r != null || problem != null) yield return (r, problem);
        }
    }

    /// <summary>Every restore record (unordered).</summary>
    public IEnumerable<RestoreRecord> ReadAllRestores()
    {
        if (!Directory.Exists(RestoresFolder)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(RestoresFolder))
        {
            RestoreRecord? r = null;
            try
            {
                SecureFiles.RemoveDeadTempFiles(Path.Combine(dir, RestoreFile));
                r = TryReadRestore(Path.GetFileName(dir));
            }
            catch (DbBackupException) { }
            if (r != null) yield return r;
        }
    }

    /// <summary>Deletes a backup's folder (payload and manifest). The manifest goes first, so a crash
    /// half-way leaves an unlisted folder rather than a record pointing at missing files.</summary>
    public void DeleteBackup(string id)
    {
        var folder = BackupFolder(id);
        if (!Directory.Exists(folder)) return;
        var trash = Path.Combine(BackupsFolder, "." + id + ".deleting");
        Directory.Move(folder, trash);
        Directory.Delete(trash, recursive: true);
        SecureFiles.TryDelete(RecordLockPath(id));
    }

    /// <summary>Staging folder for an import (hidden from listings until moved into place).</summary>
    public string NewStagingFolder()
    {
        EnsureCreated();
        var p = Path.Combine(BackupsFolder, ".staging-" + Guid.NewGuid().ToString("N"));
        SecureFiles.CreateFolder(p);
        return p;
    }

    /// <summary>Moves a fully written staging folder into place as backup <paramref name="id"/>.</summary>
    public void CommitStaging(string staging, string id) => Directory.Move(staging, BackupFolder(id));

    /// <summary>Appends one line to activity.jsonl.</summary>
    public void AppendActivity(ActivityEntry entry)
    {
        EnsureCreated();
        var line = JsonSerializer.Serialize(entry, Json.Compact) + "\n";
        var bytes = Encoding.UTF8.GetBytes(line);
        // .NET's FileMode.Append is not O_APPEND (it seeks to the end once, then writes at its own
        // offset), so concurrent writers (callers and workers) would overwrite each other's lines.
        // FileShare.None holds an exclusive flock while the line is written; a writer that finds the
        // log busy waits its turn instead of failing (which crashed workers mid-operation).
        using var fs = OpenActivity(() => new FileStream(ActivityPath, SecureFiles.NewFileOptions(FileMode.Append, FileAccess.Write, 0)));
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Opens activity.jsonl, waiting while another process holds its lock (.NET on Unix takes
    /// flock: exclusive for the writer, shared for readers, failing at once instead of waiting).</summary>
    private static FileStream OpenActivity(Func<FileStream> open)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var attempt = 0; ; attempt++)
        {
            try { return open(); }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && DateTime.UtcNow < deadline)
            {
                // The holder keeps it for one small write; opening fails only on the lock.
                Thread.Sleep(Math.Min(2 + attempt, 20));
            }
        }
    }

    /// <summary>All activity entries in file order (oldest first); unreadable lines are skipped.</summary>
    public IEnumerable<ActivityEntry> ReadActivity()
    {
        if (!File.Exists(ActivityPath)) yield break;
        using var fs = OpenActivity(() => new FileStream(ActivityPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        using var reader = new StreamReader(fs, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            ActivityEntry? e = null;
            try { e = JsonSerializer.Deserialize<ActivityEntry>(line, Json.Compact); }
            catch (JsonException) { }
            if (e != null) yield return e;
        }
    }
}
