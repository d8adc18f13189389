using System.Diagnostics;
using DbBackup.Engine.Operations;

namespace DbBackup.Tests.Lifecycle;

/// <summary>The one worker protocol both launchers use (the CLI's `dbbackup worker`, the module's pwsh
/// worker): the password only on stdin, intact whatever it holds, and the worker in a session of its own.</summary>
public sealed class WorkerProcessTests
{
    [Fact]
    public async Task A_started_worker_gets_the_password_on_stdin_only_and_runs_in_its_own_session()
    {
        if (OperatingSystem.IsWindows()) return; // sessions and /proc are the Unix form; Windows uses a hidden console
        var folder = Directory.CreateTempSubdirectory("dbbackup-workerproc-").FullName;
        try
        {
            const string password = "pä ss\nword;$(rm -rf /)'\"";
            var output = Path.Combine(folder, "line");
            // A stand-in worker: records its stdin line and its session id, then stays a moment so its argv can be read.
            var pid = WorkerProcess.Start("/bin/sh", ["-c", "head -n 1 > \"$1\"; ps -o sid= -p $$ > \"$1.sid\"; sleep 2", "worker", output], password, folder);
            // Until it has exec'd, the forked child still shows the test host's own argv.
            var argv = "";
            var sw = Stopwatch.StartNew();
            while (!argv.Contains("worker", StringComparison.Ordinal) && sw.Elapsed < TimeSpan.FromSeconds(20))
            {
                try { argv = await File.ReadAllTextAsync($"/proc/{pid}/cmdline"); }
                catch (IOException) { break; }
                await Task.Delay(5);
            }
            Assert.Contains("worker", argv, StringComparison.Ordinal);
            Assert.DoesNotContain("pä ss", argv, StringComparison.Ordinal);
            using (var p = Process.GetProcessById(pid)) await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

            await using (var line = File.OpenRead(output)) Assert.Equal(password, WorkerProcess.ReadPassword(line));
            var sid = int.Parse((await File.ReadAllTextAsync(output + ".sid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(pid, sid); // setsid: the worker leads a new session, away from the caller's terminal and Ctrl+C
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void No_password_is_a_dash_and_reading_stops_at_the_end_of_the_line()
    {
        using var noPassword = new MemoryStream("-\nmore"u8.ToArray());
        Assert.Null(WorkerProcess.ReadPassword(noPassword));
        Assert.Equal((byte)'m', (byte)noPassword.ReadByte()); // nothing beyond the line was consumed
        using var empty = new MemoryStream();
        Assert.Null(WorkerProcess.ReadPassword(empty));
    }
}
