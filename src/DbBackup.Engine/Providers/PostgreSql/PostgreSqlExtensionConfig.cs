using DbBackup.Engine.Artifacts;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Extension configuration tables, backed up as pg_dump does for a whole database: the tables
/// themselves belong to their extension (CREATE EXTENSION in the schema archive recreates them with the
/// extension's own rows), so only the rows the extension's condition selects are dumped, in the dump's
/// snapshot, and loaded after the other tables' data.</summary>
internal static class PostgreSqlExtensionConfig
{
    private const string Folder = "extension/";

    /// <summary>Writes the selected rows of every configuration table of every extension; null when there is none.</summary>
    public static async Task<List<PostgreSqlTocExtensionTable>?> DumpAsync(NpgsqlConnection conn, IPayloadSink sink, Action<long> onBytes, CancellationToken ct)
    {
        var tables = await PostgreSqlCatalog.ExtensionConfigTablesAsync(conn, ct).ConfigureAwait(false);
        if (tables.Count == 0) return null;
        foreach (var (t, i) in tables.Select((t, i) => (t, i)))
        {
            t.File = $"{Folder}{i + 1:D4}.copy";
            var checksum = new RowSetChecksum();
            await using (var output = sink.Create(t.File))
                await PostgreSqlCopy.CopyOutAsync(conn, CopyOutSql(t), output, checksum, onBytes, ct).ConfigureAwait(false);
            t.Rows = checksum.Rows;
        }
        return tables;
    }

    /// <summary>pg_dump's "COPY (SELECT … FROM ONLY t &lt;condition&gt;) TO stdout": the condition is the
    /// extension's own SQL text, which pg_dump runs the same way.</summary>
    private static string CopyOutSql(PostgreSqlTocExtensionTable t)
        => "COPY (SELECT " + string.Join(", ", t.Columns.Select(PostgreSqlSyntax.Identifier)) + " FROM ONLY " + PostgreSqlSyntax.Qualified(t.Schema, t.Name)
           + (t.Condition.Length == 0 ? "" : " " + t.Condition) + ") TO STDOUT";

    /// <summary>Loads the rows into the tables CREATE EXTENSION made, checking each file's row count.</summary>
    public static async Task RestoreAsync(NpgsqlConnection conn, IReadOnlyList<PostgreSqlTocExtensionTable> tables, Func<string, Stream> open,
        Action<long> onBytes, CancellationToken ct)
    {
        foreach (var t in tables)
        {
            var display = t.Schema + "." + t.Name;
            long rows;
            await using (var input = open(t.File))
            {
                try
                {
                    rows = await PostgreSqlCopy.CopyInAsync(conn, PostgreSqlCopy.CopyInSql(t.Schema, t.Name, t.Columns), input, onBytes, ct).ConfigureAwait(false);
                }
                catch (PostgresException e)
                {
                    await CheckedPayloadStream.VerifyRestAsync(input, ct).ConfigureAwait(false);
                    throw new DbBackupException(ErrorKind.ServerError, "TableRestoreFailed",
                        $"Loading the configuration rows of extension {t.Extension} into {display} from {t.File} failed: {e.SqlState} {e.MessageText}", e) { TargetObject = display };
                }
            }
            if (rows != t.Rows)
                throw new DbBackupException(ErrorKind.InvalidData, "RowCountMismatch", $"{t.File} holds {rows} rows of {display}, but the backup recorded {t.Rows}.") { TargetObject = display };
        }
    }
}
