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

    /// <summary>Error id of a request the store refused because the credential lacks a right.</summary>
    public const string AccessDeniedId = "StoreAccessDenied";

    /// <summary>Key in <see cref="Exception.Data"/> of a StoreAccessDenied error: the <see cref="StoreRight"/> it lacked.</summary>
    public const string DeniedRightKey = "DbBackup.StoreRight";

    /// <summary>Key in <see cref="Exception.Data"/> of a StoreAccessDenied error: where the credential came from
    /// (an environment variable's name, never its value).</summary>
    public const string CredentialSourceKey = "DbBackup.CredentialSource";

    /// <summary>The right a StoreAccessDenied error (found in <paramref name="e"/> or its inner exceptions) says is
    /// missing, or null when <paramref name="e"/> is not such an error.</summary>
    public static StoreRight? DeniedRight(Exception? e)
    {
        for (var x = e; x != null; x = x.InnerException)
            if (x is DbBackupException { ErrorId: AccessDeniedId } d && d.Data[DeniedRightKey] is StoreRight right) return right;
        return null;
    }

    /// <summary>True when <paramref name="e"/> is a refusal for lack of <paramref name="right"/>.</summary>
    public static bool IsDenied(Exception? e, StoreRight right) => DeniedRight(e) == right;
}
