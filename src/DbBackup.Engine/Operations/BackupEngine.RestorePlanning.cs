using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

public sealed partial class BackupEngine
{
    /// <summary>The manifest of a bundle file or backup folder, validated, without importing it.</summary>
    public async Task<BackupRecord> ReadBundleManifestAsync(string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return ValidateImportedManifest(RecordFile.Read<BackupRecord>(Path.Combine(full, "manifest.json")).Record, full);
        if (File.Exists(full)) return (await ReadBundleAsync(full, null, cancellationToken).ConfigureAwait(false)).Manifest;
        throw new DbBackupException(ErrorKind.NotFound, "FileNotFound", $"'{full}' does not exist; give a .dbbackup bundle or a backup folder containing manifest.json.") { TargetObject = path };
    }

    /// <summary>Every check a restore makes before anything is written, and what it will do. A partial
    /// backup never replaces a whole database: a table subset replaces only its tables (refused, naming
    /// them, when objects outside would break), and rows filtered by date never go over an existing database.</summary>
    private async Task<RestorePlan> PlanRestoreOfAsync(BackupRecord backup, RestoreOptions o, bool filesInRepository, CancellationToken ct)
    {
        var named = string.IsNullOrEmpty(o.Target.Database) ? backup.Database : o.Target.Database;
        ValidateTarget(o.Target.WithDatabase(named));
        var target = o.Target.WithDatabase(o.TargetDatabase ?? named);
        ValidateTarget(target);
        CheckRestorable(backup, filesInRepository);
        DataKeyOf(backup);
        var chosen = ChooseTables(backup, o.Tables);
        var provider = Provider(target.Engine);
        var probe = await provider.ProbeAsync(target, ct).ConfigureAwait(false);
        CheckVersion(backup, probe);
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
        if (probe.DatabaseExists && backup.Since is { } since)
            throw new DbBackupException(ErrorKind.InvalidOperation, "PartialRowsOverExistingDatabase",
                $"Backup {backup.Id} holds only the rows of {(backup.Tables.Length > 0 ? string.Join(", ", backup.Tables) : "its tables")} with {backup.DateColumn ?? "their date column"} since {since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z; " +
                $"restoring it over the existing database '{target.Database}' on {where} would lose every older row, so it is refused and nothing was changed. " +
                "Restore it into a new database with -TargetDatabase / --target-database.")
            { TargetObject = backup.Id };
        var plan = new RestorePlan { Backup = backup, Target = target, Action = action, Tables = tables, SkipSafetyBackup = o.SkipSafetyBackup };
        if (action != RestoreAction.NewDatabase && !o.SkipSafetyBackup) KeyForNewBackups();
        if (action != RestoreAction.NewDatabase && !o.Force)
            throw new DbBackupException(ErrorKind.InvalidOperation, "DatabaseExists",
                $"Database '{target.Database}' exists on {where}. {plan.Description} Pass --force / -Force to confirm.", null) { TargetObject = target.Database };
        if (action == RestoreAction.ReplaceTables)
        {
            var blockers = await provider.FindTableReplaceBlockersAsync(target, tables, ct).ConfigureAwait(false);
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
    /// when no names are given. A name the backup does not hold is refused, listing the ones it does.</summary>
    private static IReadOnlyList<TableStat> ChooseTables(BackupRecord backup, IReadOnlyList<string> requested)
    {
        if (requested.Count == 0) return [];
        var available = backup.TableStats.Select(t => new TableInfo(t.Schema, t.Name, [], 0)).ToList();
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
            throw new DbBackupException(ErrorKind.InvalidArgument, "TableNotInBackup",
                $"Backup {backup.Id} has no table {string.Join(", ", unknown)}. It holds: {string.Join(", ", known.Order(StringComparer.Ordinal))}.", e) { TargetObject = unknown.FirstOrDefault() };
        }
        return resolved.Select(r => backup.TableStats.First(t => t.Schema == r.Schema && t.Name == r.Name)).ToList();
    }

    /// <summary>The worker's per-table restore: the record's tables, replaced in (or created with) its database.</summary>
    private static Task ReplaceTablesAsync(RestoreRecord record, BackupRecord backup, ConnectionTarget server, IDatabaseProvider provider,
        Artifacts.PayloadReader reader, RecordTracker<RestoreRecord> tracker)
    {
        var tables = record.Tables.Select(name => backup.TableStats.FirstOrDefault(t => t.ToString() == name)
            ?? throw new DbBackupException(ErrorKind.InvalidData, "TableNotInBackup", $"Restore {record.Id} names table {name}, which backup {backup.Id} does not hold.") { TargetObject = name }).ToList();
        var request = new TableReplaceRequest(server.WithDatabase(record.Database), backup, tables, CreateDatabase: !record.ReplacesTables,
            AsideName(record.Database, record.Id), record.Jobs);
        return provider.ReplaceTablesAsync(request, reader, new Progress<OperationProgress>(p => tracker.Update(r => r.Progress = p)), tracker.Token);
    }
}
