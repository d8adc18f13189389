namespace DbBackup.Engine.Providers;

/// <summary>The names of the databases a restore over an existing database uses, derived from the
/// restore id so that whoever finds a dead restore can find what it left on the server: the copy
/// being filled (<c>&lt;db&gt;__restore_&lt;id&gt;</c>) and, during a PostgreSQL swap, the original's
/// previous contents (<c>&lt;db&gt;__retired_&lt;id&gt;</c>). Both fit PostgreSQL's 63-byte limit
/// (which it counts in bytes and silently truncates to), cut on a character boundary.</summary>
public static class RestoreDatabaseNames
{
    private const string AsideMark = "__restore_";
    private const string RetiredMark = "__retired_";

    /// <summary>The database a restore of <paramref name="database"/> fills before swapping it in.</summary>
    public static string Aside(string database, string restoreId) => Stem(database, AsideMark.Length + 6) + AsideMark + restoreId[^6..];

    /// <summary>The name the original gets while <paramref name="aside"/> is swapped in (dropped right
    /// after). Null when <paramref name="aside"/> is not a restore's aside name.</summary>
    public static string? Retired(string aside)
    {
        var at = aside.Length - AsideMark.Length - 6;
        return at >= 0 && aside.AsSpan(at).StartsWith(AsideMark, StringComparison.Ordinal)
            ? aside[..at] + RetiredMark + aside[^6..] : null;
    }

    /// <summary>True for a database DbBackup itself creates and drops while it works: a restore's aside
    /// copy or retired original, a verify's scratch copy, a MySQL per-table restore's old tables. Never
    /// part of "every database" or of a pattern's matches (a scheduled run must not back them up).</summary>
    public static bool IsWorkingDatabase(string name)
        => name.Contains(AsideMark, StringComparison.Ordinal) || name.Contains(RetiredMark, StringComparison.Ordinal)
           || name.StartsWith("dbbackup_verify_", StringComparison.Ordinal) || name.StartsWith("dbbackup_old_", StringComparison.Ordinal);

    private static string Stem(string database, int suffixLength)
    {
        var budget = 63 - suffixLength;
        var stem = new System.Text.StringBuilder();
        var bytes = 0;
        foreach (var rune in database.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > budget) break;
            bytes += rune.Utf8SequenceLength;
            stem.Append(rune.ToString());
        }
        return stem.ToString();
    }
}
