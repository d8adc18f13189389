using System.CommandLine;
using System.Text.Json;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Cli;

/// <summary>Options shared by several commands, and the plumbing every command uses: opening the
/// engine, building a target, reading the password, printing results.</summary>
public static class CliContext
{
    /// <summary>--repository DIR.</summary>
    public static readonly Option<string?> Repository = new("--repository") { Description = "Repository: a folder, s3://bucket/prefix or azure://container/prefix (default: DBBACKUP_REPOSITORY, else the per-user data folder).", Recursive = true };
    /// <summary>--debug-timings: where a command's time goes (see <see cref="DbBackup.Engine.DebugTimings"/>).</summary>
    public static readonly Option<bool> DebugTimings = new("--debug-timings") { Description = "Write the elapsed time of each phase of the command to stderr (or set DBBACKUP_DEBUG_TIMINGS=1).", Recursive = true };
    /// <summary>--json.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON (PascalCase, as PowerShell's ConvertTo-Json)." };
    /// <summary>--engine.</summary>
    public static Option<string?> Engine(bool required) => new("--engine") { Description = "postgresql or mysql (mariadb).", Required = required };
    /// <summary>--host.</summary>
    public static Option<string?> Host(bool required) => new("--host") { Description = "Server host name or address.", Required = required };
    /// <summary>--port.</summary>
    public static Option<int?> Port() => new("--port") { Description = "Server port (default 5432 / 3306)." };
    /// <summary>--database.</summary>
    public static Option<string?> Database(bool required) => new("--database") { Description = required ? "Database name." : "Database name, or a wildcard ('shop_*', quoted).", Required = required };
    /// <summary>--user.</summary>
    public static Option<string?> User(bool required) => new("--user") { Description = "User name.", Required = required };
    /// <summary>--password-env.</summary>
    public static Option<string?> PasswordEnv() => new("--password-env") { Description = "Name of the environment variable holding the password (default: PGPASSWORD or MYSQL_PWD). Passwords are never accepted as arguments." };
    /// <summary>--id; <paramref name="description"/> for a command that takes only backup ids.</summary>
    public static Option<string?> Id(bool required, string description = "Backup or restore id.") => new("--id") { Description = description, Required = required };

    /// <summary>The engine behind the CLI.</summary>
    public static BackupEngine Open(ParseResult r) => Opened(new(r.GetValue(Repository), new ProcessWorkerLauncher()));

    /// <summary>The engine for a command that follows its operation to the end (--wait): the worker
    /// runs in this process, since a detached one would only add its start-up time.</summary>
    public static BackupEngine OpenWaiting(ParseResult r) => Opened(new(r.GetValue(Repository), new InProcessWorkerLauncher(new ProcessWorkerLauncher())));

    private static BackupEngine Opened(BackupEngine engine)
    {
        DbBackup.Engine.DebugTimings.Mark("engine opened");
        return engine;
    }

    /// <summary>Parses an engine name, naming the accepted values on error.</summary>
    public static DatabaseEngine ParseEngine(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "postgresql" or "postgres" or "pg" => DatabaseEngine.PostgreSql,
        "mysql" or "mariadb" => DatabaseEngine.MySql,
        _ => throw new DbBackupException(ErrorKind.InvalidArgument, "UnknownEngine", $"Unknown engine '{value}'. Use postgresql or mysql (mariadb is accepted for mysql).") { TargetObject = value },
    };

    /// <summary>The password from --password-env or the engine's own variable; never from argv.</summary>
    public static string? Password(DatabaseEngine engine, string? passwordEnv)
    {
        if (passwordEnv != null)
        {
            var v = Environment.GetEnvironmentVariable(passwordEnv);
            if (v == null)
                throw new DbBackupException(ErrorKind.InvalidArgument, "PasswordVariableNotSet", $"--password-env names '{passwordEnv}', but no such environment variable is set.") { TargetObject = passwordEnv };
            return v;
        }
        return Environment.GetEnvironmentVariable(engine == DatabaseEngine.PostgreSql ? "PGPASSWORD" : "MYSQL_PWD");
    }

    /// <summary>Builds a target from the shared options.</summary>
    public static ConnectionTarget Target(string? engine, string? host, int? port, string? user, string? database, string? passwordEnv)
    {
        var e = ParseEngine(engine);
        return new ConnectionTarget(e, host ?? "", port ?? ConnectionTarget.DefaultPort(e), user ?? "", database ?? "") { Password = Password(e, passwordEnv) };
    }

    /// <summary>Prints a result: JSON when asked, else a short text form.</summary>
    public static void Print(object value, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(value, value.GetType(), Engine_Json));
            return;
        }
        Console.Out.WriteLine(TextFormat.Describe(value));
    }

    /// <summary>A filter option's value as the engine's list of names or wildcards (null: no filter).</summary>
    public static IReadOnlyList<string>? Patterns(string? value) => value is null ? null : [value];

    /// <summary>Prints several results as one JSON array.</summary>
    public static void PrintAll(IReadOnlyList<IOperationRecord> values)
        => Console.Out.WriteLine(JsonSerializer.Serialize(values.Cast<object>().ToList(), Engine_Json));

    private static readonly JsonSerializerOptions Engine_Json = DbBackup.Engine.Repository.Json.Indented;

    /// <summary>Runs a command body, turning DbBackupException into a message on stderr and its exit code.</summary>
    public static async Task<int> Run(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (DbBackupException e)
        {
            Console.Error.WriteLine($"dbbackup: {e.ErrorId}: {CallerWording.ForCli(e.Message)}");
            return CliErrors.ExitCode(e.Kind);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("dbbackup: cancelled.");
            return CliErrors.ExitCode(ErrorKind.Cancelled);
        }
        catch (UnauthorizedAccessException e)
        {
            // A file the user names (a bundle path) that the file system refuses: a permission refusal.
            Console.Error.WriteLine($"dbbackup: AccessDenied: {e.Message}");
            return CliErrors.ExitCode(ErrorKind.AuthenticationError);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"dbbackup: {e.GetType().Name}: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never a stack trace (or an SDK's full message, which may quote request headers): the type
            // and the first line say enough to report it.
            Console.Error.WriteLine($"dbbackup: UnexpectedError: {e.GetType().Name}: {e.Message.Split('\n')[0].TrimEnd()}");
            return 1;
        }
    }

    /// <summary>What `backup` and `restore` do with the record they started: print it (exit 0), or with
    /// --wait follow it to its end and print the final record with its exit code.</summary>
    public static async Task<int> PrintOrFollow(BackupEngine engine, IOperationRecord record, bool wait, bool json, CancellationToken ct)
    {
        if (!wait)
        {
            Print(record, json);
            return 0;
        }
        DbBackup.Engine.DebugTimings.Mark("operation recorded; following it");
        var final = await Follow(engine, record.Id, null, cancelOnInterrupt: true, ct).ConfigureAwait(false);
        DbBackup.Engine.DebugTimings.Mark("operation ended");
        Print(final, json);
        return ExitFor(final);
    }

    /// <summary>Follows an operation to its end, printing progress to stderr; Ctrl+C cancels the operation.</summary>
    public static async Task<IOperationRecord> Follow(BackupEngine engine, string id, TimeSpan? timeout, bool cancelOnInterrupt, CancellationToken ct)
    {
        var progress = new Progress<IOperationRecord>(r =>
        {
            if (Console.IsErrorRedirected) return;
            var p = r.Progress;
            Console.Error.Write($"\r{r.State,-9} {p?.Phase,-12} {p?.Percent,3}% {p?.CurrentTable,-30}".PadRight(70)[..70]);
        });
        try
        {
            var r = await engine.WaitAsync(id, timeout, progress, ct).ConfigureAwait(false);
            if (!Console.IsErrorRedirected) Console.Error.WriteLine();
            return r;
        }
        catch (OperationCanceledException) when (cancelOnInterrupt)
        {
            Console.Error.WriteLine($"\nInterrupted: cancelling {id}…");
            return await engine.CancelAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Parses key=value labels.</summary>
    public static Dictionary<string, string> Labels(string[]? values)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values ?? [])
        {
            var eq = v.IndexOf('=');
            if (eq <= 0)
                throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidLabel", $"Label '{v}' is not key=value.") { TargetObject = v };
            d[v[..eq]] = v[(eq + 1)..];
        }
        return d;
    }

    /// <summary>Exit code for a finished operation: 0 when it succeeded.</summary>
    public static int ExitFor(IOperationRecord r) => r.State switch
    {
        OperationState.Succeeded => 0,
        OperationState.Cancelled => CliErrors.ExitCode(ErrorKind.Cancelled),
        _ => 1,
    };
}
