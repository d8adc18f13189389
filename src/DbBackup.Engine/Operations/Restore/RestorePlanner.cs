using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Every check a restore makes before anything is written (the backup, the keys, the target
/// server and its version, the tables), and what the restore will do.</summary>
internal sealed class RestorePlanner(EngineContext context)
{
    /// <summary>Every check a restore makes before anything is written, and what it will do (the backup's
    /// files checked in <paramref name="source"/> when it is stored in another repository than this one). A partial
    /// backup never replaces a whole database: a table subset replaces only its tables (refused, naming
    /// them, when objects outside would break), and rows filtered by date never go over an existing database.</summary>
    public async Task<RestorePlan> PlanRestoreOfAsync(BackupRecord backup, RestoreOptions o, bool filesInRepository, CancellationToken ct, EngineContext? source = null)
    {
        var named = string.IsNullOrEmpty(o.Target.Database) ? backup.Database : o.Target.Database;
        BackupRequestChecks.ValidateTarget(o.Target.WithDatabase(named));
        var target = o.Target.WithDatabase(o.TargetDatabase ?? named);
        BackupRequestChecks.ValidateTarget(target);
        (source ?? context).Payloads.CheckRestorable(backup, filesInRepository);
        var dataKey = EncryptionKeys.DataKeyOf(backup);
        var provider = context.Provider(target.Engine);
        var probe = o.TargetDatabase != null
            ? await provider.ProbeForNewDatabaseAsync(target, ct).ConfigureAwait(false)
            : await provider.ProbeAsync(target, ct).ConfigureAwait(false);
        CheckVersion(backup, probe);
        // A partitioned table holds no rows, so the backup's table list has only its partitions: its
        // payload says which tree each belongs to (a bundle not yet imported is read once it is).
        var partitions = (o.Tables.Count > 0 || (backup.Tables.Length > 0 && probe.DatabaseExists)) && filesInRepository
            ? await provider.PartitionsInAsync(target, (source ?? context).Payloads.PayloadReaderOf(backup, dataKey), ct).ConfigureAwait(false) : [];
        var (chosen, trees) = ChooseTables(backup, o.Tables, partitions);
        var where = $"{target.Engine} {target.Server}:{target.Port}";
        if (o.TargetDatabase != null && probe.DatabaseExists)
            throw new DbBackupException(ErrorKind.InvalidOperation, "TargetDatabaseExists",
                $"Target database '{o.TargetDatabase}' already exists on {where}; -TargetDatabase / --target-database restores only into a new database. " +
                $"Pick a name that does not exist, or drop '{o.TargetDatabase}' first, or restore over it by naming it with -Database / --database '{o.TargetDatabase}' and -Force / --force.")
            { TargetObject = o.TargetDatabase };

        // A table-subset backup over an existing database replaces its own tables only; into a new
        // database it restores as a whole (what it holds), unless tables were chosen.
        var action = !probe.DatabaseExists ? RestoreAction.NewDatabase
            : backup.Tables.Length > 0 || chosen.Count > 0 ? RestoreAction.ReplaceTables : RestoreAction.ReplaceDatabase;
        var tables = (chosen.Count > 0 || action != RestoreAction.ReplaceTables ? chosen : backup.TableStats)
            .OrderBy(t => t.ToString(), StringComparer.Ordinal).ToList();
        // A table-subset backup of a partitioned table replaces it whole, as if it had been named.
        if (chosen.Count == 0 && action == RestoreAction.ReplaceTables)
            trees = ChooseTables(backup, [.. partitions.Select(p => p.Parent).Where(p => !partitions.Any(q => q.Partition == p)).Distinct(StringComparer.Ordinal)], partitions).Trees;
        if (probe.DatabaseExists && backup.Since is { } since)
            throw new DbBackupException(ErrorKind.InvalidOperation, "PartialRowsOverExistingDatabase",
                $"Backup {backup.Id} holds only the rows of {(backup.Tables.Length > 0 ? string.Join(", ", backup.Tables) : "its tables")} with {backup.DateColumn ?? "their date column"} since {since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z; " +
                $"restoring it over the existing database '{target.Database}' on {where} would lose every older row, so it is refused and nothing was changed. " +
                "Restore it into a new database with -TargetDatabase / --target-database.")
            { TargetObject = backup.Id };
        var plan = new RestorePlan { Backup = backup, Target = target, Action = action, Tables = tables, SkipSafetyBackup = o.SkipSafetyBackup };
        if (action != RestoreAction.NewDatabase && !o.SkipSafetyBackup) context.Keys.KeyForNewBackups();
        if (action != RestoreAction.NewDatabase && !o.Force)
            throw new DbBackupException(ErrorKind.InvalidOperation, "DatabaseExists",
                $"Database '{target.Database}' exists on {where}. {plan.Description} Pass --force / -Force to confirm.", null) { TargetObject = target.Database };
        if (action == RestoreAction.ReplaceTables)
        {
            var blockers = await provider.FindTableReplaceBlockersAsync(target, [.. tables, .. trees], ct).ConfigureAwait(false);
            if (blockers.Count > 0)
                throw new DbBackupException(ErrorKind.InvalidOperation, "DependentObjectsOutsideRestore",
                    $"Replacing table(s) {string.Join(", ", tables)} of database '{target.Database}' on {where} would break objects that are not restored with them: " +
                    $"{string.Join("; ", blockers)}. Nothing was changed. Restore into a new database with -TargetDatabase / --target-database, " +
                    "or drop or change those objects first.")
                { TargetObject = blockers[0] };
        }
        return plan;
    }

    /// <summary>The backup's tables named by <paramref name="requested"/> (as pg_restore -t), or none
    /// when no names are given, with the partitioned tables among them (Trees). A partitioned table stands for
    /// all its partitions, sub-partitions included. A name the backup does not hold is refused, listing the
    /// ones it does; so is a partition named without its partitioned table, which cannot be restored alone.</summary>
    private static (IReadOnlyList<TableStat> Tables, IReadOnlyList<TableStat> Trees) ChooseTables(BackupRecord backup, IReadOnlyList<string> requested,
        IReadOnlyList<(string Parent, string Partition)> partitions)
    {
        if (requested.Count == 0) return ([], []);
        var parents = partitions.Select(p => p.Parent).Distinct(StringComparer.Ordinal).ToList();
        var available = backup.TableStats.Select(t => new TableInfo(t.Schema, t.Name, [], 0))
            .Concat(parents.Select(p => new TableInfo(p[..p.IndexOf('.', StringComparison.Ordinal)], p[(p.IndexOf('.', StringComparison.Ordinal) + 1)..], [], 0))).ToList();
        IReadOnlyList<TableInfo> resolved;
        try
        {
            resolved = TableSelection.Resolve(available, requested, backup.Database);
        }
        catch (DbBackupException e) when (e.ErrorId == "UnknownTable")
        {
            var known = available.Select(t => t.QualifiedName).ToList();
            var unknown = requested.Where(r => !known.Any(k => string.Equals(k, r, StringComparison.OrdinalIgnoreCase)
                || string.Equals(k[(k.LastIndexOf('.') + 1)..], r, StringComparison.OrdinalIgnoreCase))).ToList();
            // Partitions come with their partitioned table, which is listed instead of its many partitions.
            var listed = known.Where(k => !partitions.Any(p => p.Partition == k)).Select(k => parents.Contains(k) ? k + " (partitioned)" : k);
            throw new DbBackupException(ErrorKind.InvalidArgument, "TableNotInBackup",
                $"Backup {backup.Id} has no table {string.Join(", ", unknown)}. It holds: {string.Join(", ", listed.Order(StringComparer.Ordinal))}.", e) { TargetObject = unknown.FirstOrDefault() };
        }
        var names = resolved.Select(r => r.QualifiedName).ToList();
        IEnumerable<string> Ancestors(string t) => partitions.Where(p => p.Partition == t).SelectMany(p => Ancestors(p.Parent).Prepend(p.Parent));
        IEnumerable<string> Descendants(string t) => partitions.Where(p => p.Parent == t).SelectMany(p => Descendants(p.Partition).Prepend(p.Partition));
        var alone = names.Where(n => Ancestors(n).Any() && !Ancestors(n).Any(names.Contains)).ToList();
        if (alone.Count > 0)
        {
            var roots = alone.Select(n => Ancestors(n).Last()).Distinct(StringComparer.Ordinal).ToList();
            throw new DbBackupException(ErrorKind.InvalidArgument, "PartitionWithoutParent",
                $"Table(s) {string.Join(", ", alone)} of backup {backup.Id} are partitions of {string.Join(", ", roots)}; a partition cannot be restored without its " +
                $"partitioned table. Name the partitioned table with -Table / --table ({string.Join(", ", roots)}) to restore it with all its partitions. Nothing was changed.")
            { TargetObject = alone[0] };
        }
        var wanted = names.SelectMany(n => Descendants(n).Prepend(n)).ToHashSet(StringComparer.Ordinal);
        return (backup.TableStats.Where(t => wanted.Contains(t.ToString())).ToList(),
            parents.Where(wanted.Contains).Select(p => available.First(a => a.QualifiedName == p)).Select(a => new TableStat { Schema = a.Schema, Name = a.Name }).ToList());
    }

    /// <summary>Refuses an engine mismatch, a flavour mismatch, or a target older than the backup's
    /// server major version, naming the versions that can restore it.</summary>
    public static void CheckVersion(BackupRecord b, ServerProbe target)
    {
        var source = ServerVersions.Parse(b.Engine, b.ServerVersion);
        if (b.Engine != (target.Flavor == "PostgreSQL" ? DatabaseEngine.PostgreSql : DatabaseEngine.MySql))
            throw new DbBackupException(ErrorKind.NotSupported, "EngineMismatch", $"Backup {b.Id} is a {b.Engine} backup; the target is {target.Flavor}.") { TargetObject = b.Id };
        if (b.Engine == DatabaseEngine.MySql && source.Flavor != null && source.Flavor != target.Flavor)
            throw new DbBackupException(ErrorKind.NotSupported, "FlavorMismatch",
                $"Backup {b.Id} was taken from {source.Flavor} {b.ServerVersion}; the target runs {target.Flavor} {target.ServerVersion}. Restore it into {source.Flavor} {source.MajorText} or newer.") { TargetObject = b.Id };
        var targetMajor = ServerVersions.Major(b.Engine, target.Version);
        if (targetMajor < source.Major)
            throw new DbBackupException(ErrorKind.NotSupported, "ServerVersionTooOld",
                $"Backup {b.Id} was taken from {source.Flavor ?? b.Engine.ToString()} {b.ServerVersion}; the target server runs {target.ServerVersion}, an older major version. " +
                $"It can be restored into {source.Flavor ?? b.Engine.ToString()} {source.MajorText} or newer.") { TargetObject = b.Id };
    }
}
