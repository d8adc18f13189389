namespace DbBackup.Engine.Operations;

/// <summary>How a failure reads in a record's status message.</summary>
internal static class OperationFailures
{
    public static string Describe(Exception e) => e switch
    {
        DbBackupException d => d.Message,
        IOException io when Repository.Storage.StoreFailures.IsDiskFull(io) => "The repository's disk is full: " + io.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
