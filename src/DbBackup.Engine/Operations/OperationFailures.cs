namespace DbBackup.Engine.Operations;

/// <summary>How a failure reads in a record's status message.</summary>
internal static class OperationFailures
{
    public static string Describe(Exception e) => e switch
    {
        DbBackupException d => d.Message,
        // Not always the repository's disk: a restore from an object store stages files in the local temp folder (TMPDIR).
        IOException io when Repository.Storage.StoreFailures.IsDiskFull(io) => $"A disk is full: {io.Message.TrimEnd('.')}. Free space on the disk holding that file (the repository's, or the local temp folder's: TMPDIR) and try again.",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>What an operation that failed with <paramref name="e"/> throws: a DbBackupException as it is,
    /// a full disk as DiskFull, anything else as <paramref name="errorId"/>, all with <paramref name="message"/>.</summary>
    public static DbBackupException Thrown(Exception e, string errorId, string message) => e switch
    {
        DbBackupException d => d,
        IOException io when Repository.Storage.StoreFailures.IsDiskFull(io) => new DbBackupException(ErrorKind.ServerError, "DiskFull", message, e),
        _ => new DbBackupException(ErrorKind.ServerError, errorId, message, e),
    };
}
