using System.Collections.Concurrent;
using System.Net.Sockets;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Opens Npgsql connections for a target and turns connection failures into errors a user
/// can act on. The password stays in the connection string builder in memory only.</summary>
internal static class PostgreSqlConnector
{
    /// <summary>Session settings that make COPY text exact and identical on every connection, so the
    /// dump, the restore and the verify checksums see the same bytes: shortest exact floats, ISO dates,
    /// a fixed time zone and interval style, hex bytea. The search_path is fixed too: reg* values
    /// (regclass, regtype…) are written unqualified when the session's path shows their schema, and a
    /// database's own search_path (ALTER DATABASE … SET) is not yet set on the database a restore fills.
    /// public, the default path without "$user", so the text does not depend on who takes or restores the
    /// backup and backups written under the default path read back as before. xmloption content, as
    /// pg_dump sets it: a DOCUMENT default would refuse to load stored XML fragments. row_security off, as
    /// pg_dump sets it: a role that row-level security applies to gets an error naming the table instead
    /// of a COPY (and a row count) of only the rows the policies show it.</summary>
    private const string CanonicalSession =
        "SET extra_float_digits = 3; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; " +
        "SET TimeZone = 'UTC'; SET bytea_output = 'hex'; SET standard_conforming_strings = on; " +
        "SET search_path = public; SET xmloption = content; SET row_security = off;";

    private const int ConnectTimeoutSeconds = 10;

    /// <summary>One data source per connection string for the process, as Npgsql keeps for a plain NpgsqlConnection
    /// (no pooling, so none holds an idle session).</summary>
    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> DataSources = new(StringComparer.Ordinal);

    /// <summary>A data source without type loading: Npgsql would otherwise read pg_type (and JIT-compile its loader)
    /// once per data source, i.e. once per database a command connects to, before the first statement. Every value the
    /// provider reads or sends through Npgsql is a built-in type (text, name, oid, integers, bool, their arrays), which
    /// Npgsql knows without asking, and table data moves as raw COPY bytes that Npgsql never decodes.</summary>
    private static NpgsqlDataSource NewDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConfigureTypeLoading(t => t.EnableTypeLoading(false));
        return builder.Build();
    }

    /// <summary>Builds the connection string. No pooling: every connection really closes, so DROP and
    /// RENAME DATABASE are never blocked by an idle pooled session.</summary>
    public static string ConnectionString(ConnectionTarget target, string? database = null) => new NpgsqlConnectionStringBuilder
    {
        Host = target.Server,
        Port = target.Port,
        Username = target.UserName,
        Password = target.Password,
        Database = database ?? target.Database,
        Timeout = ConnectTimeoutSeconds,
        CommandTimeout = 0,
        Pooling = false,
        ApplicationName = "DbBackup",
    }.ConnectionString;

    /// <summary>Opens a connection to <paramref name="database"/> (default: the target's) with the
    /// canonical session settings. Throws ConnectionError, AuthenticationError or NotFound (database missing).</summary>
    public static async Task<NpgsqlConnection> OpenAsync(ConnectionTarget target, CancellationToken cancellationToken, string? database = null)
    {
        var db = database ?? target.Database;
        var conn = DataSources.GetOrAdd(ConnectionString(target, db), NewDataSource).CreateConnection();
        try
        {
            await conn.OpenAsync(cancellationToken).ConfigureAwait(false);
            DebugTimings.Mark("postgresql connection opened: " + db);
            // A SQL_ASCII database stores bytes unchecked; sending them to a UTF8 client fails on the first byte
            // above 127 that is not UTF-8 (22021). Its COPY text is raw bytes both ways instead, as pg_dump's
            // (which speaks the database's encoding); the raw COPY stream never decodes them.
            var sqlAscii = conn.PostgresParameters.TryGetValue("server_encoding", out var encoding) && encoding == "SQL_ASCII";
            await using var cmd = new NpgsqlCommand(sqlAscii ? CanonicalSession + " SET client_encoding = 'SQL_ASCII';" : CanonicalSession, conn);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return conn;
        }
        catch (Exception e)
        {
            DebugTimings.Mark("postgresql connection failed: " + db);
            await conn.DisposeAsync().ConfigureAwait(false);
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
            throw Translate(e, target, db);
        }
    }

    /// <summary>Opens a connection to the maintenance database (postgres, else template1) for
    /// server-level statements.</summary>
    public static async Task<NpgsqlConnection> OpenMaintenanceAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(target, cancellationToken, "postgres").ConfigureAwait(false);
        }
        catch (DbBackupException e) when (e.ErrorId == "DatabaseNotFound")
        {
            return await OpenAsync(target, cancellationToken, "template1").ConfigureAwait(false);
        }
    }

    /// <summary>The user-facing error for a failure to open a connection. Never includes the password.</summary>
    public static Exception Translate(Exception e, ConnectionTarget target, string database)
    {
        var where = $"{target.Server}:{target.Port}";
        switch (e)
        {
            case PostgresException pe when pe.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification:
                return new DbBackupException(ErrorKind.AuthenticationError, "AuthenticationFailed",
                    $"PostgreSQL at {where} rejected user '{target.UserName}' for database '{database}': {pe.MessageText}. " +
                    "Check the user name and password (or pg_hba.conf).", e) { TargetObject = target.UserName };
            case PostgresException pe when pe.SqlState == PostgresErrorCodes.InvalidCatalogName:
                return new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound",
                    $"Database '{database}' does not exist on PostgreSQL at {where}.", e) { TargetObject = database };
            case PostgresException pe:
                return new DbBackupException(ErrorKind.ServerError, "ServerError",
                    $"PostgreSQL at {where} refused the connection to '{database}': {pe.SqlState} {pe.MessageText}", e);
            case NpgsqlException ne when ne.Message.Contains("No password has been provided", StringComparison.Ordinal):
                return new DbBackupException(ErrorKind.AuthenticationError, "PasswordRequired",
                    $"No password was given for user '{target.UserName}', and PostgreSQL at {where} requires one. " +
                    "Give it with -Credential / --password-env NAME, the PGPASSWORD environment variable or a ~/.pgpass entry.", e) { TargetObject = target.UserName };
            case NpgsqlException or TimeoutException when e.GetBaseException() is TimeoutException:
                return new DbBackupException(ErrorKind.ConnectionError, "ConnectionTimedOut",
                    $"Connecting to PostgreSQL at {where} (database '{database}') timed out after {ConnectTimeoutSeconds} s: the connection and sign-in did not complete in time. " +
                    "The server or this machine may be overloaded, or the host drops packets (a firewall) instead of answering.", e) { TargetObject = where };
            case NpgsqlException or SocketException or TimeoutException or IOException or OperationCanceledException:
                var reason = e.GetBaseException().Message;
                return new DbBackupException(ErrorKind.ConnectionError, "ConnectionFailed",
                    $"Could not connect to PostgreSQL at {where} (database '{database}'): {reason}. " +
                    "Check the server name, the port and that the server accepts TCP connections.", e) { TargetObject = where };
            default:
                return e;
        }
    }
}
