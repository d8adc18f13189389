using System.Collections;
using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
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

    /// <summary>Databases to back up: names or wildcards ('shop_*'), also from the pipeline. One backup
    /// (one record) per database.</summary>
    [Parameter(ParameterSetName = TargetSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = ConnectionStringSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    public string[]? Database { get; set; }

    /// <summary>Back up every user database of the server (system databases left out).</summary>
    [Parameter]
    public SwitchParameter AllDatabases { get; set; }

    /// <summary>Databases to leave out of -Database or -AllDatabases: names or wildcards.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? ExcludeDatabase { get; set; }

    /// <summary>How many of this call's backups run at once when it names several databases (default 4).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = BackupEngine.DefaultThrottleLimit;

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

    private readonly List<string> _active = [];
    private bool _warnedAboutStore;
    private readonly List<string> _startedIds = [];

    /// <summary>Starts one backup per database named by this input.</summary>
    protected override void ProcessRecord()
    {
        TargetSpec spec = new()
        {
            Engine = Bound(nameof(Engine)) ? Engine : null,
            Server = Server,
            Port = Bound(nameof(Port)) ? Port : null,
            Credential = Credential,
            ConnectionString = ConnectionString,
        };
        ConnectionTarget server;
        IReadOnlyList<string> databases;
        var engine = Wait ? Session.WaitingEngine : Session.Engine;
        try
        {
            server = spec.Build(requireDatabase: false);
            var selection = new DatabaseSelection
            {
                Databases = Database ?? (server.Database.Length > 0 && !AllDatabases ? [server.Database] : []),
                All = AllDatabases,
                Exclude = ExcludeDatabase ?? [],
            };
            if (selection.NeedsServerList) WriteVerbose($"Listing the databases of {server.Engine} {server.Server}:{server.Port}.");
            databases = Await(engine.ResolveDatabasesAsync(server, selection, Cancellation));
            if (databases.Count > 1) WriteVerbose($"{databases.Count} databases selected: {string.Join(", ", databases)}.");
        }
        catch (Exception e) when (Catchable(e))
        {
            ReportTargetError(e, Database is { Length: > 0 } d ? string.Join(",", d) : ConnectionString);
            return;
        }
        if (!WhatIfInEffect && !_warnedAboutStore)
        {
            _warnedAboutStore = true;
            if (Await(engine.CrossHostLockingWarningAsync(Cancellation)) is { } warning) WriteWarning(warning);
        }
        foreach (var database in databases) StartOne(engine, server with { Database = database });
    }

    /// <summary>With -Wait: watches every backup this call started, together, to its end.</summary>
    protected override void EndProcessing()
    {
        if (Wait && _startedIds.Count > 0)
            new OperationWatcher(this, Session.Engine).Watch(_startedIds, null, cancelOperationsOnStop: true, Cancellation);
    }

    private void StartOne(BackupEngine engine, ConnectionTarget target)
    {
        try
        {
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
            if (WhatIfInEffect)
            {
                // -WhatIf runs every check a real start makes and reports what would fail, as an error.
                WriteVerbose($"Validating {target} (connection, server version, tables{(options.Since is null ? "" : ", date column")}, client tools).");
                var plan = Await(engine.ValidateBackupAsync(options, Cancellation));
                ShouldProcess($"{target} (tables: {(plan.Tables.Length == 0 ? "all" : string.Join(", ", plan.Tables))}" +
                    (plan.Since is { } s ? $"; rows with {plan.DateColumn} >= {s:u}" : "") + $"; {plan.Jobs} job(s); server {plan.ServerVersion})", "Start backup");
                return;
            }
            if (!ShouldProcess(target.ToString(), "Start backup")) return;
            if (_active.Count >= ThrottleLimit)
            {
                WriteVerbose($"{_active.Count} backups of this call are running (-ThrottleLimit {ThrottleLimit}); waiting for one to end before starting {target.Database}.");
                Await(engine.WaitForFreeSlotAsync(_active, ThrottleLimit, Cancellation));
            }
            WriteVerbose($"Repository: {engine.RepositoryPath}");
            WriteVerbose($"Validating {target} (connection, server version, tables{(options.Since is null ? "" : ", date column")}, client tools).");
            var started = System.Diagnostics.Stopwatch.StartNew();
            var record = Await(engine.StartBackupAsync(options, Cancellation));
            WriteDebug($"Validated and recorded in {started.Elapsed.TotalSeconds:0.00} s.");
            WriteVerbose($"Recorded {record.Id} ({record.State}); worker process {record.WorkerProcessId} runs it. " +
                $"Tables: {(record.Tables.Length == 0 ? "all" : string.Join(", ", record.Tables))}" +
                (record.Since is { } since ? $"; rows with {record.DateColumn} >= {since:u}" : "") + $"; {record.Jobs} job(s).");
            _active.Add(record.Id);
            if (Wait) _startedIds.Add(record.Id);
            else WriteObject(record);
        }
        catch (Exception e) when (Catchable(e))
        {
            ReportTargetError(e, target.Database);
        }
    }
}
