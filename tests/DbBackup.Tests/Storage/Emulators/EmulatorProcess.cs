using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Storage.Emulators;

/// <summary>An emulator (Azurite, s3rver) the tests start themselves when CI has not: the npm package's
/// script from PATH or from .ci/node (where `.ci/run` installs them), on a free loopback port with a
/// temporary data folder, killed with its folder when the test process exits.</summary>
internal sealed class EmulatorProcess
{
    private readonly Process _process;
    private readonly string _dataFolder;

    private EmulatorProcess(Process process, string dataFolder, int port) => (_process, _dataFolder, Port) = (process, dataFolder, port);

    private const string Watchdog = """
        parent=$1; data=$2; shift 2
        "$@" & child=$!
        while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
        kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; rm -rf "$data"
        """;

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>True under CI, where an emulator that cannot be reached fails the tests instead of skipping them.</summary>
    public static bool UnderCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>The path of an npm package's script, or null when it is not installed here.</summary>
    public static string? FindScript(string name)
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Prepend(Path.Combine(RepositoryRoot(), ".ci", "node", "node_modules", ".bin"));
        return candidates.Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>Starts <paramref name="script"/> with the arguments <paramref name="arguments"/> builds from
    /// a free port and a fresh data folder, and waits until the port accepts connections.</summary>
    public static EmulatorProcess Start(string script, Func<int, string, IEnumerable<string>> arguments)
    {
        var port = TestServers.FreePort();
        var data = Directory.CreateTempSubdirectory("dbbackup-emulator-").FullName;
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (File.Exists("/bin/sh"))
        {
            // A watchdog shell: the test host is often killed rather than exited (no ProcessExit), so the
            // emulator is stopped, and its folder removed, as soon as this process is gone.
            start.FileName = "/bin/sh";
            foreach (var argument in new[] { "-c", Watchdog, "watchdog", Environment.ProcessId.ToString(), data, script }) start.ArgumentList.Add(argument);
        }
        else start.FileName = script;
        foreach (var argument in arguments(port, data)) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {script}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var emulator = new EmulatorProcess(process, data, port);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => emulator.Stop();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Listening(port))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                emulator.Stop();
                throw new InvalidOperationException($"{Path.GetFileName(script)} did not start listening on 127.0.0.1:{port}");
            }
            Thread.Sleep(100);
        }
        return emulator;
    }

    private void Stop()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        try { Directory.Delete(_dataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static bool Listening(int port) => Reachable(new Uri($"http://127.0.0.1:{port}"));

    /// <summary>True when something accepts connections at the URL's host and port.</summary>
    public static bool Reachable(Uri endpoint)
    {
        using var client = new TcpClient();
        try { return client.ConnectAsync(endpoint.Host, endpoint.Port).Wait(TimeSpan.FromSeconds(3)); }
        catch (AggregateException e) when (e.InnerException is SocketException) { return false; }
    }

    /// <summary>The configured endpoint, or a clear failure when nothing answers there (instead of every
    /// test waiting out the SDK's retries).</summary>
    public static string CheckedConfigured(string variable, string endpoint)
        => Reachable(new Uri(endpoint)) ? endpoint : throw new InvalidOperationException($"{variable} names {endpoint}, where nothing accepts connections.");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DbBackup.sln"))) return dir.FullName;
        return AppContext.BaseDirectory;
    }
}
