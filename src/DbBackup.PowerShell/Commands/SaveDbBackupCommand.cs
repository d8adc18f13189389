using System.Management.Automation;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Save-DbBackup: writes a backup as one bundle file (every checksum re-checked while copying).
/// A folder as the destination gets &lt;id&gt;.dbbackup inside it.</summary>
[Cmdlet(VerbsData.Save, "DbBackup", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(FileInfo))]
public sealed class SaveDbBackupCommand : DbBackupCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Backup ids; records from the pipeline bind by their Id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(BackupIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Destination file or folder (wildcards allowed when they match one item).</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Destination file or folder, taken literally.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true)]
    [Alias("LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Return the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Saves each id.</summary>
    protected override void ProcessRecord()
    {
        foreach (var id in Id!)
        {
            try
            {
                var literal = ParameterSetName == LiteralPathSet;
                var destination = FileSystemPaths.ResolveDestination(this, literal ? LiteralPath! : Path!, literal);
                if (Directory.Exists(destination)) destination = System.IO.Path.Combine(destination, id + ".dbbackup");
                if (!ShouldProcess(destination, $"Save backup {id}")) continue;
                var file = Await(Session.Engine.SaveAsync(id, destination, Force, Cancellation));
                // Through the provider, so the FileInfo carries PSPath and friends and formats as Get-Item's does.
                if (PassThru) WriteObject(SessionState.InvokeProvider.Item.Get([WildcardPattern.Escape(file.FullName)], true, false), true);
            }
            catch (Exception e) when (Catchable(e)) { ReportError(e, id); }
        }
    }
}
