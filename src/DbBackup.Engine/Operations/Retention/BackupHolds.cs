using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>Holds on backups: a held backup is never removed by retention.</summary>
internal sealed class BackupHolds(EngineContext context)
{
    /// <summary>Puts a hold on a backup (retention never removes it) or releases it.</summary>
    public BackupRecord SetHold(string id, bool hold)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var b = context.Records.GetBackup(id);
            if (b.IsActive)
                throw new DbBackupException(ErrorKind.InvalidOperation, "BackupRunning", $"Backup {id} is {b.State}; a hold is set once it has ended (retention never removes a running backup anyway).") { TargetObject = id };
            if (b.Hold == hold) return b;
            b.Hold = hold;
            if (!context.Repository.WriteBackup(b)) continue;
            context.Log(hold ? "Held" : "HoldReleased", b, hold ? "Retention will keep it until the hold is released." : "Retention applies to it again.");
            return b;
        }
        throw new DbBackupException(ErrorKind.InvalidOperation, "RecordBusy", $"Backup {id} kept changing while its hold was set; try again.") { TargetObject = id };
    }
}
