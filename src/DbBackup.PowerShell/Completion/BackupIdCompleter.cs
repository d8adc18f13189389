using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace DbBackup.PowerShell.Completion;

/// <summary>Completes -Id with the backup ids in the repository (the one named by -Repository when given),
/// newest first, showing name, database and state as the tooltip.</summary>
public sealed class BackupIdCompleter : IArgumentCompleter
{
    /// <summary>Ids starting with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        return Complete(typed, fakeBoundParameters);
    }

    // Separate method: engine-facing code runs only after the module's resolver is registered.
    private static List<CompletionResult> Complete(string typed, IDictionary fakeBoundParameters)
    {
        var results = new List<CompletionResult>();
        foreach (var b in RepositoryCatalog.Backups(fakeBoundParameters))
        {
            if (!b.Id.StartsWith(typed, StringComparison.OrdinalIgnoreCase)) continue;
            results.Add(new CompletionResult(b.Id, b.Id, CompletionResultType.ParameterValue,
                $"{b.Name}  {b.Engine} {b.Database}@{b.Server}  {b.State}  {b.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm}"));
        }
        return results;
    }
}
