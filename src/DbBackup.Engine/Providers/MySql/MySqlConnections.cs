using System.Globalization;
using System.Reflection;
using System.Text;
using MySqlConnector;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Connections through MySqlConnector. The password goes from the target (or, when none is given, the
/// user's MySQL option files, read only) into the connection string builder in memory and nowhere
/// else: no file is written, no argument, no environment. Errors are
/// mapped to the same ids the client-tool path raises (see <see cref="MySqlErrors"/>).</summary>
internal static class MySqlConnections
{
    /// <summary>The driver named in tool-version facts.</summary>
    public static string DriverVersion { get; } = "MySqlConnector " + (typeof(MySqlConnection).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?");

    /// <summary>Connection settings for <paramref name="target"/>, connected to <paramref name="database"/>
    /// (or none). TLS is used when the server offers it, as the client tools do by default.</summary>
    public static MySqlConnectionStringBuilder Settings(ConnectionTarget target, string? database) => new()
    {
        Server = target.Server,
        Port = (uint)target.Port,
        UserID = target.UserName,
        // No password given: the [client] password of the MySQL option files (~/.my.cnf…), read as the
        // mysql client reads them, so unattended runs work as they did with the client tools.
        Password = target.Password ?? Policies.MySqlOptionFile.FindPassword() ?? "",
        Database = database ?? "",
        CharacterSet = "utf8mb4",
        SslMode = MySqlSslMode.Preferred,
        ConnectionTimeout = 15,
        DefaultCommandTimeout = 0,
        // Rows are read as the server's text, never converted to CLR types that could round.
        TreatTinyAsBoolean = false,
        AllowZeroDateTime = true,
        AllowUserVariables = true,
        AllowLoadLocalInfile = true,
        // Each backup and restore opens a few long sessions: no pool, so a session's state (snapshot,
        // sql_mode) never outlives it and a killed worker leaves nothing behind.
        Pooling = false,
    };

    /// <summary>Opens a connection or throws the mapped error.</summary>
    public static async Task<MySqlConnection> OpenAsync(ConnectionTarget target, string? database, CancellationToken cancellationToken)
    {
        var connection = new MySqlConnection(Settings(target, database).ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            DebugTimings.Mark("mysql connection opened");
            return connection;
        }
        catch (Exception e) when (MySqlErrors.FromDriver(target, e) is { } mapped)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw mapped;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs one or more statements on an open connection; driver errors are mapped.</summary>
    public static async Task ExecuteAsync(MySqlConnection connection, ConnectionTarget target, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new MySqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (MySqlErrors.FromDriver(target, e) is { } mapped) { throw mapped; }
    }

    /// <summary>Runs <paramref name="sql"/> (several statements allowed) on a new connection and returns
    /// every result set's rows as text, as the client prints them in batch mode: NULL as "NULL",
    /// numbers in invariant form, bytes as UTF-8. Callers select names through HEX().</summary>
    public static async Task<List<string[]>> QueryAsync(ConnectionTarget target, string? database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(target, database, cancellationToken).ConfigureAwait(false);
        return await QueryAsync(connection, target, sql, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="QueryAsync(ConnectionTarget, string?, string, CancellationToken)"/> on an open connection.</summary>
    public static async Task<List<string[]>> QueryAsync(MySqlConnection connection, ConnectionTarget target, string sql, CancellationToken cancellationToken)
    {
        var rows = new List<string[]>();
        try
        {
            await using var command = new MySqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            do
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var row = new string[reader.FieldCount];
                    for (var i = 0; i < row.Length; i++)
                        row[i] = reader.IsDBNull(i) ? "NULL" : reader.GetValue(i) switch
                        {
                            byte[] bytes => Encoding.UTF8.GetString(bytes),
                            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                            var v => v.ToString() ?? "",
                        };
                    rows.Add(row);
                }
            } while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (MySqlErrors.FromDriver(target, e) is { } mapped) { throw mapped; }
        DebugTimings.Mark("mysql query answered");
        return rows;
    }
}
