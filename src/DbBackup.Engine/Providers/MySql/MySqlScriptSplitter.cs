using System.Text;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Splits a SQL script into the statements the mariadb/mysql client would send: at the current
/// delimiter outside quotes ('…', "…", `…`) and comments, with <c>DELIMITER x</c> lines changing the
/// delimiter (client syntax, never sent). Comments stay in their statement (routine bodies keep them);
/// comment-only pieces are dropped, executable comments (<c>/*!50003 … */</c>) count as statements. So the scripts mariadb-dump writes, and ours, apply
/// through the driver without the client.</summary>
internal static class MySqlScriptSplitter
{
    /// <summary>The statements of <paramref name="script"/>, in order, without their delimiters.
    /// <paramref name="noBackslashEscapes"/> says whether the session's sql_mode now has
    /// NO_BACKSLASH_ESCAPES (a backslash then ends nothing: <c>'\'</c> is one backslash), as the client
    /// learns it from the server after each statement; it is asked lazily, before each statement.</summary>
    public static IEnumerable<string> Split(string script, Func<bool>? noBackslashEscapes = null)
    {
        var backslashEscapes = true;
        var delimiter = ";";
        var current = new StringBuilder();
        var meaningful = false;
        var i = 0;
        var atLineStart = true;
        while (i < script.Length)
        {
            if (atLineStart && current.Length == 0 || atLineStart && !meaningful)
            {
                // DELIMITER is only recognised at the start of a statement, on a line of its own.
                var lineEnd = script.IndexOf('\n', i);
                var line = (lineEnd < 0 ? script[i..] : script[i..lineEnd]).Trim();
                if (line.StartsWith("DELIMITER ", StringComparison.OrdinalIgnoreCase) || line.StartsWith("delimiter ", StringComparison.Ordinal))
                {
                    delimiter = line[10..].Trim();
                    if (delimiter.Length == 0) throw new DbBackupException(ErrorKind.InvalidData, "MySqlScriptInvalid", "A script sets an empty DELIMITER.");
                    i = lineEnd < 0 ? script.Length : lineEnd + 1;
                    current.Clear();
                    meaningful = false;
                    continue;
                }
            }
            if (!meaningful) backslashEscapes = !(noBackslashEscapes?.Invoke() ?? false);
            atLineStart = false;
            var c = script[i];
            if (c is '\'' or '"' or '`')
            {
                var end = QuotedEnd(script, i, backslashEscapes);
                current.Append(script, i, end - i);
                meaningful = true;
                i = end;
                continue;
            }
            if (c == '#' || c == '-' && script.AsSpan(i).StartsWith("--") && (i + 2 == script.Length || char.IsWhiteSpace(script[i + 2])))
            {
                // Kept in the statement (a routine body keeps its comments), but a comment alone is no statement.
                var end = script.IndexOf('\n', i);
                end = end < 0 ? script.Length : end;
                current.Append(script, i, end - i);
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < script.Length && script[i + 1] == '*')
            {
                var end = script.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? script.Length : end + 2;
                current.Append(script, i, end - i);
                if (i + 2 < script.Length && script[i + 2] == '!') meaningful = true;
                i = end;
                continue;
            }
            if (script.AsSpan(i).StartsWith(delimiter, StringComparison.Ordinal))
            {
                if (meaningful) yield return current.ToString().Trim();
                current.Clear();
                meaningful = false;
                i += delimiter.Length;
                continue;
            }
            if (c == '\n') atLineStart = true;
            if (!char.IsWhiteSpace(c)) meaningful = true;
            current.Append(c);
            i++;
        }
        if (meaningful) yield return current.ToString().Trim();
    }

    /// <summary>Index just past the quoted text starting at <paramref name="start"/> (doubled quotes and,
    /// in strings, backslash escapes stay inside).</summary>
    private static int QuotedEnd(string script, int start, bool backslashEscapes)
    {
        var quote = script[start];
        var i = start + 1;
        while (i < script.Length)
        {
            var c = script[i];
            if (c == '\\' && quote != '`' && backslashEscapes) { i += 2; continue; }
            if (c == quote)
            {
                if (i + 1 < script.Length && script[i + 1] == quote) { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        return script.Length;
    }
}
