using DbBackup.Engine;

namespace DbBackup.Cli;

/// <summary>Exit codes, one per error kind, so scripts can branch without parsing messages.</summary>
public static class CliErrors
{
    /// <summary>Exit code for a kind of error (1 is "operation ended Failed").</summary>
    public static int ExitCode(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => 2,
        ErrorKind.NotFound => 3,
        ErrorKind.InvalidOperation => 4,
        ErrorKind.ConnectionError => 5,
        ErrorKind.AuthenticationError => 5,
        ErrorKind.NotInstalled => 6,
        ErrorKind.InvalidData => 7,
        ErrorKind.NotSupported => 8,
        ErrorKind.Cancelled => 9,
        ErrorKind.ServerError => 10,
        ErrorKind.Timeout => 11,
        _ => 1,
    };
}
