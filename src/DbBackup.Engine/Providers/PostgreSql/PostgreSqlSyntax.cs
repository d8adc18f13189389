using System.Globalization;
using System.Text;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Quoting for the places where a name must become SQL, a pg_dump pattern or a libpq
/// connection string. Values that can be parameters are parameters; these are only for identifiers
/// and the few literals SQL does not accept as parameters (CREATE DATABASE options, COPY queries).</summary>
internal static class PostgreSqlSyntax
{
    /// <summary>"name" with embedded quotes doubled, so any name (spaces, dots, quotes, case) is taken literally.</summary>
    public static string Identifier(string name)
    {
        RejectNul(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>"schema"."name".</summary>
    public static string Qualified(string schema, string name) => Identifier(schema) + "." + Identifier(name);

    /// <summary>'text' with embedded single quotes doubled (standard_conforming_strings is on since 9.1,
    /// so backslashes are literal).</summary>
    public static string Literal(string value)
    {
        RejectNul(value);
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>A timestamptz literal for an instant, built from the value (never from user text).</summary>
    public static string TimestampTz(DateTimeOffset value)
        => "'" + value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00'::timestamptz";

    /// <summary>A pg_dump -t pattern matching exactly one relation: inside double quotes the pattern
    /// characters (* ? . $ and letters' case) lose their meaning, and "" stands for one quote.</summary>
    public static string DumpPattern(string schema, string name) => Identifier(schema) + "." + Identifier(name);

    /// <summary>A libpq conninfo "dbname='…'" (backslash and single quote escaped with a backslash).
    /// pg_dump/pg_restore would read a bare name containing '=' as a whole connection string.</summary>
    public static string ConnInfoDatabase(string database)
    {
        RejectNul(database);
        var sb = new StringBuilder("dbname='");
        foreach (var ch in database)
        {
            if (ch is '\\' or '\'') sb.Append('\\');
            sb.Append(ch);
        }
        return sb.Append('\'').ToString();
    }

    private static void RejectNul(string value)
    {
        if (value.Contains('\0'))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidName",
                "A PostgreSQL name or value cannot contain the NUL character.");
    }
}
