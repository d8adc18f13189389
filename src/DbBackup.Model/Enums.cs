using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace DbBackup.Model;

// Every enum carries Newtonsoft's StringEnumConverter so that PowerShell's ConvertTo-Json (built on
// Newtonsoft) writes names ("Succeeded"), not numbers, as the CLI's --json does.

/// <summary>The database engine a backup or restore talks to.</summary>
[JsonConverter(typeof(StringEnumConverter))]
public enum DatabaseEngine
{
    /// <summary>PostgreSQL (pg_dump / pg_restore and COPY).</summary>
    PostgreSql,
    /// <summary>MySQL or MariaDB (the official client tools).</summary>
    MySql,
}

/// <summary>Why a backup exists.</summary>
[JsonConverter(typeof(StringEnumConverter))]
public enum BackupKind
{
    /// <summary>Asked for by a user or a runbook.</summary>
    Manual,
    /// <summary>Taken automatically right before a restore overwrote the database.</summary>
    SafetyBeforeRestore,
    /// <summary>Brought in from a bundle or a copied backup folder.</summary>
    Imported,
}

/// <summary>Where an operation is in its lifecycle.</summary>
[JsonConverter(typeof(StringEnumConverter))]
public enum OperationState
{
    /// <summary>Recorded; the worker has not started yet.</summary>
    Pending,
    /// <summary>The worker is running it.</summary>
    Running,
    /// <summary>Finished; every file is complete and its checksum recorded.</summary>
    Succeeded,
    /// <summary>Finished with an error; StatusMessage says why.</summary>
    Failed,
    /// <summary>Stopped on request; partial files were removed.</summary>
    Cancelled,
}

/// <summary>How payload files are compressed in the repository.</summary>
[JsonConverter(typeof(StringEnumConverter))]
public enum CompressionKind
{
    /// <summary>gzip (RFC 1952).</summary>
    Gzip,
    /// <summary>Stored as produced.</summary>
    None,
    /// <summary>Zstandard (RFC 8878), level 1: the default since it was measured faster and smaller than gzip.</summary>
    Zstd,
}

/// <summary>The kind of operation a record describes.</summary>
[JsonConverter(typeof(StringEnumConverter))]
public enum OperationKind
{
    /// <summary>A backup.</summary>
    Backup,
    /// <summary>A restore.</summary>
    Restore,
}

/// <summary>Whether a repository encrypts new backups.</summary>
[JsonConverter(typeof(StringEnumConverter))]
public enum EncryptionMode
{
    /// <summary>New backups are not encrypted (encrypted ones already stored still restore with their key).</summary>
    None,
    /// <summary>Every new backup is encrypted with the repository key; a backup without the key is refused.</summary>
    Required,
}
