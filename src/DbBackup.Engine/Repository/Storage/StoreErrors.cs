using DbBackup.Model;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>The errors every driver raises the same way, so the layers above branch on the id, never
/// on an SDK's exception type.</summary>
public static class StoreErrors
{
    /// <summary>Error id of a read of an object that does not exist.</summary>
    public const string NotFoundId = "StoreObjectNotFound";

    /// <summary>A read of an object that does not exist.</summary>
    public static DbBackupException NotFound(string location, string key)
        => new DbBackupException(ErrorKind.NotFound, "StoreObjectNotFound", $"'{key}' does not exist in the repository at {location}.") { TargetObject = key };

    /// <summary>True for the error <see cref="NotFound"/> makes.</summary>
    public static bool IsNotFound(Exception e) => e is DbBackupException { ErrorId: NotFoundId };

    /// <summary>Error id of a conditional write or delete that could not be decided in time (the local
    /// store's per-object lock stayed held, e.g. by a writer stopped with SIGSTOP). Nothing was written.</summary>
    public const string BusyId = "StoreObjectBusy";

    /// <summary>A conditional write or delete that could not be decided in time; nothing was written.
    /// Distinct from a failed condition (null / false), which means someone else wrote first.</summary>
    public static DbBackupException Busy(string location, string key)
        => new DbBackupException(ErrorKind.Timeout, "StoreObjectBusy", $"'{key}' in the repository at {location} stayed locked by another writer; nothing was written.") { TargetObject = key };

    /// <summary>True for the error <see cref="Busy"/> makes.</summary>
    public static bool IsBusy(Exception e) => e is DbBackupException { ErrorId: BusyId };
}
