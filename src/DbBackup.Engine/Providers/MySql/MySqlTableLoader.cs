using System.Text;
using DbBackup.Engine.Artifacts;
using MySqlConnector;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Loads one data file into its table through the driver: LOAD DATA LOCAL INFILE fed from the
/// payload stream (every line checked first, see <see cref="MySqlCheckedRowStream"/>), or, where the
/// server refuses local infile (MySQL 8 turns it off by default), batched INSERTs with exact literals.</summary>
internal static class MySqlTableLoader
{
    private const int InsertBatchChars = 1 << 20;

    // No FK or unique checks during the load and 0 kept in AUTO_INCREMENT columns, as the dump tools'
    // output does; strict so that a value the column cannot hold fails (INSERT) or warns (LOAD DATA
    // LOCAL, where the server cannot stop the transfer: its warnings fail the load below).
    private const string SessionSetup = "SET SESSION FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0, time_zone = '+00:00', " +
                                        "sql_mode = 'NO_AUTO_VALUE_ON_ZERO,STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'";

    /// <summary>True when the server accepts LOAD DATA LOCAL INFILE.</summary>
    public static async Task<bool> LocalInfileAllowedAsync(ConnectionTarget target, CancellationToken cancellationToken)
        => (await MySqlConnections.QueryAsync(target, null, "SELECT @@local_infile", cancellationToken).ConfigureAwait(false))[0][0] == "1";

    /// <summary>Loads <paramref name="file"/> (holding <paramref name="expectedRows"/> rows) into the table;
    /// returns the file bytes read.</summary>
    public static async Task<long> LoadAsync(ConnectionTarget target, string database, IPayloadSource source, MySqlTocTable table, string file,
        long expectedRows, bool localInfile, CancellationToken cancellationToken)
    {
        await using var connection = await MySqlConnections.OpenAsync(target, database, cancellationToken).ConfigureAwait(false);
        await MySqlConnections.ExecuteAsync(connection, target, SessionSetup, cancellationToken).ConfigureAwait(false);
        var (rows, bytes) = localInfile
            ? await LoadDataAsync(connection, target, database, source, table, file, cancellationToken).ConfigureAwait(false)
            : await InsertAsync(connection, target, source, table, file, expectedRows, cancellationToken).ConfigureAwait(false);
        if (rows != expectedRows)
            throw new DbBackupException(ErrorKind.InvalidData, "MySqlCorruptDataFile", $"The data file of table '{table.Name}' holds {rows} rows; the backup recorded {expectedRows}.");
        DebugTimings.Mark("data file loaded");
        return bytes;
    }

    private static async Task<(long Rows, long Bytes)> LoadDataAsync(MySqlConnection connection, ConnectionTarget target, string database, IPayloadSource source,
        MySqlTocTable table, string file, CancellationToken cancellationToken)
    {
        await MySqlConnections.ExecuteAsync(connection, target, MySqlLoadWarnings.SessionSetup, cancellationToken).ConfigureAwait(false);
        var stream = new MySqlCheckedRowStream(source.Open(file), table);
        var loader = new MySqlBulkLoader(connection)
        {
            TableName = MySqlSyntax.Qualified(database, table.Name),
            Local = true,
            SourceStream = stream,
            // The stream's bytes are taken as they are: digits, temporal text and the raw bytes of escaped
            // (or hex) fields, which a variable then gives to the column in the column's character set.
            CharacterSet = "binary",
            FieldTerminator = "\t",
            LineTerminator = "\n",
            EscapeCharacter = '\\',
            Timeout = 0,
        };
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            var name = MySqlSyntax.Identifier(column.Name);
            var variable = "@c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (column.Encoding)
            {
                case MySqlValueEncoding.Hex or MySqlValueEncoding.Escaped:
                    loader.Columns.Add(variable);
                    loader.Expressions.Add(column.CharacterSet is { } cs ? $"{name} = CONVERT({variable} USING {cs})" : $"{name} = {variable}");
                    break;
                case MySqlValueEncoding.Bit:
                    // Text assigned to a BIT column would be stored as its bytes, not its number.
                    loader.Columns.Add(variable);
                    loader.Expressions.Add($"{name} = CAST({variable} AS UNSIGNED)");
                    break;
                default:
                    loader.Columns.Add(name);
                    break;
            }
        }
        long rows;
        try
        {
            rows = await loader.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (stream.Failure is { } failure) { throw failure; }
        catch (Exception e) when (MySqlErrors.FromDriver(target, e) is { } mapped) { throw mapped; }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        await ThrowOnLossesAsync(connection, target, database, table, cancellationToken).ConfigureAwait(false);
        if (stream.Rows != rows)
            throw new DbBackupException(ErrorKind.InvalidData, "MySqlLoadRejected",
                $"Loading table '{table.Name}' into '{database}': {stream.Rows} rows were sent and the server kept {rows}.") { TargetObject = table.Name };
        return (rows, stream.BytesRead);
    }

    /// <summary>Fails when the last statement's warnings say a value was not taken as it was.</summary>
    private static async Task ThrowOnLossesAsync(MySqlConnection connection, ConnectionTarget target, string database, MySqlTocTable table, CancellationToken cancellationToken)
    {
        var warnings = await MySqlConnections.QueryAsync(connection, target, "SHOW WARNINGS", cancellationToken).ConfigureAwait(false);
        var count = (await MySqlConnections.QueryAsync(connection, target, "SELECT @@warning_count", cancellationToken).ConfigureAwait(false))[0][0];
        var losses = MySqlLoadWarnings.Losses(warnings, table.Columns);
        // More warnings than listed: the unlisted ones cannot be told apart, so they count as losses.
        if (losses.Count > 0 || count != warnings.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new DbBackupException(ErrorKind.InvalidData, "MySqlLoadRejected",
                $"Loading table '{table.Name}' into '{database}': the server did not take every value as it was ({count} warnings): " +
                $"{string.Join("; ", (losses.Count > 0 ? losses : warnings).Take(3).Select(w => string.Join(" ", w)))}.")
            { TargetObject = table.Name };
    }

    /// <summary>Batched INSERTs with exact literals, in one transaction. Strict, so a value the column cannot
    /// hold fails the statement; except for a table with ENUM error values to bring back (which strict mode
    /// refuses), where each batch's warnings are checked as LOAD DATA's are.</summary>
    private static async Task<(long Rows, long Bytes)> InsertAsync(MySqlConnection connection, ConnectionTarget target, IPayloadSource source,
        MySqlTocTable table, string file, long expectedRows, CancellationToken cancellationToken)
    {
        var head = "INSERT INTO " + MySqlSyntax.Identifier(table.Name) + " (" + string.Join(",", table.Columns.Select(c => MySqlSyntax.Identifier(c.Name))) + ") VALUES ";
        var sql = new StringBuilder();
        long rows = 0;
        var tolerant = MySqlLoadWarnings.MayHoldErrorValues(table.Columns);
        if (tolerant)
            await MySqlConnections.ExecuteAsync(connection, target, MySqlLoadWarnings.SessionSetup + ", sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'", cancellationToken).ConfigureAwait(false);
        await MySqlConnections.ExecuteAsync(connection, target, "START TRANSACTION", cancellationToken).ConfigureAwait(false);
        await using var input = source.Open(file);
        var reader = new MySqlLineReader(input);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!reader.LastLineTerminated)
                throw new DbBackupException(ErrorKind.InvalidData, "MySqlCorruptDataFile", $"The data file of table '{table.Name}' ends in the middle of a row.");
            rows++;
            sql.Append(sql.Length == 0 ? head : ",");
            MySqlRowCodec.AppendTuple(sql, line.Span, table.Columns, table.Name, rows);
            if (sql.Length >= InsertBatchChars)
            {
                await MySqlConnections.ExecuteAsync(connection, target, sql.ToString(), cancellationToken).ConfigureAwait(false);
                if (tolerant) await ThrowOnLossesAsync(connection, target, connection.Database, table, cancellationToken).ConfigureAwait(false);
                sql.Clear();
            }
        }
        if (rows != expectedRows)
            throw new DbBackupException(ErrorKind.InvalidData, "MySqlCorruptDataFile", $"The data file of table '{table.Name}' holds {rows} rows; the backup recorded {expectedRows}.");
        if (sql.Length > 0)
        {
            await MySqlConnections.ExecuteAsync(connection, target, sql.ToString(), cancellationToken).ConfigureAwait(false);
            if (tolerant) await ThrowOnLossesAsync(connection, target, connection.Database, table, cancellationToken).ConfigureAwait(false);
        }
        await MySqlConnections.ExecuteAsync(connection, target, "COMMIT", cancellationToken).ConfigureAwait(false);
        return (rows, reader.BytesRead);
    }
}
