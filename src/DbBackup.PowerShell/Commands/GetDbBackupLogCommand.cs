using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Get-DbBackupLog: the repository's activity log, newest first, filtered and paged.</summary>
[Cmdlet(VerbsCommon.Get, "DbBackupLog", SupportsPaging = true)]
[OutputType(typeof(ActivityEntry))]
public sealed class GetDbBackupLogCommand : DbBackupCmdlet
{
    /// <summary>Only entries about this operation; records from the pipeline bind by their Id.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string? Id { get; set; }

    /// <summary>Only entries about this database.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    [SupportsWildcards]
    public string[]? Database { get; set; }

    /// <summary>Only entries at or after this time.</summary>
    [Parameter]
    public DateTime Since { get; set; }

    /// <summary>Writes the matching entries.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var page = Session.Engine.ReadActivity(new ActivityQuery
            {
                Id = Id,
                Database = Database,
                Since = Bound(nameof(Since)) ? new DateTimeOffset(Since) : null,
                Skip = PageSkip,
                First = PageFirst,
            });
            WriteTotalCountIfAsked(page.TotalCount);
            foreach (var entry in page.Items) WriteObject(entry);
        }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Database); }
    }
}
