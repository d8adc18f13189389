using System.Diagnostics;
using System.Text;
using DbBackup.Engine.Providers;

namespace DbBackup.Tests.MySql;

/// <summary>Tests only: runs the official MySQL/MariaDB client tools (mariadb or mysql, mariadb-dump or
/// mysqldump) for controls and fixtures; the provider itself needs none of them. The password reaches each tool in its own
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
    public static string Client => DbBackup.Engine.Providers.ToolRunner.Require("MySQL/MariaDB access", ClientNames);

    /// <summary>Path of the dump tool, or a NotInstalled error naming both names.</summary>
    public static string Dump => DbBackup.Engine.Providers.ToolRunner.Require("MySQL/MariaDB backup", DumpNames);

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
        return DbBackup.Engine.Providers.ToolRunner.Start(tool, all, environment, redirectStdin);
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
        using var kill = cancellationToken.Register(() => DbBackup.Engine.Providers.ToolRunner.Kill(process));
        var stderr = DbBackup.Engine.Providers.ToolRunner.CollectStderrAsync(process);
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

    /// <summary>The tool's failure, for a test's message.</summary>
    public static Exception Failure(ConnectionTarget target, string tool, int exitCode, string stderr)
        => new InvalidOperationException($"{Path.GetFileName(tool)} failed with exit code {exitCode} on {target.Server}:{target.Port}: {stderr.Trim()}");
}
