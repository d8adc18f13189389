using System.Text.RegularExpressions;

namespace DbBackup.Cli;

/// <summary>Parser messages in the user's words: System.CommandLine names the CLR type a value failed
/// to parse as ("System.Nullable`1[System.Int32]"), which tells a shell user nothing.</summary>
internal static partial class CliParseErrors
{
    public static string Readable(string message) => ExpectedType().Replace(message, m => "as a " + Describe(m.Groups[1].Value));

    /// <summary>The message with every password given on the command line (the value after --password or
    /// in --password=, as the MySQL tools take it) masked: the parser echoes an unknown argument, and
    /// stderr ends up in CI logs.</summary>
    public static string WithoutPasswords(string message, IReadOnlyList<string> args)
    {
        // Only the quoted token the parser echoes: a short password must not mask letters of the message.
        foreach (var secret in PasswordValues(args))
            message = message.Replace($"'{secret}'", "'***'", StringComparison.Ordinal).Replace($"={secret}'", "=***'", StringComparison.Ordinal);
        return message;
    }

    /// <summary>What to do instead, when the command line tried to give a password (--password, as the
    /// MySQL tools take one, or pg_dump's -W/--password prompt); null otherwise.</summary>
    public static string? PasswordHint(IReadOnlyList<string> args)
        => args.Any(a => a is "--password" or "-W" || a.StartsWith("--password=", StringComparison.Ordinal))
            ? "a password is never an argument (other users see arguments in the process list) and dbbackup never prompts. Set PGPASSWORD or MYSQL_PWD, " +
              "use ~/.pgpass or ~/.my.cnf, or name an environment variable with --password-env NAME."
            : null;

    private static IEnumerable<string> PasswordValues(IReadOnlyList<string> args)
    {
        const string inline = "--password=";
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--password" && i + 1 < args.Count && !args[i + 1].StartsWith('-')) yield return args[i + 1];
            else if (args[i].StartsWith(inline, StringComparison.Ordinal) && args[i].Length > inline.Length) yield return args[i][inline.Length..];
        }
    }

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
