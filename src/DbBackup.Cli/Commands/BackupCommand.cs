using System.CommandLine;
using System.Globalization;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;

namespace DbBackup.Cli.Commands;

/// <summary>dbbackup backup: validate, record, start the detached worker; --wait follows it.</summary>
public static class BackupCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var engine = CliContext.Engine(true); var host = CliContext.Host(true); var port = CliContext.Port();
        var user = CliContext.User(true); var passwordEnv = CliContext.PasswordEnv();
        var database = new Option<string[]>("--database") { Description = "Database to back up: a name or a wildcard ('shop_*', quoted); repeat for several. One backup per database." };
        var allDatabases = new Option<bool>("--all-databases") { Description = "Back up every user database of the server (system databases left out)." };
        var excludeDatabase = new Option<string[]>("--exclude-database") { Description = "Database (name or wildcard) to leave out of --database or --all-databases; repeat for several." };
        var throttle = new Option<int>("--throttle-limit") { Description = "With several databases: how many backups run at once (default 4).", DefaultValueFactory = _ => BackupEngine.DefaultThrottleLimit };
        var table = new Option<string[]>("--table") { Description = "Table to include (schema.table or table); repeat for several. Default: all.", AllowMultipleArgumentsPerToken = false };
        var since = new Option<string?>("--since") { Description = "Only rows whose date column is at or after this ISO-8601 instant (e.g. 2026-01-31T00:00:00Z)." };
        var dateColumn = new Option<string?>("--date-column") { Description = "Date column for --since (default: detected, e.g. created_at)." };
        var name = new Option<string?>("--name") { Description = "Backup name (default: UTC time yyyyMMddHHmmss)." };
        var note = new Option<string?>("--note") { Description = "Free-text note, kept in the record and the activity log." };
        var label = new Option<string[]>("--label") { Description = "key=value label; repeat for several." };
        var callback = new Option<string?>("--callback") { Description = "URL to POST the result to when the backup ends." };
        var jobs = new Option<int?>("--jobs") { Description = "Parallel connections for table data (default: repository setting, else core count)." };
        var compression = new Option<string>("--compression") { Description = "zstd (default), gzip (for the stock-tools restore recipe) or none.", DefaultValueFactory = _ => "zstd" };
        var wait = new Option<bool>("--wait") { Description = "Follow the backup to its end (Ctrl+C cancels it)." };
        var json = CliContext.Json();
        var cmd = new Command("backup", "Start a backup of one database, several, or all of a server's.")
        {
            engine, host, port, database, allDatabases, excludeDatabase, throttle, user, passwordEnv, table, since, dateColumn, name, note, label, callback, jobs, compression, wait, json,
        };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            var e = r.GetValue(wait) ? CliContext.OpenWaiting(r) : CliContext.Open(r);
            if (await e.CrossHostLockingWarningAsync(ct) is { } warning) Console.Error.WriteLine($"dbbackup: warning: {warning}");
            var limit = r.GetValue(throttle);
            if (limit is < 1 or > 64)
                throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidThrottleLimit", $"--throttle-limit {limit} is out of range; use 1 to 64.") { TargetObject = limit };
            var server = CliContext.Target(r.GetValue(engine), r.GetValue(host), r.GetValue(port), r.GetValue(user), null, r.GetValue(passwordEnv));
            var databases = await e.ResolveDatabasesAsync(server, new DatabaseSelection
            {
                Databases = r.GetValue(database) ?? [],
                All = r.GetValue(allDatabases),
                Exclude = r.GetValue(excludeDatabase) ?? [],
            }, ct);
            BackupOptions For(string db) => new()
            {
                Target = server with { Database = db },
                Tables = r.GetValue(table) ?? [],
                Since = ParseSince(r.GetValue(since)),
                DateColumn = r.GetValue(dateColumn),
                Name = r.GetValue(name),
                Note = r.GetValue(note),
                Labels = CliContext.Labels(r.GetValue(label)),
                CallbackUrl = r.GetValue(callback),
                Jobs = r.GetValue(jobs),
                Compression = ParseCompression(r.GetValue(compression)),
            };
            if (databases.Count == 1)
            {
                var record = await e.StartBackupAsync(For(databases[0]), ct);
                return await CliContext.PrintOrFollow(e, record, r.GetValue(wait), r.GetValue(json), ct);
            }
            return await ManyDatabases.RunAsync(e, databases.Select(For).ToList(), limit, r.GetValue(wait), r.GetValue(json), ct);
        }));
        return cmd;
    }

    /// <summary>Parses --since: ISO-8601 with a time zone, or a date (midnight UTC).</summary>
    public static DateTimeOffset? ParseSince(string? value)
    {
        if (value == null) return null;
        string[] formats = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"];
        if (DateTimeOffset.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d))
            return d;
        throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidSince",
            $"--since '{value}' is not an ISO-8601 date or instant. Use e.g. 2026-01-31, 2026-01-31T08:00:00Z or 2026-01-31T08:00:00+01:00.") { TargetObject = value };
    }

    /// <summary>Parses --compression.</summary>
    public static CompressionKind ParseCompression(string? value) => value?.ToLowerInvariant() switch
    {
        "zstd" or null => CompressionKind.Zstd,
        "gzip" => CompressionKind.Gzip,
        "none" => CompressionKind.None,
        _ => throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidCompression", $"--compression '{value}' is not supported; use zstd (the default), gzip or none.") { TargetObject = value },
    };
}
