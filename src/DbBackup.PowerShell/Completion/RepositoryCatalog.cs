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
            var engine = new BackupEngine(RepositoryArgument(fakeBoundParameters), new Worker.PwshWorkerLauncher());
            if (!engine.Repository.Exists) return [];
            return engine.ListBackups(new BackupQuery { First = MaxRecords }).Items;
        }
        catch (Exception)
        {
            return [];
        }
    }

    public static IReadOnlyList<RestoreRecord> Restores(IDictionary fakeBoundParameters)
    {
        try
        {
            var engine = new BackupEngine(RepositoryArgument(fakeBoundParameters), new Worker.PwshWorkerLauncher());
            if (!engine.Repository.Exists) return [];
            return engine.ListRestores(new RestoreQuery { First = MaxRecords }).Items;
        }
        catch (Exception)
        {
            return [];
        }
    }

    public static IReadOnlyList<BackupPolicy> Policies(IDictionary fakeBoundParameters)
    {
        try
        {
            var engine = new BackupEngine(RepositoryArgument(fakeBoundParameters), new Worker.PwshWorkerLauncher());
            if (!engine.Repository.Exists) return [];
            return engine.ListPolicies();
        }
        catch (Exception)
        {
            return [];
        }
    }

    /// <summary>The user databases of the server typed on the command line (-Engine, -Server, -Port,
    /// -Credential), or null when no engine is typed or the server does not answer within two seconds.</summary>
    public static IReadOnlyList<string>? ServerDatabases(IDictionary fakeBoundParameters)
    {
        try
        {
            if (CompletionTarget.From(fakeBoundParameters).ServerToAsk() is not { } server) return null;
            var engine = new BackupEngine(RepositoryArgument(fakeBoundParameters), new Worker.PwshWorkerLauncher());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var listing = engine.ResolveDatabasesAsync(server, new DatabaseSelection { All = true }, timeout.Token);
            return listing.Wait(TimeSpan.FromSeconds(2)) ? listing.Result : null;
        }
        catch (Exception)
        {
            return null;
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
