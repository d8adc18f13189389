using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Finds a pg_dump / pg_restore pair able to dump a server of a given major version.
/// Search order: DBBACKUP_TOOL_PATH (an explicit choice by the user wins), then the Debian/Ubuntu
/// versioned install for the server's major (/usr/lib/postgresql/&lt;major&gt;/bin), then the newest
/// versioned install, then PATH. pg_dump refuses servers newer than itself, so a tool older than the
/// server is refused here with a clear message instead of failing mid-backup.</summary>
public sealed partial class PostgreSqlToolLocator
{
    private readonly string? _versionedRoot;
    private readonly bool _useEnvironment;
    /// <summary>Versions read per process, keyed by the pg_dump's path and its file's time and size:
    /// a `--wait` command validates and then runs its worker with a new provider each, and every
    /// `pg_dump --version` costs a process start.</summary>
    private static readonly ConcurrentDictionary<string, Task<PostgreSqlTools>> Versions = new(StringComparer.Ordinal);

    /// <summary>The default locator: environment, /usr/lib/postgresql, PATH.</summary>
    public PostgreSqlToolLocator() : this(OperatingSystem.IsWindows() ? null : "/usr/lib/postgresql", useEnvironment: true) { }

    /// <summary>A locator with its own search places (used by tests to simulate a missing or old tool).</summary>
    /// <param name="versionedRoot">Folder holding &lt;major&gt;/bin folders, or null for none.</param>
    /// <param name="useEnvironment">Whether DBBACKUP_TOOL_PATH and PATH are searched.</param>
    public PostgreSqlToolLocator(string? versionedRoot, bool useEnvironment)
    {
        _versionedRoot = versionedRoot;
        _useEnvironment = useEnvironment;
    }

    /// <summary>The tools to use against a server of <paramref name="serverMajor"/>. Throws NotInstalled
    /// when none are found and NotSupported when the best found is older than the server.</summary>
    public async Task<PostgreSqlTools> LocateAsync(int serverMajor, CancellationToken cancellationToken)
    {
        PostgreSqlTools? best = null;
        foreach (var dir in CandidateDirectories(serverMajor))
        {
            var dump = Executable(dir, "pg_dump");
            var restore = Executable(dir, "pg_restore");
            if (dump == null || restore == null) continue;
            var tools = await Versions.GetOrAdd(VersionKey(dump, restore), _ => ReadVersionAsync(dump, restore)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (tools.Major >= serverMajor) return tools;
            best ??= tools;
        }
        if (best != null)
            throw new DbBackupException(ErrorKind.NotSupported, "ClientToolTooOld",
                $"The server runs PostgreSQL {serverMajor}, but the newest pg_dump found ({best.PgDump}, \"{best.Version}\") " +
                $"is older; pg_dump cannot dump a newer server. Install the PostgreSQL {serverMajor} (or newer) client tools " +
                "or point DBBACKUP_TOOL_PATH at their bin folder.");
        throw new DbBackupException(ErrorKind.NotInstalled, "ClientToolMissing",
            "PostgreSQL backups need pg_dump and pg_restore, and neither pair was found (searched DBBACKUP_TOOL_PATH, " +
            $"{_versionedRoot ?? "no versioned folder"}/<version>/bin and PATH). Install the PostgreSQL {serverMajor} client " +
            "package (e.g. postgresql-client) or set DBBACKUP_TOOL_PATH to the folder holding pg_dump.");
    }

    /// <summary>Starts reading the versions of the pairs <see cref="LocateAsync"/> will most likely pick (the
    /// DBBACKUP_TOOL_PATH and versioned folders, the first two found), without waiting: the caller opens its first
    /// connection meanwhile, and <see cref="LocateAsync"/> finds the answer in the per-process cache instead of
    /// starting `pg_dump --version` only once the server's major version is known. A read that fails is kept and
    /// reported by <see cref="LocateAsync"/> only if it picks that pair; `--version` ends by itself within milliseconds.</summary>
    public void StartReadingVersions()
    {
        var started = 0;
        foreach (var dir in CandidateDirectories(serverMajor: null))
        {
            var dump = Executable(dir, "pg_dump");
            var restore = Executable(dir, "pg_restore");
            if (dump == null || restore == null) continue;
            var task = Versions.GetOrAdd(VersionKey(dump, restore), _ => ReadVersionAsync(dump, restore));
            _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (++started == 2) return;
        }
    }

    private static string VersionKey(string pgDump, string pgRestore)
    {
        var file = new FileInfo(pgDump);
        return $"{pgDump}\n{pgRestore}\n{file.LastWriteTimeUtc.Ticks}\n{file.Length}";
    }

    /// <param name="serverMajor">The server's major version, or null when not known yet (then the versioned folders
    /// newest first, and not PATH).</param>
    private IEnumerable<string> CandidateDirectories(int? serverMajor)
    {
        if (_useEnvironment) foreach (var d in SplitPath(Environment.GetEnvironmentVariable("DBBACKUP_TOOL_PATH"))) yield return d;
        if (_versionedRoot != null && Directory.Exists(_versionedRoot))
        {
            if (serverMajor is { } major) yield return Path.Combine(_versionedRoot, major.ToString(CultureInfo.InvariantCulture), "bin");
            var versions = Directory.EnumerateDirectories(_versionedRoot)
                .Select(d => (dir: d, ok: decimal.TryParse(Path.GetFileName(d), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v), v))
                .Where(x => x.ok).OrderByDescending(x => x.v);
            foreach (var (dir, _, _) in versions) yield return Path.Combine(dir, "bin");
        }
        if (_useEnvironment && serverMajor != null) foreach (var d in SplitPath(Environment.GetEnvironmentVariable("PATH"))) yield return d;
    }

    private static IEnumerable<string> SplitPath(string? value)
        => (value ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Executable(string dir, string name)
    {
        var path = Path.Combine(dir, OperatingSystem.IsWindows() ? name + ".exe" : name);
        return File.Exists(path) ? path : null;
    }

    private static async Task<PostgreSqlTools> ReadVersionAsync(string pgDump, string pgRestore)
    {
        var output = (await ToolRunner.RunAsync(pgDump, ["--version"], null, null, CancellationToken.None).ConfigureAwait(false)).Trim();
        DebugTimings.Mark("pg_dump --version read");
        var m = VersionPattern().Match(output);
        if (!m.Success)
            throw new DbBackupException(ErrorKind.NotInstalled, "ClientToolUnrecognized",
                $"{pgDump} --version printed \"{output}\", which is not a PostgreSQL pg_dump version.");
        return new PostgreSqlTools(pgDump, pgRestore, output, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();
}
