using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Get-DbBackupStatus: by -Id, the backup or restore with its progress; by target, the
/// StatusReport (is anything running, how did the last backup and restore end).</summary>
[Cmdlet(VerbsCommon.Get, "DbBackupStatus", DefaultParameterSetName = IdSet)]
[OutputType(typeof(BackupRecord), typeof(RestoreRecord), ParameterSetName = [IdSet])]
[OutputType(typeof(StatusReport), ParameterSetName = [TargetSet, ConnectionStringSet])]
public sealed class GetDbBackupStatusCommand : DbBackupCmdlet
{
    private const string IdSet = "Id";
    private const string TargetSet = "Target";
    private const string ConnectionStringSet = "ConnectionString";

    /// <summary>Operation ids (backups or restores).</summary>
    [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Engine of the target server.</summary>
    [Parameter(ParameterSetName = TargetSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ConnectionStringSet)]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Host name or address; default localhost.</summary>
    [Parameter(ParameterSetName = TargetSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>TCP port; default per engine.</summary>
    [Parameter(ParameterSetName = TargetSet, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Target database.</summary>
    [Parameter(ParameterSetName = TargetSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ConnectionStringSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    public string? Database { get; set; }

    /// <summary>A password-free connection string naming the target.</summary>
    [Parameter(ParameterSetName = ConnectionStringSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>Writes the status of each id or of the target.</summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            var session = Session;
            foreach (var id in Id!)
            {
                try { WriteObject(session.Engine.GetOperation(id)); }
                catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
            }
            return;
        }
        try
        {
            var target = new TargetSpec
            {
                Engine = MyInvocation.BoundParameters.ContainsKey(nameof(Engine)) ? Engine : null,
                Server = Server,
                Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null,
                Database = Database,
                ConnectionString = ConnectionString,
            }.Build();
            WriteObject(Session.Engine.GetStatus(target.Engine, target.Server, target.Port, target.Database));
        }
        catch (Exception e) when (Catchable(e))
        {
            ReportTargetError(e, Database ?? ConnectionString);
        }
    }
}
