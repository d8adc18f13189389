using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace DbBackup.PowerShell.Completion;

/// <summary>Completes -Database: with the server's own databases when -Engine (and the server) are typed
/// and it answers, else with the databases that have backups in the repository, narrowed by the
/// -Engine, -Server and -Port typed.</summary>
public sealed class DatabaseNameCompleter : IArgumentCompleter
{
    /// <summary>Database names starting with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        return Complete(typed, fakeBoundParameters);
    }

    private static List<CompletionResult> Complete(string typed, IDictionary fakeBoundParameters)
    {
        var typedTarget = CompletionTarget.From(fakeBoundParameters);
        var names = RepositoryCatalog.ServerDatabases(fakeBoundParameters)
            ?? RepositoryCatalog.Backups(fakeBoundParameters).Where(b => typedTarget.Matches(b.Engine, b.Server, b.Port)).Select(b => b.Database);
        return names
            .Where(d => d.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.OrdinalIgnoreCase)
            .Select(d => new CompletionResult(Quote(d), d, CompletionResultType.ParameterValue, d))
            .ToList();
    }

    private static string Quote(string name) => name.Any(c => char.IsWhiteSpace(c) || "'\"`$;,(){}@#&|<>".Contains(c))
        ? "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'"
        : name;
}
