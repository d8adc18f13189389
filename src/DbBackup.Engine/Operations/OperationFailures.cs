namespace DbBackup.Engine.Operations;

/// <summary>How a failure reads in a record's status message.</summary>
internal static class OperationFailures
{
    public static string Describe(Exception e) => e switch
    {
        DbBackupException d => d.Message,
        IOException io when IsDiskFull(io) => "The repository's disk is full: " + io.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 112 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
}
