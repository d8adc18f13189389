using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Restore-DbBackup: restores a backup (by id, or a bundle by -Path) into a database. Checks
/// first, target untouched until they pass; by default a safety backup of the target is taken and the
/// restored copy is swapped in. Returns the RestoreRecord at once, or the final one with -Wait.</summary>
[Cmdlet(VerbsData.Restore, "DbBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = IdSet)]
[OutputType(typeof(RestoreRecord))]
public sealed class RestoreDbBackupCommand : DbBackupCmdlet
{
    private const string IdSet = "Id";
    private const string PathSet = "Path";

    /// <summary>The backup to restore; records from the pipeline bind by their Id.</summary>
    [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string? Id { get; set; }

    /// <summary>A bundle file to restore (imported first).</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Engine of the target server; default the backup's.</summary>
    [Parameter]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Target server; default the backup's server.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Target port; default the backup's (same server) or the engine's.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>The database to replace; default the backup's database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    public string? Database { get; set; }

    /// <summary>A password-free connection string naming the target.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>User name and password for the target server.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Restore into this new database instead of replacing one (no swap, no safety backup needed).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TargetDatabase { get; set; }

    /// <summary>Restore only these tables of the backup (schema.table or table), as pg_restore -t does.
    /// Over an existing database only these tables are replaced; every other object is kept.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Table { get; set; }

    /// <summary>Replace an existing database (or, for a partial restore, its tables), and do not ask for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Do not take a safety backup of the target first: its current data is then gone for good.</summary>
    [Parameter]
    public SwitchParameter SkipSafetyBackup { get; set; }

    /// <summary>PostgreSQL: create the database with the server's default locale when the server lacks the backup's.</summary>
    [Parameter]
    public SwitchParameter UseServerLocale { get; set; }

    /// <summary>Parallel connections for table data.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; }

    /// <summary>Note for the activity log.</summary>
    [Parameter]
    public string? Note { get; set; }

    /// <summary>Wait for the end with a progress bar; Ctrl+C then cancels the restore.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Starts one restore per input. The engine plans it first (every check, nothing changed), so
    /// -WhatIf and -Confirm name exactly what would be replaced.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var spec = new TargetSpec
            {
                Engine = Bound(nameof(Engine)) ? Engine : null,
                Server = Server,
                Port = Bound(nameof(Port)) ? Port : null,
                Database = Database,
                Credential = Credential,
                ConnectionString = ConnectionString,
            };
            var session = Session;
            string? bundle = null;
            if (ParameterSetName == PathSet)
            {
                var file = FileSystemPaths.ResolveExisting(this, Path!, literal: false);
                if (file.Count != 1)
                    throw new DbBackup.Engine.DbBackupException(DbBackup.Engine.ErrorKind.InvalidArgument, "AmbiguousPath",
                        $"-Path '{Path}' matches {file.Count} files; restore takes exactly one bundle.") { TargetObject = Path };
                bundle = file[0];
            }
            var options = BuildOptions(session, spec, Id, bundle);
            // Planned as if forced, so -WhatIf and the prompt describe the replacement.
            var plan = Await(session.Engine.PlanRestoreAsync(Forced(options), Cancellation));
            // In PowerShell the confirmation IS the consent to replace (the CLI's --force has no
            // prompt): an answered prompt, -Confirm:$false or -Force all let the restore replace the
            // target. -Force skips the prompt, but -WhatIf and an explicit -Confirm still win.
            var confirmed = Force && !WhatIfOrConfirmRequested || Ask(plan.Description);
            if (!confirmed) return;

            var engine = Wait ? session.WaitingEngine : session.Engine;
            if (Await(engine.CrossHostLockingWarningAsync(Cancellation)) is { } warning) WriteWarning(warning);
            var record = Await(engine.StartRestoreAsync(Forced(options), Cancellation));
            if (!Wait) { WriteObject(record); return; }
            new OperationWatcher(this, session.Engine).Watch([record.Id], null, cancelOperationsOnStop: true, Cancellation);
        }
        catch (Exception e) when (Catchable(e))
        {
            ReportTargetError(e, (object?)Id ?? Path);
        }
    }

    /// <summary>The confirmation prompt. A host that cannot prompt (pwsh -NonInteractive, or no console
    /// input) fails inside PowerShell with an unhelpful error; say what to do instead.</summary>
    private bool Ask(string description)
    {
        try { return ShouldProcess(description, description + " Continue?", "Restore-DbBackup"); }
        catch (Exception e) when (Catchable(e))
        {
            throw new DbBackup.Engine.DbBackupException(DbBackup.Engine.ErrorKind.InvalidOperation, "ConfirmationUnavailable",
                // Not e.Message: without console input PowerShell's prompt fails with a NullReferenceException,
                // whose text says nothing to the user; the inner exception keeps it for diagnosis.
                "Restore-DbBackup asks before it replaces or creates anything, and this session cannot answer a prompt. " +
                "Pass -Force, or -Confirm:$false, to consent without a prompt.", e);
        }
    }

    private RestoreOptions BuildOptions(EngineSession session, TargetSpec spec, string? backupId, string? bundle)
    {
        // A restore "to where it came from" takes what the parameters leave out from the backup (for a bundle, its
        // manifest, read without importing it: -WhatIf must change nothing), by the engine's rule that dbbackup restore shares.
        var target = Await(session.Engine.ResolveRestoreTargetAsync(spec.Given(), backupId, bundle, Cancellation));
        return new RestoreOptions
        {
            BackupId = backupId,
            BundlePath = bundle,
            Target = spec.WithPassword(target),
            TargetDatabase = TargetDatabase,
            Tables = Table ?? [],
            Force = Force,
            SkipSafetyBackup = SkipSafetyBackup,
            UseServerLocale = UseServerLocale,
            Jobs = Bound(nameof(Jobs)) ? Jobs : null,
            Note = Note,
        };
    }

    private static RestoreOptions Forced(RestoreOptions o) => new()
    {
        BackupId = o.BackupId, BundlePath = o.BundlePath, Target = o.Target, TargetDatabase = o.TargetDatabase, Tables = o.Tables,
        Force = true, SkipSafetyBackup = o.SkipSafetyBackup, UseServerLocale = o.UseServerLocale, Jobs = o.Jobs, Note = o.Note,
    };
}
