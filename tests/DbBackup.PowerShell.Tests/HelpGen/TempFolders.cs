namespace DbBackup.PowerShell.Tests.HelpGen;

/// <summary>A docs folder and an output folder under a fresh temp folder, deleted on dispose.</summary>
internal sealed class TempFolders : IDisposable
{
    public TempFolders()
    {
        Root = Path.Combine(Path.GetTempPath(), "dbbackup-helpgen-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Docs);
    }

    public string Root { get; }
    public string Docs => Path.Combine(Root, "docs");
    public string Output => Path.Combine(Root, "out", "en-US");

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
