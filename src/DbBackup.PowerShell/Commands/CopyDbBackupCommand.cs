using System.Collections;
using System.Management.Automation;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Copy-DbBackup: copies backups from -Repository into -Destination (local folder, Azure Blob,
/// S3, either way), re-verifying every checksum while streaming; a backup already there is skipped.
/// Writes the destination's records; a backup that fails is a non-terminating error and the others go on.</summary>
[Cmdlet(VerbsCommon.Copy, "DbBackup", SupportsShouldProcess = true, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(BackupRecord))]
public sealed class CopyDbBackupCommand : DbBackupCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByFilterSet = "ByFilter";
    // An EngineSession, not a BackupRepository: cmdlet classes hold no engine type (see EngineSession).
    private EngineSession? _destination;
    private bool _destinationProbed;

    /// <summary>Backup ids; records from the pipeline (Get-DbBackup) bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>The repository to copy into: a folder, s3://bucket/prefix, azure://container/prefix or a blob URL.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Only backups of this engine.</summary>
    [Parameter(ParameterSetName = ByFilterSet)]
    public DatabaseEngine Engine { get; set; }

    /// <summary>Only backups from this server (localhost, 127.0.0.1 and ::1 are one server).</summary>
    [Parameter(ParameterSetName = ByFilterSet)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Only backups from this port.</summary>
    [Parameter(ParameterSetName = ByFilterSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Only backups of these databases (names or wildcards).</summary>
    [Parameter(ParameterSetName = ByFilterSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(DatabaseNameCompleter))]
    [SupportsWildcards]
    public string[]? Database { get; set; }

    /// <summary>Only backups carrying all these labels.</summary>
    [Parameter(ParameterSetName = ByFilterSet)]
    [LabelArgument]
    public Hashtable? Label { get; set; }

    /// <summary>Only the newest N matching Succeeded backups (as Get-DbBackup -First).</summary>
    [Parameter(ParameterSetName = ByFilterSet)]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; }

    /// <summary>Copies each piped or named id, or every Succeeded backup the filters select.</summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByIdSet)
        {
            foreach (var id in Id!) CopyOne(id, null);
            return;
        }
        IReadOnlyList<BackupRecord> selected;
        try
        {
            selected = Session.Engine.SelectBackupsToCopy(new BackupQuery
            {
                Engine = Bound(nameof(Engine)) ? Engine : null,
                Server = Server,
                Port = Bound(nameof(Port)) ? Port : null,
                Database = Database,
                Labels = Label is null ? null : LabelMap.From(Label),
                First = Bound(nameof(First)) ? First : null,
            });
        }
        catch (Exception e) when (Catchable(e))
        {
            ReportTargetError(e, Database);
            return;
        }
        for (var i = 0; i < selected.Count; i++) CopyOne(selected[i].Id, (i, selected.Count));
    }

    private void CopyOne(string id, (int Index, int Count)? of)
    {
        var destination = DestinationSession.Engine.Repository;
        if (!ShouldProcess($"{id} → {destination.Location}", "Copy backup")) return;
        if (of is { } n)
            WriteProgress(new ProgressRecord(1, "Copy-DbBackup", $"{id} ({n.Index + 1} of {n.Count})") { PercentComplete = 100 * n.Index / n.Count });
        try
        {
            if (!_destinationProbed)
            {
                _destinationProbed = true;
                if (Await(Session.Engine.CopyDestinationWarningAsync(destination, Cancellation)) is { } warning) WriteWarning(warning);
            }
            var result = Await(Session.Engine.CopyAsync(id, destination, Cancellation));
            WriteVerbose(result.Outcome == CopyOutcome.Copied
                ? $"{id}: copied {result.FilesCopied} files ({result.BytesCopied} bytes) into {result.Destination} in {result.Duration.TotalSeconds:0.0} s, every SHA-256 re-verified."
                : $"{id}: already in {result.Destination} (same id, target, time and payload); skipped.");
            WriteObject(result.Record);
        }
        catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
    }

    /// <summary>The destination, opened once (no I/O until the first copy). An address no copy could use
    /// stops the command.</summary>
    private EngineSession DestinationSession
    {
        get
        {
            if (_destination is null)
            {
                try { _destination = EngineSession.Open(ResolveRepository(Destination)); }
                catch (Exception e) when (Catchable(e)) { ThrowTerminatingError(ErrorRecords.From(e, Destination)); }
            }
            return _destination!;
        }
    }

    /// <summary>Ends the progress bar of a filtered copy.</summary>
    protected override void EndProcessing()
    {
        if (ParameterSetName == ByFilterSet) WriteProgress(new ProgressRecord(1, "Copy-DbBackup", "Done") { RecordType = ProgressRecordType.Completed });
    }
}
