using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Bridge;

namespace DbBackup.PowerShell;

/// <summary>Import-DbBackup: registers a bundle file (or a copied backup folder) in the repository as
/// an Imported backup. Takes <c>Get-ChildItem *.dbbackup</c> from the pipeline.</summary>
[Cmdlet(VerbsData.Import, "DbBackup", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(BackupRecord))]
public sealed class ImportDbBackupCommand : DbBackupCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Bundle files or backup folders (wildcards allowed).</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Bundle files or backup folders, taken literally; FileInfo objects bind here by PSPath.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>Imports each file.</summary>
    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var given in (literal ? LiteralPath : Path)!)
        {
            IReadOnlyList<string> files;
            try { files = FileSystemPaths.ResolveExisting(this, given, literal); }
            catch (Exception e) when (Catchable(e)) { ReportError(e, given); continue; }
            foreach (var file in files)
            {
                if (!ShouldProcess(file, "Import backup")) continue;
                try { WriteObject(Await(Session.Engine.ImportAsync(file, Cancellation))); }
                catch (Exception e) when (Catchable(e)) { ReportError(e, file); }
            }
        }
    }
}
