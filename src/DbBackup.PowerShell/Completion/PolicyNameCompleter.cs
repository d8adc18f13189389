using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace DbBackup.PowerShell.Completion;

/// <summary>Completes -Name of the policy cmdlets with the policies stored in the repository (the one
/// named by -Repository when given), with target and schedule as the tooltip.</summary>
public sealed class PolicyNameCompleter : IArgumentCompleter
{
    /// <summary>Names starting with what was typed (case-insensitive, as policy names are matched).</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => Complete((wordToComplete ?? "").Trim('\'', '"'), fakeBoundParameters);

    // Separate method: engine-facing code runs only after the module's resolver is registered.
    private static List<CompletionResult> Complete(string typed, IDictionary fakeBoundParameters)
    {
        var results = new List<CompletionResult>();
        foreach (var p in RepositoryCatalog.Policies(fakeBoundParameters).OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase))
        {
            if (!p.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase)) continue;
            results.Add(new CompletionResult(p.Name, p.Name, CompletionResultType.ParameterValue,
                $"{p.Engine} {p.Database}@{p.Server}  '{p.Schedule}' {p.TimeZone}"));
        }
        return results;
    }
}
