using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.PowerShell.Completion;

/// <summary>Read-only look into a repository for tab completion: never creates one, never throws
/// (a completer that fails only shows nothing), and reads at most a bounded number of records.</summary>
internal static class RepositoryCatalog
{
    private const int MaxRecords = 500;

    public static IReadOnlyList<BackupRecord> Backups(IDictionary fakeBoundParameters)
    {
        try
        {
            var path = RepositoryLocation.Resolve(RepositoryArgument(fakeBoundParameters));
            if (!RepositoryLocation.IsInitialized(path)) return [];
            var engine = new BackupEngine(path, new Worker.PwshWorkerLauncher());
            return engine.ListBackups(new BackupQuery { First = MaxRecords }).Items;
        }
        catch (Exception)
        {
            return [];
        }
    }

    // -Repository as typed: relative to the PowerShell location, like the cmdlet will resolve it.
    private static string? RepositoryArgument(IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters["Repository"] is not { } value) return null;
        var text = value is PSObject ps ? ps.BaseObject?.ToString() : value.ToString();
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (Path.IsPathRooted(text)) return text;
        var here = Runspace.DefaultRunspace?.SessionStateProxy.Path.CurrentFileSystemLocation.ProviderPath;
        return here is null ? text : Path.Combine(here, text);
    }
}
