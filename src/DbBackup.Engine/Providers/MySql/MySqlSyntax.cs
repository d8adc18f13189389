using System.Text;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Quoting for SQL sent to MySQL/MariaDB. User text never reaches SQL raw: identifiers are
/// backtick-quoted, string values travel as hex literals, which no sql_mode or charset can reinterpret.</summary>
internal static class MySqlSyntax
{
    /// <summary>`name` with embedded backticks doubled.</summary>
    public static string Identifier(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    /// <summary>`database`.`table`.</summary>
    public static string Qualified(string database, string table) => Identifier(database) + "." + Identifier(table);

    /// <summary>A utf8mb4 string literal compared byte-wise (names are case-sensitive on most servers).</summary>
    public static string StringLiteral(string value)
        => "_utf8mb4 X'" + Convert.ToHexString(Encoding.UTF8.GetBytes(value)) + "' COLLATE utf8mb4_bin";

    /// <summary>Decodes a HEX() column of the client output into text.</summary>
    public static string FromHex(string hex) => Encoding.UTF8.GetString(Convert.FromHexString(hex));

    /// <summary>Whether an object's text, sent over this tool's utf8mb4 connection, reads the same under its
    /// original client character set: always for the UTF-8 sets, and for any set when the text is ASCII.
    /// Otherwise the object is created under utf8mb4, so its body stays exact (a mariadb-dump round trip
    /// re-reads such a body in the old set and garbles its non-ASCII characters instead).</summary>
    public static bool ClientCharsetKeepsText(string clientCharset, string text)
        => clientCharset.StartsWith("utf8", StringComparison.OrdinalIgnoreCase) || Ascii.IsValid(text);
}
