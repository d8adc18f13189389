using System.Diagnostics;
using System.Text;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Runs the official MySQL/MariaDB client tools (mariadb or mysql, mariadb-dump or
/// mysqldump) and maps their failures to user errors. The password reaches each tool in its own
/// environment (MYSQL_PWD, which the mariadb and mysql clients read: checked with the MariaDB 10.11
/// mariadb and mariadb-dump; MySQL 8 deprecates it but still reads it), never on the command line and
/// never in a file: a file outlives a worker killed with kill -9, an environment dies with the
/// process. /proc/&lt;pid&gt;/environ is readable only by the same user (and root), who could read the
/// worker's memory anyway. User, host and port are not secret and go on the command line.</summary>
internal static class MySqlClientTools
{
    /// <summary>Client tool names, preferred first.</summary>
    public static readonly string[] ClientNames = ["mariadb", "mysql"];

    /// <summary>Dump tool names, preferred first.</summary>
    public static readonly string[] DumpNames = ["mariadb-dump", "mysqldump"];

    /// <summary>Path of the client tool, or a NotInstalled error naming both names.</summary>
    public static string Client => ToolRunner.Require("MySQL/MariaDB access", ClientNames);

    /// <summary>Path of the dump tool, or a NotInstalled error naming both names.</summary>
    public static string Dump => ToolRunner.Require("MySQL/MariaDB backup", DumpNames);

    /// <summary>Client arguments for machine-readable output: batch (tab-separated), raw (no escaping;
    /// callers select only tab- and newline-free forms such as HEX()), no headers, and quick (rows are
    /// streamed, not buffered in the client).</summary>
    public static List<string> QueryArgs(string? database)
    {
        var args = new List<string>
        {
            "--batch", "--raw", "--skip-column-names", "--quick",
            "--default-character-set=utf8mb4", "--max-allowed-packet=1073741824", "--connect-timeout=15",
        };
        if (database != null) args.Add("--database=" + database);
        return args;
    }

    /// <summary>Client arguments for feeding a SQL script (dump output, INSERT batches) on stdin. The
    /// client stops at the first error (no --force) and exits non-zero.</summary>
    public static List<string> ScriptArgs(string database) =>
    [
        "--batch", "--binary-mode", "--default-character-set=utf8mb4",
        "--max-allowed-packet=1073741824", "--connect-timeout=15", "--database=" + database,
    ];

    /// <summary>Starts <paramref name="tool"/> connected to <paramref name="target"/>'s server: connection
    /// arguments first, the password in the child's environment only.</summary>
    public static Process Start(ConnectionTarget target, string tool, IEnumerable<string> args, bool redirectStdin = false)
    {
        var environment = target.Password == null ? null : new Dictionary<string, string> { ["MYSQL_PWD"] = target.Password };
        List<string> all =
        [
            "--user=" + target.UserName, "--host=" + target.Server,
            "--port=" + target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args,
        ];
        return ToolRunner.Start(tool, all, environment, redirectStdin);
    }

    /// <summary>Runs <paramref name="sql"/> through the client and returns the rows (tab-split).</summary>
    public static async Task<List<string[]>> QueryAsync(ConnectionTarget target, string? database, string sql, CancellationToken cancellationToken)
    {
        var client = Client;
        var stdout = await RunAsync(target, client, QueryArgs(database), sql, cancellationToken).ConfigureAwait(false);
        var rows = new List<string[]>();
        foreach (var line in stdout.Split('\n'))
            if (line.Length > 0) rows.Add(line.Split('\t'));
        return rows;
    }

    /// <summary>Runs a tool to completion with <paramref name="stdin"/> as input; returns stdout.</summary>
    public static async Task<string> RunAsync(ConnectionTarget target, string tool, IEnumerable<string> args, string? stdin, CancellationToken cancellationToken)
    {
        using var process = Start(target, tool, args, redirectStdin: stdin != null);
        using var kill = cancellationToken.Register(() => ToolRunner.Kill(process));
        var stderr = ToolRunner.CollectStderrAsync(process);
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        if (stdin != null)
        {
            try
            {
                var bytes = Encoding.UTF8.GetBytes(stdin);
                await process.StandardInput.BaseStream.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException) { /* the tool exited early; its stderr says why */ }
        }
        var output = await stdout.ConfigureAwait(false);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0) throw Failure(target, tool, process.ExitCode, error);
        return output;
    }

    /// <summary>Waits for a streaming process and throws the mapped error on a non-zero exit.</summary>
    public static async Task WaitAsync(ConnectionTarget target, string tool, Process process, Task<string> stderr, CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0) throw Failure(target, tool, process.ExitCode, error);
    }

    /// <summary>Maps a tool's stderr to a user error. The password is never in stderr (the tools do
    /// not echo it) and never in the message we build.</summary>
    public static DbBackupException Failure(ConnectionTarget target, string tool, int exitCode, string stderr)
    {
        var said = stderr.Trim();
        if (said.Length > 2000) said = said[..2000] + "…";
        var name = Path.GetFileName(tool);
        if (said.Contains("Access denied", StringComparison.OrdinalIgnoreCase) && said.Contains("using password: NO", StringComparison.OrdinalIgnoreCase))
            return new DbBackupException(ErrorKind.AuthenticationError, "PasswordRequired",
                $"No password was given for user '{target.UserName}', and the server at {target.Server}:{target.Port} requires one. " +
                "Give it with -Credential / --password-env NAME or the MYSQL_PWD environment variable.") { TargetObject = target.UserName };
        if (said.Contains("Access denied", StringComparison.OrdinalIgnoreCase) &&
            (said.Contains("1045", StringComparison.Ordinal) || said.Contains("using password", StringComparison.OrdinalIgnoreCase)))
            return new DbBackupException(ErrorKind.AuthenticationError, "MySqlAccessDenied",
                $"The server at {target.Server}:{target.Port} refused the login of user '{target.UserName}'@'{target.Server}': " +
                $"check the user name and password. ({name}: {said})") { TargetObject = target.UserName };
        if (said.Contains("Access denied", StringComparison.OrdinalIgnoreCase))
            return new DbBackupException(ErrorKind.AuthenticationError, "MySqlPermissionDenied",
                $"User '{target.UserName}' on {target.Server}:{target.Port} lacks a privilege this operation needs. ({name}: {said})");
        if (IsConnectFailure(said))
            return new DbBackupException(ErrorKind.ConnectionError, "MySqlConnectionFailed",
                $"Cannot connect to the MySQL/MariaDB server at {target.Server}:{target.Port}: check the host and port and that the server is running. ({name}: {said})")
            { TargetObject = $"{target.Server}:{target.Port}" };
        if (IsConnectionLost(said))
            return new DbBackupException(ErrorKind.ConnectionError, "MySqlConnectionLost",
                $"The connection of {name} to the MySQL/MariaDB server at {target.Server}:{target.Port} was lost while it was working " +
                $"(its session was killed, the server restarted or the network dropped); the server or client said: {said}")
            { TargetObject = $"{target.Server}:{target.Port}" };
        if (said.Contains("1049", StringComparison.Ordinal) && said.Contains("Unknown database", StringComparison.OrdinalIgnoreCase))
            return new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound",
                $"Database '{target.Database}' does not exist on {target.Server}:{target.Port}. ({name}: {said})") { TargetObject = target.Database };
        // .NET reports a process ended by a signal as 128 + the signal number.
        var how = !OperatingSystem.IsWindows() && exitCode > 128 && exitCode < 160 ? $"was killed by signal {exitCode - 128}" : $"failed with exit code {exitCode}";
        return new DbBackupException(ErrorKind.ServerError, "MySqlToolFailed",
            $"{name} {how} on {target.Server}:{target.Port}" + (said.Length > 0 ? ": " + said : "."));
    }

    // 2002/2003/2005: no socket, refused, unknown host; 2013 during the handshake is a connect failure too.
    private static bool IsConnectFailure(string said) =>
        new[] { "2002", "2003", "2005" }.Any(code => HasCode(said, code)) ||
        said.Contains("Can't connect", StringComparison.OrdinalIgnoreCase) || said.Contains("Unknown server host", StringComparison.OrdinalIgnoreCase) ||
        (HasCode(said, "2013") && (said.Contains("initial communication packet", StringComparison.OrdinalIgnoreCase) ||
                                                             said.Contains("handshake", StringComparison.OrdinalIgnoreCase) ||
                                                             said.Contains("authorization packet", StringComparison.OrdinalIgnoreCase)));

    // 2013 lost during a query, 2006 gone away, 1927 (MariaDB) connection killed: the connection worked
    // and then ended, which "cannot connect" would misdescribe.
    private static bool IsConnectionLost(string said) =>
        new[] { "2013", "2006", "1927" }.Any(code => HasCode(said, code)) ||
        said.Contains("Lost connection", StringComparison.OrdinalIgnoreCase) || said.Contains("gone away", StringComparison.OrdinalIgnoreCase) ||
        said.Contains("Connection was killed", StringComparison.OrdinalIgnoreCase);

    // The tools print codes as "ERROR 2013 (HY000)", "Error 2013:" or "… (2013)"; a bare number could be data.
    private static bool HasCode(string said, string code) =>
        said.Contains("ERROR " + code, StringComparison.OrdinalIgnoreCase) || said.Contains("(" + code + ")", StringComparison.Ordinal);
}
