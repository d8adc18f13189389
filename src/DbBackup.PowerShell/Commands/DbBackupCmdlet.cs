using System.Management.Automation;
using DbBackup.PowerShell.Bridge;

namespace DbBackup.PowerShell;

/// <summary>What every DbBackup cmdlet shares: -Repository, the engine opened lazily (only once there is
/// something to do, so -WhatIf never creates a repository), a cancellation token that Ctrl+C trips, and
/// the error conventions.</summary>
public abstract class DbBackupCmdlet : PSCmdlet, IDisposable
{
    private CancellationTokenSource? _cancellation;
    private EngineSession? _session;

    /// <summary>Repository: a folder, s3://bucket/prefix or azure://container/prefix; defaults to $env:DBBACKUP_REPOSITORY, else the per-user default.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>Tripped by Ctrl+C (StopProcessing); passed to every engine call.</summary>
    protected CancellationToken Cancellation => (_cancellation ??= new CancellationTokenSource()).Token;

    /// <summary>Creates the cancellation source for this pipeline.</summary>
    protected override void BeginProcessing() => _cancellation ??= new CancellationTokenSource();

    /// <summary>Ctrl+C: cancels the engine call in progress so the cmdlet returns promptly.</summary>
    protected override void StopProcessing() => _cancellation?.Cancel();

    /// <summary>-Repository resolved against the PowerShell location (not the process directory), or null.
    /// An object-store address (s3://, azure://, a blob URL) passes through as given, and so does a value
    /// PowerShell cannot resolve (an unknown drive such as 'azure:'): the engine then accepts it or
    /// refuses it naming the forms it takes.</summary>
    internal string? RepositoryPath => ResolveRepository(Repository);

    /// <summary>A repository address as <see cref="RepositoryPath"/> resolves -Repository (also for a
    /// second repository, such as Copy-DbBackup's -Destination).</summary>
    internal string? ResolveRepository(string? address)
    {
        if (address is null) return null;
        if (System.Text.RegularExpressions.Regex.IsMatch(address, "^[A-Za-z][A-Za-z0-9+.-]+://")) return address;
        try { return SessionState.Path.GetUnresolvedProviderPathFromPSPath(address); }
        catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or PSArgumentException) { return address; }
    }

    /// <summary>The engine for the current -Repository. Opening it may create the repository, so callers
    /// ask ShouldProcess first. A repository that cannot be opened fails the whole command.</summary>
    internal EngineSession Session
    {
        get
        {
            var path = RepositoryPath;
            if (_session is null || _session.RequestedPath != path)
            {
                try { _session = EngineSession.Open(path); }
                catch (Exception e) { ThrowTerminatingError(ErrorRecords.From(e, Repository)); }
            }
            return _session!;
        }
    }

    /// <summary>True when the parameter <paramref name="name"/> was given: an enum or number left at its
    /// default is "not given", not a filter on that default.</summary>
    protected bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

    /// <summary>-Skip of a SupportsPaging cmdlet as the engine's page requests take it (PowerShell gives a ulong).</summary>
    protected int PageSkip => (int)Math.Min(PagingParameters.Skip, int.MaxValue);

    /// <summary>-First of a SupportsPaging cmdlet as the engine's page requests take it: null for "all"
    /// (PowerShell's default is ulong.MaxValue).</summary>
    protected int? PageFirst => PagingParameters.First >= int.MaxValue ? null : (int)PagingParameters.First;

    /// <summary>Writes the total count object when -IncludeTotalCount was given.</summary>
    protected void WriteTotalCountIfAsked(int totalCount)
    {
        if (PagingParameters.IncludeTotalCount) WriteObject(PagingParameters.NewTotalCount((ulong)totalCount, 1.0));
    }

    /// <summary>True when -WhatIf or -Confirm was given, or $WhatIfPreference is set: then -Force must
    /// not skip ShouldProcess.</summary>
    protected bool WhatIfOrConfirmRequested
        => MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm")
           || LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

    /// <summary>True when -WhatIf is in effect (the switch given, or $WhatIfPreference set and not
    /// overridden by -WhatIf:$false): the cmdlet then checks what it would do, and changes nothing.</summary>
    protected bool WhatIfInEffect
        => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)
            ? LanguagePrimitives.IsTrue(given)
            : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

    /// <summary>A failed input among possibly several: a non-terminating error (nothing once stopping).</summary>
    protected void ReportError(Exception exception, object? target)
    {
        if ((Stopping || Cancellation.IsCancellationRequested) && exception is OperationCanceledException) return;
        WriteError(ErrorRecords.From(exception, target));
    }

    /// <summary>A failure of the command's target: a non-terminating error, as PowerShell's own cmdlets
    /// report a path that does not exist, so -ErrorAction, -ErrorVariable and try/catch with
    /// -ErrorAction Stop behave as with Get-Item. Only a bad argument (a value no input could make
    /// work, like a failed parameter validation) stops the command whatever -ErrorAction says.</summary>
    protected void ReportTargetError(Exception exception, object? target)
    {
        if ((Stopping || Cancellation.IsCancellationRequested) && exception is OperationCanceledException) return;
        var record = ErrorRecords.From(exception, target);
        if (record.CategoryInfo.Category == ErrorCategory.InvalidArgument && !MyInvocation.ExpectingInput) ThrowTerminatingError(record);
        else WriteError(record);
    }

    /// <summary>False for PowerShell's own control-flow exceptions (stop, -ErrorAction Stop), which must
    /// travel up untouched; true for failures the cmdlet reports.</summary>
    protected static bool Catchable(Exception e) => e is not (PipelineStoppedException or ActionPreferenceStopException or HaltCommandException);

    /// <summary>Runs an engine task to completion on the pipeline thread (PowerShell has no
    /// synchronization context there, so blocking cannot deadlock).</summary>
    protected static T Await<T>(Task<T> task) => task.GetAwaiter().GetResult();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        _cancellation?.Dispose();
        GC.SuppressFinalize(this);
    }
}
