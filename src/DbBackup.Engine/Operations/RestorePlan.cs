using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>What a restore will do, decided and validated before anything changes: the backup, the
/// database written, whether it replaces the database, only some tables of it, or creates a new one.</summary>
public sealed class RestorePlan
{
    /// <summary>The backup to restore.</summary>
    public required BackupRecord Backup { get; init; }
    /// <summary>Server, credentials and the database written.</summary>
    public required ConnectionTarget Target { get; init; }
    /// <summary>What happens to the database written.</summary>
    public required RestoreAction Action { get; init; }
    /// <summary>The tables restored; empty when every table of the backup is.</summary>
    public required IReadOnlyList<TableStat> Tables { get; init; }
    /// <summary>True when no safety backup is taken first.</summary>
    public bool SkipSafetyBackup { get; init; }

    /// <summary>The database written.</summary>
    public string Database => Target.Database;

    /// <summary>One sentence naming engine, server, port, database and, for a partial restore, the
    /// tables: what -WhatIf and -Confirm show and the activity log records.</summary>
    public string Description
    {
        get
        {
            var where = $"{Target.Engine} database '{Database}' on {Target.Server}:{Target.Port}";
            var from = $"backup {Backup.Id} (of '{Backup.Database}', taken {Backup.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z)";
            var tables = string.Join(", ", Tables.Select(t => t.ToString()));
            var safety = SkipSafetyBackup ? " No safety backup is taken: the replaced data is gone for good." : " A safety backup of the database is taken first.";
            return Action switch
            {
                RestoreAction.ReplaceDatabase => $"Replace the whole {where} with {from}: every table, view and other object in it is replaced.{safety}",
                RestoreAction.ReplaceTables => $"Replace {Tables.Count} table(s) of the existing {where} with their copies in {from}: {tables}. Every other object in '{Database}' is kept as it is.{safety}",
                _ when Tables.Count > 0 => $"Create the new {where} and restore only these tables of {from} into it: {tables}.",
                _ => $"Create the new {where} and restore {from} into it.",
            };
        }
    }
}

/// <summary>What a restore does to the database it writes.</summary>
public enum RestoreAction
{
    /// <summary>Creates a database that does not exist.</summary>
    NewDatabase,
    /// <summary>Replaces an existing database as a whole (restored aside, then swapped in).</summary>
    ReplaceDatabase,
    /// <summary>Replaces only some tables of an existing database, atomically, keeping every other object.</summary>
    ReplaceTables,
}
