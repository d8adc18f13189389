using System.Collections;
using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Get-DbBackup: lists backup records, newest first, filtered and paged.</summary>
[Cmdlet(VerbsCommon.Get, "DbBackup", SupportsPaging = true)]
[OutputType(typeof(BackupRecord))]
public sealed class GetDbBackupCommand : DbBackupCmdlet
{
    /// <summary>Backup ids.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Only backups of this engine.</summary>
    [Parameter]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Only backups from this server (case-insensitive; localhost, 127.0.0.1 and ::1 are one server).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Only backups from this port.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Only backups of this database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    [SupportsWildcards]
    public string[]? Database { get; set; }

    /// <summary>Only backups in this state.</summary>
    [Parameter]
    public OperationState State { get; set; }

    /// <summary>Only backups of this kind (Manual, SafetyBeforeRestore, Imported).</summary>
    [Parameter]
    public BackupKind Kind { get; set; }

    /// <summary>Only backups carrying all these labels.</summary>
    [Parameter]
    [LabelArgument]
    public Hashtable? Label { get; set; }

    /// <summary>Lists the matching backups (once per piped id).</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var session = Session;
            if (Id is { Length: > 0 })
            {
                foreach (var id in Id) WritePage(session, id);
            }
            else
            {
                if (session.Engine.Repository.IsEmpty)
                    WriteWarning($"The repository '{session.Engine.RepositoryPath}' does not exist: no backups there. Check -Repository (or $env:DBBACKUP_REPOSITORY).");
                WritePage(session, null);
                // A damaged manifest must not make a backup silently disappear from the listing.
                foreach (var problem in session.Engine.Repository.DescribeUnreadableBackups()) WriteWarning(DbBackup.Engine.CallerWording.ForPowerShell(problem));
                foreach (var damage in session.Engine.Repository.DescribeDamagedBackups()) WriteWarning(DbBackup.Engine.CallerWording.ForPowerShell(damage) + " Restore refuses it; verify names every bad file.");
            }
        }
        catch (Exception e) when (Catchable(e))
        {
            ReportError(e, Id);
        }
    }

    private void WritePage(EngineSession session, string? id)
    {
        var engine = session.Engine;
        var query = new BackupQuery
        {
            Id = id,
            Engine = Bound(nameof(Engine)) ? Engine : null,
            Server = Server,
            Port = Bound(nameof(Port)) ? Port : null,
            Database = Database,
            State = Bound(nameof(State)) ? State : null,
            Kind = Bound(nameof(Kind)) ? Kind : null,
            Labels = Label is null ? null : LabelMap.From(Label),
            Skip = PageSkip,
            First = PageFirst,
            CheckPayloads = true,
        };
        var page = engine.ListBackups(query);
        WriteTotalCountIfAsked(page.TotalCount);
        foreach (var record in page.Items) WriteObject(record);
        if (id is not null && page.TotalCount == 0)
            WriteError(ErrorRecords.Create("BackupNotFound", ErrorCategory.ObjectNotFound,
                $"No backup with id '{id}' in {engine.RepositoryPath}. List the ids with Get-DbBackup.", id));
    }
}
