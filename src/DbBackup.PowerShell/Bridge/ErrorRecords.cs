using System.Management.Automation;
using DbBackup.Engine;

namespace DbBackup.PowerShell.Bridge;

/// <summary>Turns engine errors into ErrorRecords: the engine's stable ErrorId becomes the error id
/// (PowerShell appends ",DbBackup.PowerShell.&lt;Cmdlet&gt;" to form the FullyQualifiedErrorId) and
/// its ErrorKind picks the category.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(Exception exception, object? target)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerException!;
        if (exception is DbBackupException e)
            return InCallersWords(new ErrorRecord(e, e.ErrorId, Category(e.Kind), e.TargetObject ?? target));
        if (exception is OperationCanceledException)
            return new ErrorRecord(exception, "OperationCancelled", ErrorCategory.OperationStopped, target);
        if (exception is UnauthorizedAccessException)
            return new ErrorRecord(exception, "AccessDenied", ErrorCategory.PermissionDenied, target);
        return new ErrorRecord(exception, "UnexpectedError", ErrorCategory.NotSpecified, target);
    }

    /// <summary>An error of the module's own making (not from the engine).</summary>
    public static ErrorRecord Create(string errorId, ErrorCategory category, string message, object? target)
        => InCallersWords(new(new DbBackupException(KindOf(category), errorId, message), errorId, category, target));

    /// <summary>Engine messages name both front ends' options ("--force / -Force"); the user of a cmdlet
    /// reads only the PowerShell ones. ErrorDetails is what PowerShell shows instead of the exception's message.</summary>
    private static ErrorRecord InCallersWords(ErrorRecord record)
    {
        var worded = CallerWording.ForPowerShell(record.Exception.Message);
        if (worded != record.Exception.Message) record.ErrorDetails = new ErrorDetails(worded);
        return record;
    }

    public static ErrorCategory Category(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        ErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        // A version or age refusal: the request is valid, this backup cannot serve it.
        ErrorKind.NotSupported => ErrorCategory.InvalidOperation,
        ErrorKind.Cancelled => ErrorCategory.OperationStopped,
        // The server or its tool answered with an error: the result of the call is not usable.
        ErrorKind.ServerError => ErrorCategory.InvalidResult,
        ErrorKind.Timeout => ErrorCategory.OperationTimeout,
        _ => ErrorCategory.NotSpecified,
    };

    private static ErrorKind KindOf(ErrorCategory category) => category switch
    {
        ErrorCategory.ObjectNotFound => ErrorKind.NotFound,
        ErrorCategory.InvalidOperation or ErrorCategory.ResourceExists => ErrorKind.InvalidOperation,
        ErrorCategory.NotInstalled => ErrorKind.NotInstalled,
        ErrorCategory.OperationStopped => ErrorKind.Cancelled,
        ErrorCategory.InvalidResult => ErrorKind.ServerError,
        _ => ErrorKind.InvalidArgument,
    };
}
