using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace DbBackup.PowerShell.Completion;

/// <summary>Completes -Id of the restore-history cmdlets with the restore ids ("rs-…") in the repository
/// (the one named by -Repository when given), newest first, with source, target and state as the
/// tooltip. Get-DbBackupRestore also takes backup ids, so they follow the restore ids there.</summary>
public sealed class RestoreIdCompleter : IArgumentCompleter
{
    /// <summary>Ids starting with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        var results = Complete(typed, fakeBoundParameters);
        if (commandName == "Get-DbBackupRestore")
            results.AddRange(new BackupIdCompleter().CompleteArgument(commandName, parameterName, typed, commandAst, fakeBoundParameters));
        return results;
    }

    // Separate method: engine-facing code runs only after the module's resolver is registered.
    private static List<CompletionResult> Complete(string typed, IDictionary fakeBoundParameters)
    {
        var results = new List<CompletionResult>();
        foreach (var r in RepositoryCatalog.Restores(fakeBoundParameters))
        {
            if (!r.Id.StartsWith(typed, StringComparison.OrdinalIgnoreCase)) continue;
            results.Add(new CompletionResult(r.Id, r.Id, CompletionResultType.ParameterValue,
                $"{r.BackupId} ({r.SourceDatabase}) → {r.Engine} {r.TargetDatabase}@{r.Server}  {r.State}  {r.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm}"));
        }
        return results;
    }
}
