using System.Collections;
using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Start-DbBackup: validates the target, records a Pending backup, starts the detached worker
/// and returns the record at once; with -Wait, shows progress and returns the final record.</summary>
[Cmdlet(VerbsLifecycle.Start, "DbBackup", SupportsShouldProcess = true, DefaultParameterSetName = TargetSet)]
[OutputType(typeof(BackupRecord))]
public sealed class StartDbBackupCommand : DbBackupCmdlet
{
    private const string TargetSet = "Target";
    private const string ConnectionStringSet = "ConnectionString";

    /// <summary>Engine of the source server.</summary>
    [Parameter(ParameterSetName = TargetSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ConnectionStringSet)]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Host name or address; default localhost.</summary>
    [Parameter(ParameterSetName = TargetSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>TCP port; default 5432 (PostgreSQL) or 3306 (MySQL).</summary>
    [Parameter(ParameterSetName = TargetSet, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Database to back up.</summary>
    [Parameter(ParameterSetName = TargetSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ConnectionStringSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    public string? Database { get; set; }

    /// <summary>A password-free connection string (URI or key=value).</summary>
    [Parameter(ParameterSetName = ConnectionStringSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>User name and password for the server.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Tables to include; all when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Table { get; set; }

    /// <summary>Only rows whose date column is at or after this time.</summary>
    [Parameter]
    public DateTime Since { get; set; }

    /// <summary>The date column -Since filters on; detected when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DateColumn { get; set; }

    /// <summary>Name of the backup; default the UTC start time (yyyyMMddHHmmss).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Free-text note.</summary>
    [Parameter]
    public string? Note { get; set; }

    /// <summary>Labels as key = value pairs.</summary>
    [Parameter]
    [LabelArgument]
    public Hashtable? Label { get; set; }

    /// <summary>http(s) URL that receives the result when the backup ends.</summary>
    [Parameter]
    public Uri? CallbackUri { get; set; }

    /// <summary>Parallel connections for table data.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; }

    /// <summary>Payload compression (default Zstd; Gzip for the stock-tools restore recipe).</summary>
    [Parameter]
    public CompressionKind Compression { get; set; } = CompressionKind.Zstd;

    /// <summary>Wait for the end with a progress bar; Ctrl+C then cancels the backup.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Starts one backup per input.</summary>
    protected override void ProcessRecord()
    {
        TargetSpec spec = new()
        {
            Engine = Bound(nameof(Engine)) ? Engine : null,
            Server = Server,
            Port = Bound(nameof(Port)) ? Port : null,
            Database = Database,
            Credential = Credential,
            ConnectionString = ConnectionString,
        };
        try
        {
            var target = spec.Build();
            if (!ShouldProcess(target.ToString(), "Start backup")) return;
            var options = new BackupOptions
            {
                Target = target,
                Tables = Table ?? [],
                Since = Bound(nameof(Since)) ? new DateTimeOffset(Since) : null,
                DateColumn = DateColumn,
                Name = Name,
                Note = Note,
                Labels = LabelMap.From(Label),
                CallbackUrl = CallbackUri?.OriginalString,
                Jobs = Bound(nameof(Jobs)) ? Jobs : null,
                Compression = Compression,
            };
            var engine = Session.Engine;
            WriteVerbose($"Repository: {engine.RepositoryPath}");
            WriteVerbose($"Validating {target} (connection, server version, tables{(options.Since is null ? "" : ", date column")}, client tools).");
            var started = System.Diagnostics.Stopwatch.StartNew();
            var record = Await(engine.StartBackupAsync(options, Cancellation));
            WriteDebug($"Validated and recorded in {started.Elapsed.TotalSeconds:0.00} s.");
            WriteVerbose($"Recorded {record.Id} ({record.State}); worker process {record.WorkerProcessId} runs it. " +
                $"Tables: {(record.Tables.Length == 0 ? "all" : string.Join(", ", record.Tables))}" +
                (record.Since is { } since ? $"; rows with {record.DateColumn} >= {since:u}" : "") + $"; {record.Jobs} job(s).");
            if (!Wait) { WriteObject(record); return; }
            new OperationWatcher(this, engine).Watch([record.Id], null, cancelOperationsOnStop: true, Cancellation);
        }
        catch (Exception e) when (Catchable(e))
        {
            ReportTargetError(e, Database ?? ConnectionString);
        }
    }

    private bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);
}
