using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;

namespace DbBackup.PowerShell;

/// <summary>The target -WhatIf and -Confirm name for an operation id: what it is and on which database, not
/// only the id, so the user knows what a "yes" acts on. An id the repository does not know stays as typed
/// (the command itself then reports it).</summary>
internal static class ConfirmTargets
{
    /// <summary>"bk-… (backup of PostgreSql 127.0.0.1:5432/shop, Running, requested 2026-11-27 03:31:08Z)".</summary>
    public static string Operation(BackupEngine engine, string id)
    {
        IOperationRecord? r;
        try { r = engine.GetOperation(id); }
        catch (DbBackupException) { return id; }
        var what = r.OperationKind == OperationKind.Restore ? "restore into" : "backup of";
        return $"{id} ({what} {r.Engine} {r.Server}:{r.Port}/{r.Database}, {r.State}, requested {r.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ssZ})";
    }

    /// <summary>"rs-… (restore of backup bk-… into PostgreSql 127.0.0.1:5432/shop_copy, Succeeded, requested 2026-11-27 03:38:35Z)".</summary>
    public static string RestoreRecord(BackupEngine engine, string id)
    {
        RestoreRecord r;
        try { r = engine.GetRestore(id); }
        catch (DbBackupException) { return id; }
        return $"{id} (restore of backup {r.BackupId} into {r.Engine} {r.Server}:{r.Port}/{r.Database}, {r.State}, requested {r.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ssZ})";
    }
}
