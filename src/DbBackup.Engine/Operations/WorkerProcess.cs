using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace DbBackup.Engine.Operations;

/// <summary>The one protocol between a caller and a detached worker process, whichever program hosts
/// the worker (`dbbackup worker …` for the CLI, `pwsh -File DbBackup.Worker.ps1 …` for the module):
/// <list type="bullet">
/// <item>The worker is started detached: on Unix in its own session (setsid) with its output going
/// nowhere, so a Ctrl+C or a closed terminal in the caller never reaches it and a caller that captures
/// output is not held open by an inherited pipe; on Windows with its own hidden console.</item>
/// <item>The password travels as one line on the worker's standard input (base64 of its UTF-8, or "-"
/// for none), which is then closed: never argv, the environment or a file.</item>
/// <item>In the worker, SIGTERM cancels the operation (the record ends Cancelled, partial files go);
/// SIGHUP, SIGINT and SIGQUIT are ignored: the worker outlives its caller.</item>
/// <item>Exit code 0: the worker ran (the record holds the outcome); 1: it could not run the operation.</item>
/// </list></summary>
public static class WorkerProcess
{
    private const string NoPassword = "-";

    /// <summary>Starts <paramref name="executable"/> <paramref name="arguments"/> detached and hands it
    /// <paramref name="password"/>. Returns the worker's process id.</summary>
    public static int Start(string executable, IReadOnlyList<string> arguments, string? password, string workingDirectory)
    {
        var psi = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            CreateNoWindow = true,
            WorkingDirectory = workingDirectory,
        };
        if (OperatingSystem.IsWindows())
        {
            // CreateNoWindow gives the worker its own (hidden) console: the caller's Ctrl+C does not reach it.
            psi.FileName = executable;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
        }
        else
        {
            // sh execs setsid, which execs the worker (no fork: the child of .NET is not a group leader), so
            // the pid returned is the worker's own. Without setsid (macOS) SIGINT is ignored instead, which
            // survives exec. Arguments travel as "$@", never through the shell's parser.
            psi.FileName = "/bin/sh";
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(File.Exists("/usr/bin/setsid") || File.Exists("/bin/setsid")
                ? "exec setsid \"$0\" \"$@\" >/dev/null 2>&1"
                : "trap '' INT; exec \"$0\" \"$@\" >/dev/null 2>&1");
            psi.ArgumentList.Add(executable);
        }
        foreach (var a in arguments) psi.ArgumentList.Add(a);

        var process = Process.Start(psi) ?? throw new DbBackupException(ErrorKind.InvalidOperation, "WorkerStartFailed", $"The worker process ({executable}) did not start.");
        if (OperatingSystem.IsWindows())
        {
            // Drained while this process lives; the worker writes nothing on purpose.
            process.OutputDataReceived += static (_, _) => { };
            process.ErrorDataReceived += static (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        using (var stdin = process.StandardInput)
        {
            stdin.NewLine = "\n";
            stdin.WriteLine(password is null ? NoPassword : Convert.ToBase64String(Encoding.UTF8.GetBytes(password)));
        }
        return process.Id;
    }

    /// <summary>In the worker: reads the password line from standard input, installs the signal handling
    /// above and runs the operation to its end. Returns the exit code.</summary>
    public static int Run(Func<BackupEngine> openEngine, string operationId)
    {
        var password = ReadPassword(Console.OpenStandardInput());
        using var cancellation = new CancellationTokenSource();
        var signals = new List<PosixSignalRegistration>();
        if (!OperatingSystem.IsWindows())
        {
            foreach (var ignored in new[] { PosixSignal.SIGHUP, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
                signals.Add(PosixSignalRegistration.Create(ignored, c => c.Cancel = true));
            signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancellation.Cancel(); }));
        }
        try
        {
            openEngine().RunWorkerAsync(operationId, password, cancellation.Token).GetAwaiter().GetResult();
            return 0;
        }
        catch (Exception)
        {
            // Nobody reads the worker's output; the engine records every failure it can in the record,
            // and the caller's stale detection ends the rest.
            return 1;
        }
        finally
        {
            signals.ForEach(s => s.Dispose());
        }
    }

    /// <summary>The password line as <see cref="Start"/> writes it: null for none (or no line at all).</summary>
    internal static string? ReadPassword(Stream stdin)
    {
        var line = ReadLine(stdin);
        return line is null || line == NoPassword ? null : Encoding.UTF8.GetString(Convert.FromBase64String(line));
    }

    // Reads bytes up to '\n' without a buffering reader, so nothing beyond the line is consumed.
    private static string? ReadLine(Stream stream)
    {
        var bytes = new List<byte>(64);
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n') bytes.Add((byte)b);
        if (b < 0 && bytes.Count == 0) return null;
        return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
    }
}
