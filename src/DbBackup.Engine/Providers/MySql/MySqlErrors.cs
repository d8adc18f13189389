using MySqlConnector;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>The user errors for MySQL/MariaDB failures, one wording whether the client tools or the
/// driver met them. The password is never in what the server or tool says and never in a message.</summary>
internal static class MySqlErrors
{
    public static DbBackupException PasswordRequired(ConnectionTarget target) =>
        new DbBackupException(ErrorKind.AuthenticationError, "PasswordRequired",
            $"No password was given for user '{target.UserName}', and the server at {target.Server}:{target.Port} requires one. " +
            "Give it with -Credential / --password-env NAME or the MYSQL_PWD environment variable.") { TargetObject = target.UserName };

    public static DbBackupException AccessDenied(ConnectionTarget target, string who, string said) =>
        new DbBackupException(ErrorKind.AuthenticationError, "MySqlAccessDenied",
            $"The server at {target.Server}:{target.Port} refused the login of user '{target.UserName}'@'{target.Server}': " +
            $"check the user name and password. ({who}: {said})") { TargetObject = target.UserName };

    public static DbBackupException PermissionDenied(ConnectionTarget target, string who, string said) =>
        new DbBackupException(ErrorKind.AuthenticationError, "MySqlPermissionDenied",
            $"User '{target.UserName}' on {target.Server}:{target.Port} lacks a privilege this operation needs. ({who}: {said})");

    public static DbBackupException ConnectFailed(ConnectionTarget target, string who, string said) =>
        new DbBackupException(ErrorKind.ConnectionError, "MySqlConnectionFailed",
            $"Cannot connect to the MySQL/MariaDB server at {target.Server}:{target.Port}: check the host and port and that the server is running. ({who}: {said})")
        { TargetObject = $"{target.Server}:{target.Port}" };

    public static DbBackupException ConnectionLost(ConnectionTarget target, string who, string said) =>
        new DbBackupException(ErrorKind.ConnectionError, "MySqlConnectionLost",
            $"The connection of {who} to the MySQL/MariaDB server at {target.Server}:{target.Port} was lost while it was working " +
            $"(its session was killed, the server restarted or the network dropped); the server or client said: {said}")
        { TargetObject = $"{target.Server}:{target.Port}" };

    public static DbBackupException UnknownDatabase(ConnectionTarget target, string who, string said) =>
        new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound",
            $"Database '{target.Database}' does not exist on {target.Server}:{target.Port}. ({who}: {said})") { TargetObject = target.Database };

    public static DbBackupException ValueTooLarge(ConnectionTarget target, string said) =>
        new DbBackupException(ErrorKind.ServerError, "MySqlValueTooLarge",
            $"A row on {target.Server}:{target.Port} is larger than the server's max_allowed_packet, so it cannot be read or written. " +
            $"Raise max_allowed_packet on the server (up to 1G) and retry. (server: {said})");

    /// <summary>Maps a driver error met while working on <paramref name="target"/> (null when it is not
    /// a MySQL error, e.g. a cancellation, which the caller rethrows as it is).</summary>
    public static DbBackupException? FromDriver(ConnectionTarget target, Exception e)
    {
        // The driver's end-of-stream error is not a MySqlException: the server closed the session mid-answer.
        if (e is EndOfStreamException or IOException && e is not MySqlException)
            return ConnectionLost(target, "MySqlConnector", e.Message);
        if (e is not MySqlException m) return null;
        var said = m.Message.Length > 2000 ? m.Message[..2000] + "…" : m.Message;
        const string who = "MySqlConnector";
        switch (m.Number)
        {
            case 1045: // access denied (login)
                return said.Contains("using password: NO", StringComparison.OrdinalIgnoreCase) ? PasswordRequired(target) : AccessDenied(target, who, said);
            case 1044 or 1142 or 1143 or 1227 or 1370 or 1095: // database, table, column, global privilege, routine, KILL
                return PermissionDenied(target, who, said);
            case 1049:
                return UnknownDatabase(target, who, said);
            case (int)MySqlErrorCode.UnableToConnectToHost:
                // The driver uses this code for a connection that dropped after it had worked too.
                return m.InnerException is IOException or EndOfStreamException || said.Contains("Failed to read", StringComparison.OrdinalIgnoreCase)
                    ? ConnectionLost(target, who, said) : ConnectFailed(target, who, said);
            case 1153 or 1301: // packet too large, result larger than max_allowed_packet
                return ValueTooLarge(target, said);
            case 1927 or 1053 or 1317 or 2013 or 2006: // killed, shutdown, interrupted, lost, gone away
                return ConnectionLost(target, who, said);
        }
        if (m.InnerException is IOException or EndOfStreamException or System.Net.Sockets.SocketException)
            return ConnectionLost(target, who, said);
        return new DbBackupException(ErrorKind.ServerError, "MySqlServerError",
            $"The MySQL/MariaDB server at {target.Server}:{target.Port} reported error {m.Number}: {said}");
    }
}
