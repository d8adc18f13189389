namespace DbBackup.Engine;

/// <summary>Why an operation was refused or failed; mapped to ErrorRecord categories and CLI exit codes.</summary>
public enum ErrorKind
{
    /// <summary>A parameter value is wrong (unknown table, bad date, bad engine…).</summary>
    InvalidArgument,
    /// <summary>A named object does not exist (backup id, database, file).</summary>
    NotFound,
    /// <summary>The operation conflicts with the current state (running backup, target busy, file exists).</summary>
    InvalidOperation,
    /// <summary>Could not reach or log in to the server.</summary>
    ConnectionError,
    /// <summary>Wrong password or insufficient privileges.</summary>
    AuthenticationError,
    /// <summary>A required client tool is missing.</summary>
    NotInstalled,
    /// <summary>A checksum, size or format check failed.</summary>
    InvalidData,
    /// <summary>The restore is refused for a version or age reason.</summary>
    NotSupported,
    /// <summary>The operation was cancelled.</summary>
    Cancelled,
    /// <summary>The database server or tool reported an error.</summary>
    ServerError,
    /// <summary>A timeout was reached.</summary>
    Timeout,
}

/// <summary>An error meant for the user: the message names the bad value and what would be accepted.
/// Never carries a password.</summary>
public class DbBackupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DbBackupException(ErrorKind kind, string errorId, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ErrorId = errorId;
    }

    /// <summary>Category of the error.</summary>
    public ErrorKind Kind { get; }

    /// <summary>Stable identifier, e.g. "UnknownTable", used as the PowerShell FullyQualifiedErrorId prefix.</summary>
    public string ErrorId { get; }

    /// <summary>The value the error is about, if any.</summary>
    public object? TargetObject { get; init; }
}
