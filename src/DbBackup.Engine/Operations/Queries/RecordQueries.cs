using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>What the repository holds, read without changing it (beyond ending records of dead
/// workers): a target's status, the backup and restore lists, the activity log, the repository's info.</summary>
internal sealed class RecordQueries(EngineContext context)
{
    private readonly CatalogQuery _catalog = new(context);
    private readonly LocallyKeptRestores _kept = new(context);

    /// <summary>Status of a target: running?, latest backup, latest restore.</summary>
    public StatusReport GetStatus(DatabaseEngine engine, string server, int port, string database)
    {
        // Through the catalog: an active record is always read from its manifest, so "running" is never
        // a cached answer; only the newest backup and restore of the target are read besides.
        bool Same(CatalogEntry e) => OperationTargets.IsTarget(e, engine, server, port, database);
        for (var trustNothing = false; ; trustNothing = true)
        {
            var backups = _catalog.Matching(context.Repository.ReadCatalog<BackupRecord>(trustNothing), Same);
            var restores = _catalog.Matching(context.Repository.ReadCatalog<RestoreRecord>(trustNothing), Same);
            if (context.Repository.LoadRecords(backups.Take(1).ToList()) is not { } latestBackup || context.Repository.LoadRecords(restores.Take(1).ToList()) is not { } latestRestore) continue;
            var running = backups.Select(i => i.Entry).Concat(restores.Select(i => i.Entry)).FirstOrDefault(e => !e.IsFinal);
            var kept = _kept.Matching(Same);
            var restore = latestRestore.Concat(kept.Take(1)).MaxBy(r => r.CreatedAt);
            return Status(engine, server, port, database, running?.Id ?? kept.FirstOrDefault(r => r.IsActive)?.Id, latestBackup.FirstOrDefault(), restore);
        }
    }

    private static StatusReport Status(DatabaseEngine engine, string server, int port, string database, string? runningId, BackupRecord? backup, RestoreRecord? restore)
        => new()
        {
            Engine = engine,
            Server = server,
            Port = port,
            Database = database,
            Running = runningId != null,
            RunningId = runningId,
            Backup = backup is { } b ? Summary(b) : null,
            Restore = restore is { } r ? Summary(r) : null,
        };

    private static OperationSummary Summary(IOperationRecord r) => new()
    {
        Succeeded = r.State == OperationState.Succeeded,
        Id = r.Id,
        State = r.State,
        StatusMessage = r.StatusMessage,
        StartDate = r.StartedAt ?? r.CreatedAt,
        EndDate = r.CompletedAt,
    };

    /// <summary>Backups matching the query, newest first, paged.</summary>
    public Page<BackupRecord> ListBackups(BackupQuery query)
    {
        CheckPaging(query.Skip, query.First);
        var database = DatabaseNamePattern.AnyOf(query.Database);
        var page = _catalog.Page<BackupRecord>(b => (query.Id == null || b.Id == query.Id)
            && (query.Engine == null || b.Engine == query.Engine)
            && (query.Server == null || ServerNames.Same(b.Server, query.Server))
            && (query.Port == null || b.Port == query.Port)
            && database(b.Database)
            && (query.Kind == null || b.Kind == query.Kind)
            && CatalogQuery.MatchesLabels(b, query.Labels)
            && (query.State == null || b.State == query.State), query.Skip, query.First);
        // A listing a user reads shows a payload file deleted or cut short, not first when a restore needs it.
        if (query.CheckPayloads)
            context.Repository.NoteDamagedBackups(context.Payloads.MarkDamaged(page.Items, CancellationToken.None));
        return page;
    }

    /// <summary>One page of an already filtered and ordered list, with the total before paging.</summary>
    private static Page<T> PageOf<T>(List<T> all, int skip, int? first)
    {
        var items = all.Skip(Math.Max(0, skip));
        if (first is { } n) items = items.Take(Math.Max(0, n));
        return new Page<T> { Items = items.ToList(), TotalCount = all.Count };
    }

    private static void CheckPaging(int skip, int? first)
    {
        if (skip < 0) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"Skip must be 0 or more; got {skip}.");
        if (first is < 0) throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPaging", $"First must be 0 or more; got {first}.");
    }

    /// <summary>Restores matching the query, newest first, paged: the restore history.</summary>
    public Page<RestoreRecord> ListRestores(RestoreQuery query)
    {
        CheckPaging(query.Skip, query.First);
        var database = DatabaseNamePattern.AnyOf(query.Database);
        var sourceDatabase = DatabaseNamePattern.AnyOf(query.SourceDatabase);
        bool Filter(CatalogEntry r) => (query.Id == null || r.Id == query.Id)
            && (query.BackupId == null || r.BackupId == query.BackupId)
            && (query.Engine == null || r.Engine == query.Engine)
            && (query.Server == null || ServerNames.Same(r.Server, query.Server))
            && (query.Port == null || r.Port == query.Port)
            && database(r.Database)
            && sourceDatabase(r.SourceDatabase ?? r.Database)
            && (query.State == null || r.State == query.State);
        return _kept.Page(Filter, (skip, first) => _catalog.Page<RestoreRecord>(Filter, skip, first), query.Skip, query.First);
    }

    /// <summary>Activity log entries, newest first.</summary>
    public Page<ActivityEntry> ReadActivity(ActivityQuery query)
    {
        var database = DatabaseNamePattern.AnyOf(query.Database);
        var all = context.Repository.ReadActivity()
            .Where(e => database(e.Database))
            .Where(e => query.Id == null || e.Id == query.Id)
            .Where(e => query.Since == null || e.Time >= query.Since)
            .Reverse().ToList();
        return PageOf(all, query.Skip, query.First);
    }

    /// <summary>Where the repository is, its settings and size.</summary>
    public RepositoryInfo GetRepositoryInfo()
    {
        var file = context.Repository.ReadRepositoryFile();
        var backups = context.Repository.ReadCatalog<BackupRecord>(trustNothing: false).Items.Select(i => i.Entry).ToList();
        return new RepositoryInfo
        {
            Path = context.RepositoryPath,
            FormatVersion = file.FormatVersion,
            Settings = file.Settings,
            BackupCount = backups.Count,
            TotalSizeBytes = backups.Sum(b => b.SizeBytes),
        };
    }
}
