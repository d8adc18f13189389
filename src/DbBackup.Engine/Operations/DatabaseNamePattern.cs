using System.Text;
using System.Text.RegularExpressions;

namespace DbBackup.Engine.Operations;

/// <summary>A database name or a wildcard pattern, with PowerShell's wildcard rules in both front ends:
/// <c>*</c> any run, <c>?</c> one character, <c>[a-c]</c> a set, a backtick escapes the next character.
/// A pattern matches case-insensitively (as -Database 'shop_*' does in pwsh); a plain name matches
/// exactly, since database names are case-sensitive on PostgreSQL.</summary>
public sealed class DatabaseNamePattern
{
    private readonly Regex? _regex;

    /// <summary>Parses <paramref name="text"/>.</summary>
    public DatabaseNamePattern(string text)
    {
        Text = text;
        if (HasWildcards(text)) _regex = new Regex(ToRegex(text), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
        else Literal = text.Replace("`", "", StringComparison.Ordinal);
    }

    /// <summary>The pattern as given.</summary>
    public string Text { get; }

    /// <summary>The exact name when the text has no wildcard (escapes removed); null for a pattern.</summary>
    public string? Literal { get; }

    /// <summary>True when <paramref name="name"/> matches.</summary>
    public bool IsMatch(string name) => _regex?.IsMatch(name) ?? string.Equals(name, Literal, StringComparison.Ordinal);

    /// <summary>True when <paramref name="patterns"/> is null or empty (no filter) or any of them matches
    /// <paramref name="name"/> (null: a record without a database, which only "no filter" matches).</summary>
    public static bool MatchesAny(IReadOnlyList<string>? patterns, string? name) => AnyOf(patterns)(name);

    /// <summary><see cref="MatchesAny"/> as a test with the patterns parsed once: a list filters every
    /// catalog entry (100,000 of them) with one query, and a Regex built per entry cost more than the rest
    /// of the list.</summary>
    public static Func<string?, bool> AnyOf(IReadOnlyList<string>? patterns)
    {
        if (patterns is not { Count: > 0 }) return _ => true;
        var parsed = patterns.Select(p => new DatabaseNamePattern(p)).ToArray();
        return name => name != null && parsed.Any(p => p.IsMatch(name));
    }

    /// <summary>Refuses a wildcard where one database is meant (a restore's target):
    /// elsewhere -Database takes patterns, so 'shop_*' here would silently name a database literally
    /// called shop_*.</summary>
    public static void RequireExact(string? name, string option, string why)
    {
        if (name is { Length: > 0 } && HasWildcards(name))
            throw new DbBackupException(ErrorKind.InvalidArgument, "DatabaseWildcardNotAllowed",
                $"{why}, and {option} '{name}' is a wildcard (*, ? or [). Name the database exactly.") { TargetObject = name };
    }

    /// <summary>True when <paramref name="text"/> has an unescaped *, ? or [.</summary>
    public static bool HasWildcards(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '`') { i++; continue; }
            if (text[i] is '*' or '?' or '[') return true;
        }
        return false;
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '`' && i + 1 < pattern.Length) sb.Append(Regex.Escape(pattern[++i].ToString()));
            else if (c == '*') sb.Append(".*");
            else if (c == '?') sb.Append('.');
            else if (c == '[' && pattern.IndexOf(']', i + 1) is var close && close > i + 1)
            {
                var set = pattern[(i + 1)..close];
                sb.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]).Replace("\\-", "-", StringComparison.Ordinal) : Regex.Escape(set).Replace("\\-", "-", StringComparison.Ordinal)).Append(']');
                i = close;
            }
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.Append('$').ToString();
    }
}
