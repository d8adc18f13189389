using System.Text.RegularExpressions;

namespace DbBackup.Tests;

/// <summary>The README calls error ids stable: scripts branch on them (FullyQualifiedErrorId in pwsh,
/// "dbbackup: &lt;ErrorId&gt;:" in the CLI). So every id the code can raise is in the checked list
/// docs/error-ids.md, and the list names no id the code no longer raises: adding or renaming an id
/// without the list fails here.</summary>
public sealed partial class ErrorIdListTests
{
    [Fact]
    public void Every_error_id_in_the_code_is_in_the_checked_list_and_the_list_has_no_other()
    {
        var root = RepositoryRoot();
        var inCode = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => IdInCode().Matches(File.ReadAllText(f)).Select(m => m.Groups["id"].Value))
            .ToHashSet(StringComparer.Ordinal);
        var listed = File.ReadAllLines(Path.Combine(root, "docs", "error-ids.md"))
            .Select(l => IdInList().Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value)
            .ToHashSet(StringComparer.Ordinal);

        Assert.True(inCode.Count > 50, $"only {inCode.Count} ids found in src: the pattern no longer matches how errors are raised");
        var missing = inCode.Except(listed).Order(StringComparer.Ordinal).ToList();
        var stale = listed.Except(inCode).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"docs/error-ids.md is out of date. Raised in src but not listed: [{string.Join(", ", missing)}]. Listed but raised nowhere: [{string.Join(", ", stale)}].");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DbBackup.sln"))) return dir.FullName;
        throw new InvalidOperationException("DbBackup.sln not found above " + AppContext.BaseDirectory);
    }

    // new DbBackupException(<kind>, "Id", …), new ErrorRecord(e, "Id", …), ErrorRecords.Create("Id", …) and ("Id", ErrorCategory.…) pairs.
    [GeneratedRegex(@"(?:new (?:[\w.]+\.)?DbBackupException\(\s*[^,()]+(?:\([^()]*\))?,\s*|new ErrorRecord\(\s*\w+,\s*|ErrorRecords\.Create\(\s*)""(?<id>[A-Z][A-Za-z0-9]+)""|\(\s*""(?<id>[A-Z][A-Za-z0-9]+)"",\s*ErrorCategory\.")]
    private static partial Regex IdInCode();

    // A table row of the list: | `Id` | …
    [GeneratedRegex(@"^\|\s*`(?<id>[A-Z][A-Za-z0-9]+)`\s*\|")]
    private static partial Regex IdInList();
}
