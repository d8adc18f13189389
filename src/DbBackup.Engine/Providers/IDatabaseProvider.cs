using DbBackup.Engine.Artifacts;
using DbBackup.Model;

namespace DbBackup.Engine.Providers;

/// <summary>What the server is and what its dump/restore tools are.</summary>
public sealed record ServerProbe(
    /// <summary>Full version string as the server reports it (e.g. "15.18", "10.11.14-MariaDB").</summary>
    string ServerVersion,
    /// <summary>Comparable version number (major, minor, patch).</summary>
    Version Version,
    /// <summary>"PostgreSQL", "MariaDB" or "MySQL".</summary>
    string Flavor,
    /// <summary>Dump tool and its version, e.g. "pg_dump (PostgreSQL) 15.18".</summary>
    string ToolVersion,
    /// <summary>True when the database named in the target exists.</summary>
    bool DatabaseExists);

/// <summary>A base table of the source database.</summary>
public sealed record TableInfo(
    /// <summary>Schema (PostgreSQL) or "" (MySQL).</summary>
    string Schema,
    /// <summary>Table name, unquoted.</summary>
    string Name,
    /// <summary>Columns of a date/time type, in ordinal order.</summary>
    IReadOnlyList<string> DateColumns,
    /// <summary>Estimated data bytes (for progress), 0 if unknown.</summary>
    long EstimatedBytes)
{
    /// <summary>schema.name or name.</summary>
    public string QualifiedName => Schema.Length == 0 ? Name : Schema + "." + Name;
}

/// <summary>What to dump.</summary>
public sealed record DumpRequest(
    ConnectionTarget Source,
    /// <summary>Tables to dump (already resolved and validated), or null for the whole database.</summary>
    IReadOnlyList<TableInfo>? Tables,
    /// <summary>Only rows with DateColumn &gt;= Since, when Since is set (DateColumn set too).</summary>
    DateTimeOffset? Since,
    string? DateColumn,
    /// <summary>Parallel connections for table data.</summary>
    int Jobs);

/// <summary>What a dump produced besides its files.</summary>
public sealed record DumpResult(string ServerVersion, string ToolVersion, IReadOnlyList<TableStat> TableStats)
{
    /// <summary>The payload format version this dump needs to be restored (recorded in the manifest).</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>How the provider made the data consistent (sessions, lock time, or why it fell back), for
    /// the record; null when there is nothing to say.</summary>
    public string? Consistency { get; init; }
}

/// <summary>What to restore where.</summary>
public sealed record RestoreRequest(
    /// <summary>Target server; Database is the NEW database to create and fill (it must not exist).</summary>
    ConnectionTarget Target,
    /// <summary>The backup being restored (engine, versions, table list).</summary>
    BackupRecord Backup,
    int Jobs)
{
    /// <summary>Create the database with the server's default locale instead of the backup's (PostgreSQL).</summary>
    public bool UseServerLocale { get; init; }
}

/// <summary>A per-table restore: replace <paramref name="Tables"/> of Target.Database with their copies in
/// the backup, atomically, leaving every other object of the database as it was.</summary>
public sealed record TableReplaceRequest(
    /// <summary>Server and the database whose tables are replaced.</summary>
    ConnectionTarget Target,
    BackupRecord Backup,
    /// <summary>The tables to replace (each one in the backup).</summary>
    IReadOnlyList<TableStat> Tables,
    /// <summary>True when Target.Database does not exist yet: it is created, and dropped again on failure.</summary>
    bool CreateDatabase,
    /// <summary>A database name free for the provider's own scratch use (MySQL restores the tables there first).</summary>
    string ScratchDatabase,
    int Jobs)
{
    /// <summary>A created database gets the server's default locale instead of the backup's (PostgreSQL).</summary>
    public bool UseServerLocale { get; init; }
}

/// <summary>One engine's dump, restore and metadata operations. Implementations stream everything:
/// memory stays bounded whatever the database size.</summary>
public interface IDatabaseProvider
{
    /// <summary>The engine this provider serves.</summary>
    DatabaseEngine Engine { get; }

    /// <summary>Connects (proving host, port, user and password), finds the dump/restore tools and
    /// reports versions. Throws <see cref="DbBackupException"/> with a clear message on any failure.</summary>
    Task<ServerProbe> ProbeAsync(ConnectionTarget target, CancellationToken cancellationToken);

    /// <summary><see cref="ProbeAsync"/> where the target database is expected not to exist yet (a restore into a new
    /// database): a provider may ask the server from elsewhere first instead of failing a sign-in to it.</summary>
    Task<ServerProbe> ProbeForNewDatabaseAsync(ConnectionTarget target, CancellationToken cancellationToken) => ProbeAsync(target, cancellationToken);

    /// <summary>The user databases on the server of <paramref name="server"/> (its Database is ignored),
    /// ordered by name: what "every database" means for this engine. System databases (PostgreSQL's
    /// templates; MySQL's mysql, sys, information_schema, performance_schema) are left out; a caller
    /// that wants one names it.</summary>
    Task<IReadOnlyList<string>> ListDatabasesAsync(ConnectionTarget server, CancellationToken cancellationToken);

    /// <summary>Base tables of target.Database with their date/time columns.</summary>
    Task<IReadOnlyList<TableInfo>> ListTablesAsync(ConnectionTarget target, CancellationToken cancellationToken);

    /// <summary>Dumps schema and data into <paramref name="sink"/> from one consistent snapshot.</summary>
    Task<DumpResult> DumpAsync(DumpRequest request, IPayloadSink sink, IProgress<OperationProgress> progress, CancellationToken cancellationToken);

    /// <summary>Creates request.Target.Database (which must not exist) and restores the payload into it.
    /// On failure or cancellation the new database is dropped; nothing else is touched.</summary>
    Task RestoreAsync(RestoreRequest request, IPayloadSource source, IProgress<OperationProgress> progress, CancellationToken cancellationToken);

    /// <summary>Replaces <paramref name="database"/> with <paramref name="replacement"/> (which then no
    /// longer exists under its own name). Either completes or leaves both as they were.
    /// Open sessions on <paramref name="database"/> are terminated.</summary>
    Task SwapAsync(ConnectionTarget server, string database, string replacement, CancellationToken cancellationToken);

    /// <summary>Objects of target.Database outside <paramref name="tables"/> that a per-table replacement
    /// of them would break or lose (views over them, foreign keys into them the provider cannot carry
    /// over, inheritance…), each described in a few words naming it; empty when the replacement is safe.</summary>
    Task<IReadOnlyList<string>> FindTableReplaceBlockersAsync(ConnectionTarget target, IReadOnlyList<TableStat> tables, CancellationToken cancellationToken);

    /// <summary>The backup's partitioned tables and their partitions ("schema.name" pairs), read from its
    /// payload, so a per-table restore can be asked for a partitioned table, which holds no rows of its own;
    /// empty for an engine without them.</summary>
    Task<IReadOnlyList<(string Parent, string Partition)>> PartitionsInAsync(ConnectionTarget target, IPayloadSource source, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<(string Parent, string Partition)>>([]);

    /// <summary>Replaces request.Tables of request.Target.Database with the backup's copies: either every
    /// one is replaced or none is (a failure or cancellation at any step leaves the old tables).</summary>
    Task ReplaceTablesAsync(TableReplaceRequest request, IPayloadSource source, IProgress<OperationProgress> progress, CancellationToken cancellationToken);

    /// <summary>Drops a database if it exists.</summary>
    Task DropDatabaseAsync(ConnectionTarget server, string database, CancellationToken cancellationToken);

    /// <summary>Settles what a dead restore of <paramref name="database"/> left on the server: its copy
    /// <paramref name="aside"/> (see <see cref="RestoreDatabaseNames"/>), and an unfinished swap, which is
    /// finished when it had committed and undone otherwise. <paramref name="swapStarted"/> says the restore
    /// had reached its swap (so a missing copy means it was swapped in).</summary>
    Task<AbandonedRestoreCleanup> CleanUpAbandonedRestoreAsync(ConnectionTarget server, string database, string aside, bool swapStarted, CancellationToken cancellationToken);

    /// <summary>Row counts and content checksums computed exactly as <see cref="DumpAsync"/> computes
    /// them, for the given tables of target.Database (used by verify).</summary>
    Task<IReadOnlyList<TableStat>> ComputeTableStatsAsync(ConnectionTarget target, IReadOnlyList<TableStat> tables, CancellationToken cancellationToken);
}
