using System.Text;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Rewrites a view's SHOW CREATE VIEW text so that it names its own database nowhere.</summary>
internal static class MySqlViewText
{
    /// <summary><paramref name="create"/> with every `database`. qualifier of <paramref name="database"/>
    /// left out, string literals untouched. MariaDB shows a view it can open with its own database's
    /// qualifiers already left out; one it cannot open (its DEFINER account is gone) comes back as stored,
    /// `db`.`table`.`column`, which restored under another name fails ("Unknown column") or reads the
    /// source database. Other databases' qualifiers stay. Identifiers are backquoted in SHOW CREATE
    /// output (the dump session has no ANSI_QUOTES); '…' and "…" are literals, with doubled quotes and
    /// backslash escapes skipped.</summary>
    public static string WithoutOwnDatabase(string create, string database)
    {
        var own = MySqlSyntax.Identifier(database) + ".";
        if (!create.Contains(own, StringComparison.Ordinal)) return create;
        var sql = new StringBuilder(create.Length);
        var i = 0;
        while (i < create.Length)
        {
            var c = create[i];
            var end = c is '\'' or '"' ? LiteralEnd(create, i) : c == '`' ? IdentifierEnd(create, i) : i + 1;
            if (c == '`' && string.CompareOrdinal(create, i, own, 0, own.Length) == 0)
            {
                i += own.Length;
                continue;
            }
            sql.Append(create, i, end - i);
            i = end;
        }
        return sql.ToString();
    }

    /// <summary>The index after the literal opened at <paramref name="start"/>.</summary>
    private static int LiteralEnd(string text, int start)
    {
        var quote = text[start];
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == '\\') i += 2;
            else if (text[i] == quote && i + 1 < text.Length && text[i + 1] == quote) i += 2;
            else if (text[i] == quote) return i + 1;
            else i++;
        }
        return text.Length;
    }

    /// <summary>The index after the backquoted identifier opened at <paramref name="start"/> (`` inside it
    /// is one backquote).</summary>
    private static int IdentifierEnd(string text, int start)
    {
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == '`' && i + 1 < text.Length && text[i + 1] == '`') i += 2;
            else if (text[i] == '`') return i + 1;
            else i++;
        }
        return text.Length;
    }
}
