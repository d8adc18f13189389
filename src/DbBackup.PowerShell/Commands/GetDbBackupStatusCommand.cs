using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
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
    [SupportsWildcards]
    public string[]? Database { get; set; }

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
        // One report per database; a wildcard reports every database of the repository's records on
        // that server that it matches.
        foreach (var database in Database ?? [null!])
        {
            try
            {
                var target = new TargetSpec
                {
                    Engine = MyInvocation.BoundParameters.ContainsKey(nameof(Engine)) ? Engine : null,
                    Server = Server,
                    Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null,
                    Database = database is not null && DatabaseNamePattern.HasWildcards(database) ? null : database,
                    ConnectionString = ConnectionString,
                }.Build(requireDatabase: database is null || !DatabaseNamePattern.HasWildcards(database));
                var names = database is not null && DatabaseNamePattern.HasWildcards(database)
                    ? KnownDatabases(target, database)
                    : [target.Database];
                foreach (var name in names) WriteObject(Session.Engine.GetStatus(target.Engine, target.Server, target.Port, name));
            }
            catch (Exception e) when (Catchable(e))
            {
                ReportTargetError(e, database ?? ConnectionString);
            }
        }
    }

    private List<string> KnownDatabases(ConnectionTarget server, string pattern)
    {
        var found = Session.Engine.ListBackups(new BackupQuery { Engine = server.Engine, Server = server.Server, Port = server.Port, Database = [pattern] })
            .Items.Select(b => b.Database).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (found.Count == 0)
            WriteWarning($"No backup in {Session.Engine.RepositoryPath} is of a database on {server.Engine} {server.Server}:{server.Port} matching '{pattern}'.");
        return found;
    }
}
