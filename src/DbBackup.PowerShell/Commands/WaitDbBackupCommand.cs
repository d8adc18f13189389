using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Wait-DbBackup: waits for one or more backups or restores with a progress bar each and
/// returns their final records. Ctrl+C stops waiting; the operations go on.</summary>
[Cmdlet(VerbsLifecycle.Wait, "DbBackup")]
[OutputType(typeof(BackupRecord), typeof(RestoreRecord))]
public sealed class WaitDbBackupCommand : DbBackupCmdlet
{
    private readonly List<string> _ids = [];

    /// <summary>Operation ids; records from the pipeline bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Seconds to wait at most; then each unfinished operation is reported as a timeout error.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Timeout { get; set; }

    /// <summary>Collects the ids; all are waited for together at the end.</summary>
    protected override void ProcessRecord()
    {
        foreach (var id in Id!)
            if (!_ids.Contains(id, StringComparer.Ordinal)) _ids.Add(id);
    }

    /// <summary>Waits for every collected id.</summary>
    protected override void EndProcessing()
    {
        if (_ids.Count == 0) return;
        TimeSpan? timeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? TimeSpan.FromSeconds(Timeout) : null;
        new OperationWatcher(this, Session.Engine).Watch(_ids, timeout, cancelOperationsOnStop: false, Cancellation);
    }
}
