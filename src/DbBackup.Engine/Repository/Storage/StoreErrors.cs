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
}
