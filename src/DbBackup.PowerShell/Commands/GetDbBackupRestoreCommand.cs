using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Get-DbBackupRestore: the restore history, newest first, filtered and paged. -Database is the
/// database a restore wrote; -SourceDatabase the database its backup was taken from.</summary>
[Cmdlet(VerbsCommon.Get, "DbBackupRestore", SupportsPaging = true)]
[OutputType(typeof(RestoreRecord))]
public sealed class GetDbBackupRestoreCommand : DbBackupCmdlet
{
    /// <summary>Restore ids ("rs-…"), or backup ids ("bk-…") for the restores of those backups; records
    /// from the pipeline bind by their Id, so Get-DbBackup | Get-DbBackupRestore lists their restores.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RestoreIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Only restores of this backup.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupId { get; set; }

    /// <summary>Only restores to this engine.</summary>
    [Parameter]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Only restores to this server (localhost, 127.0.0.1 and ::1 are one server).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Only restores to this port.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Only restores that wrote this database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    [SupportsWildcards]
    public string[]? Database { get; set; }

    /// <summary>Only restores of backups of this database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? SourceDatabase { get; set; }

    /// <summary>Only restores in this state.</summary>
    [Parameter]
    public OperationState State { get; set; }

    /// <summary>Writes the matching restores.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            foreach (var id in Id is { Length: > 0 } ? Id.Cast<string?>() : [null])
            {
                var ofBackup = id is not null && DbBackup.Engine.Repository.Ids.IsBackupId(id);
                var page = Session.Engine.ListRestores(new RestoreQuery
                {
                    Id = ofBackup ? null : id,
                    BackupId = ofBackup ? id : BackupId,
                    Engine = Bound(nameof(Engine)) ? Engine : null,
                    Server = Server,
                    Port = Bound(nameof(Port)) ? Port : null,
                    Database = Database,
                    SourceDatabase = SourceDatabase,
                    State = Bound(nameof(State)) ? State : null,
                    Skip = PageSkip,
                    First = PageFirst,
                });
                WriteTotalCountIfAsked(page.TotalCount);
                foreach (var record in page.Items) WriteObject(record);
                foreach (var problem in Session.Engine.Repository.DescribeUnreadableRestores()) WriteWarning(DbBackup.Engine.CallerWording.ForPowerShell(problem));
                if (id is not null && !ofBackup && page.TotalCount == 0)
                    WriteError(Bridge.ErrorRecords.Create("RestoreNotFound", ErrorCategory.ObjectNotFound,
                        $"No restore with id '{id}' in {Session.Engine.RepositoryPath}. List them with Get-DbBackupRestore.", id));
            }
        }
        catch (Exception e) when (Catchable(e)) { ReportError(e, (object?)Id ?? BackupId); }
    }
}
