using System.Text.RegularExpressions;

namespace DbBackup.Cli;

/// <summary>Parser messages in the user's words: System.CommandLine names the CLR type a value failed
/// to parse as ("System.Nullable`1[System.Int32]"), which tells a shell user nothing.</summary>
internal static partial class CliParseErrors
{
    public static string Readable(string message) => ExpectedType().Replace(message, m => "as a " + Describe(m.Groups[1].Value));

    private static string Describe(string clrType) => clrType switch
    {
        _ when clrType.Contains("Int32") || clrType.Contains("Int64") => "whole number",
        _ when clrType.Contains("DateTimeOffset") || clrType.Contains("DateTime") => "date/time in ISO-8601 (e.g. 2026-01-31T00:00:00Z)",
        _ when clrType.Contains("Double") || clrType.Contains("Decimal") => "number",
        _ when clrType.Contains("Boolean") => "true or false",
        _ => "value of the expected form",
    };

    [GeneratedRegex(@"as expected type '([^']+)'")]
    private static partial Regex ExpectedType();
}
