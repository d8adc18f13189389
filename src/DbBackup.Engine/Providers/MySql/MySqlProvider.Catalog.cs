using System.Globalization;
using System.Text;
using DbBackup.Model;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>What the provider reads from the server's information_schema: views, a database's default
/// character set and collation, the columns of its tables, and the row counts a restore is checked against.</summary>
public sealed partial class MySqlProvider
{
    /// <summary>Checks COUNT(*) of every loaded table against the rows the backup recorded, so rows the
    /// server did not keep (whatever the reason) fail the restore naming the table instead of passing
    /// unseen: the load itself only counts the rows it sent.</summary>
    internal static async Task VerifyRestoredRowCountsAsync(ConnectionTarget target, string database, IReadOnlyList<MySqlTocTable> tables, CancellationToken cancellationToken)
    {
        if (tables.Count == 0) return;
        var sql = new StringBuilder();
        for (var i = 0; i < tables.Count; i++)
            sql.Append("SELECT ").Append(i).Append(", COUNT(*) FROM ").Append(MySqlSyntax.Qualified(database, tables[i].Name)).Append(";\n");
        var rows = await MySqlConnections.QueryAsync(target, null, sql.ToString(), cancellationToken).ConfigureAwait(false);
        if (rows.Count != tables.Count)
            throw new DbBackupException(ErrorKind.ServerError, "MySqlUnexpectedAnswer", $"Counting the restored tables of '{database}' gave {rows.Count} answers for {tables.Count} tables.");
        foreach (var row in rows)
        {
            var table = tables[int.Parse(row[0], CultureInfo.InvariantCulture)];
            var count = long.Parse(row[1], CultureInfo.InvariantCulture);
            if (count != table.Rows)
                throw new DbBackupException(ErrorKind.InvalidData, "MySqlRestoredRowCountMismatch",
                    $"Table '{table.Name}' restored into '{database}' holds {count} rows; the backup recorded {table.Rows}.") { TargetObject = table.Name };
        }
    }

    /// <summary>Names of the views of <paramref name="target"/>'s database.</summary>
    private static async Task<List<string>> ListViewsAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        var rows = await MySqlConnections.QueryAsync(target, null,
            $"SELECT HEX(table_name) FROM information_schema.tables WHERE table_schema = {MySqlSyntax.StringLiteral(target.Database)} AND table_type = 'VIEW' ORDER BY table_name;",
            cancellationToken).ConfigureAwait(false);
        return rows.Select(r => MySqlSyntax.FromHex(r[0])).ToList();
    }

    internal static async Task<(string Charset, string Collation)> DatabaseDefaultsAsync(ConnectionTarget target, string database, CancellationToken cancellationToken)
    {
        var rows = await MySqlConnections.QueryAsync(target, null,
            "SELECT default_character_set_name, default_collation_name FROM information_schema.schemata WHERE schema_name = " + MySqlSyntax.StringLiteral(database) + ";",
            cancellationToken).ConfigureAwait(false);
        if (rows.Count != 1 || !SqlWordPattern().IsMatch(rows[0][0]) || !SqlWordPattern().IsMatch(rows[0][1]))
            throw new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound", $"Database '{database}' does not exist on {target.Server}:{target.Port}.") { TargetObject = database };
        return (rows[0][0], rows[0][1]);
    }

    /// <summary>Columns of every base table of <paramref name="database"/>, in ordinal order.</summary>
    internal static async Task<Dictionary<string, List<(MySqlColumn Column, bool Generated)>>> LoadColumnsAsync(ConnectionTarget target, string database, CancellationToken cancellationToken)
    {
        var db = MySqlSyntax.StringLiteral(database);
        var rows = await MySqlConnections.QueryAsync(target, null,
            "SELECT HEX(c.table_name), HEX(c.column_name), HEX(c.data_type), HEX(c.column_type), IFNULL(c.character_set_name, ''), " +
            "IF(c.extra LIKE '%VIRTUAL%' OR c.extra LIKE '%STORED%' OR c.extra LIKE '%PERSISTENT%', 1, 0) " +
            "FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name " +
            $"WHERE c.table_schema = {db} AND t.table_type IN {DataTableTypes} ORDER BY c.table_name, c.ordinal_position;",
            cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, List<(MySqlColumn, bool)>>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            var table = MySqlSyntax.FromHex(r[0]);
            var dataType = MySqlSyntax.FromHex(r[2]).ToLowerInvariant();
            var charset = r[4].Length == 0 ? (dataType == "json" ? "utf8mb4" : null) : r[4];
            var column = new MySqlColumn
            {
                Name = MySqlSyntax.FromHex(r[1]), DataType = dataType, ColumnType = MySqlSyntax.FromHex(r[3]),
                CharacterSet = charset, Encoding = MySqlColumn.EncodingFor(dataType),
            };
            if (!MySqlColumn.CarriesBytes(column.Encoding)) column.CharacterSet = null;
            if (!result.TryGetValue(table, out var list)) result[table] = list = [];
            list.Add((column, r[5] == "1"));
        }
        return result;
    }
}
