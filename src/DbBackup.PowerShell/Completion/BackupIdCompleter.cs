using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

using DbBackup.Model;

namespace DbBackup.PowerShell.Completion;

/// <summary>Completes -Id with the backup ids in the repository (the one named by -Repository when given),
/// newest first, showing name, database and state as the tooltip. Commands that only take a finished,
/// good backup (Restore, Save, Test) are offered only Succeeded ones; Stop-DbBackup only running ones.</summary>
public sealed class BackupIdCompleter : IArgumentCompleter
{
    /// <summary>Ids starting with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        Func<BackupRecord, bool> fits = commandName switch
        {
            "Restore-DbBackup" or "Save-DbBackup" or "Test-DbBackup" => b => b.State == OperationState.Succeeded,
            "Stop-DbBackup" => b => b.IsActive,
            _ => _ => true,
        };
        return Complete(typed, fakeBoundParameters, fits);
    }

    // Separate method: engine-facing code runs only after the module's resolver is registered.
    private static List<CompletionResult> Complete(string typed, IDictionary fakeBoundParameters, Func<BackupRecord, bool> fits)
    {
        var results = new List<CompletionResult>();
        foreach (var b in RepositoryCatalog.Backups(fakeBoundParameters))
        {
            if (!b.Id.StartsWith(typed, StringComparison.OrdinalIgnoreCase) || !fits(b)) continue;
            results.Add(new CompletionResult(b.Id, b.Id, CompletionResultType.ParameterValue,
                $"{b.Name}  {b.Engine} {b.Database}@{b.Server}  {b.State}  {b.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm}"));
        }
        return results;
    }
}
