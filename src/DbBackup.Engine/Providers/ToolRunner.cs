using System.Diagnostics;
using System.Text;

namespace DbBackup.Engine.Providers;

/// <summary>Finds and runs the engines' client tools (pg_dump, mariadb-dump…). Secrets go through the
/// environment given by the caller (or a 0600 options file the caller writes), never argv. Stderr is
/// kept (bounded) for error messages; stdout/stdin are streamed by the caller.</summary>
public static class ToolRunner
{
    /// <summary>Full path of the first of <paramref name="names"/> found on PATH (or in the extra
    /// directories), or null.</summary>
    public static string? Find(params string[] names)
    {
        var extra = Environment.GetEnvironmentVariable("DBBACKUP_TOOL_PATH");
        var dirs = new List<string>();
        if (!string.IsNullOrEmpty(extra)) dirs.AddRange(extra.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        dirs.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        var exts = OperatingSystem.IsWindows() ? new[] { ".exe", ".cmd", "" } : new[] { "" };
        foreach (var name in names)
            foreach (var dir in dirs)
                foreach (var ext in exts)
                {
                    var candidate = Path.Combine(dir, name + ext);
                    if (File.Exists(candidate)) return candidate;
                }
        return null;
    }

    /// <summary>Like <see cref="Find"/> but throws a NotInstalled error naming the tools looked for.</summary>
    public static string Require(string purpose, params string[] names)
        => Find(names) ?? throw new DbBackupException(ErrorKind.NotInstalled, "ClientToolMissing",
            $"{purpose} needs one of these client tools on PATH: {string.Join(", ", names)}. None was found " +
            "(PATH and DBBACKUP_TOOL_PATH were searched). Install the engine's client package.");

    /// <summary>Starts a tool with redirected streams. The caller owns the process.</summary>
    public static Process Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null,
        bool redirectStdin = false, bool redirectStdout = true)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = redirectStdout,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment != null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        psi.Environment["LC_ALL"] = "C.UTF-8";
        try
        {
            return Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DbBackupException(ErrorKind.NotInstalled, "ClientToolFailedToStart", $"Could not start {file}: {e.Message}", e);
        }
    }

    /// <summary>Collects stderr (at most 64 KiB, the end kept) while the process runs.</summary>
    public static Task<string> CollectStderrAsync(Process process)
        => Task.Run(async () =>
        {
            var sb = new StringBuilder();
            var buffer = new char[4096];
            int n;
            while ((n = await process.StandardError.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                sb.Append(buffer, 0, n);
                if (sb.Length > 65536) sb.Remove(0, sb.Length - 65536);
            }
            return sb.ToString();
        });

    /// <summary>Kills the process tree, ignoring a process that already ended.</summary>
    public static void Kill(Process process)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    /// <summary>Runs a tool to completion, returning stdout as text. Throws a ServerError with the
    /// tool's stderr on a non-zero exit; kills the tool on cancellation.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment,
        string? stdin, CancellationToken cancellationToken)
    {
        using var p = Start(file, args, environment, redirectStdin: stdin != null);
        using var reg = cancellationToken.Register(() => Kill(p));
        var err = CollectStderrAsync(p);
        var outTask = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        if (stdin != null)
        {
            await p.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            p.StandardInput.Close();
        }
        var stdout = await outTask.ConfigureAwait(false);
        await p.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var stderr = await err.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (p.ExitCode != 0) throw ToolFailed(file, p.ExitCode, stderr);
        return stdout;
    }

    /// <summary>The error for a tool that exited non-zero.</summary>
    public static DbBackupException ToolFailed(string file, int exitCode, string stderr)
        => new(ErrorKind.ServerError, "ClientToolFailed",
            $"{Path.GetFileName(file)} exited with code {exitCode}: {stderr.Trim()}");
}
