using System.Diagnostics;
using DbBackup.Engine.Operations;
using DbBackup.PowerShell.Loading;

namespace DbBackup.PowerShell.Worker;

/// <summary>Starts the detached worker as <c>pwsh -NoProfile -NonInteractive -File DbBackup.Worker.ps1
/// -Repository … -OperationId …</c>: a readable command line (an -EncodedCommand blob in <c>ps</c> looks
/// like malware to people and scanners); the script imports this module's DLL and calls
/// <see cref="WorkerEntryPoint.Run"/>.
/// The password goes only through the worker's standard input. The worker must outlive the caller
/// (a runbook starts a backup and exits) and ignore the caller's Ctrl+C, so on Unix it runs in its own
/// session with its output going nowhere; otherwise a caller that captures output would wait for the
/// worker to close the inherited pipe.</summary>
internal sealed class PwshWorkerLauncher : IWorkerLauncher
{
    public int Launch(string repositoryPath, string operationId, string? password)
    {
        var pwsh = PwshLocator.Find();
        var script = Path.Combine(ModuleAssemblyInitializer.ModuleDirectory, "DbBackup.Worker.ps1");
        string[] pwshArgs = ["-NoProfile", "-NonInteractive", "-NoLogo", "-File", script, "-Repository", repositoryPath, "-OperationId", operationId];

        var psi = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            CreateNoWindow = true,
            WorkingDirectory = Directory.Exists(repositoryPath) ? repositoryPath : Path.GetTempPath(),
        };
        if (OperatingSystem.IsWindows())
        {
            // CreateNoWindow gives the worker its own (hidden) console: the caller's Ctrl+C does not reach it.
            psi.FileName = pwsh;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
        }
        else
        {
            // sh execs setsid, which execs pwsh (no fork: the child of .NET is not a group leader), so the
            // pid returned is the worker's own. Without setsid (macOS) SIGINT is ignored instead, which
            // survives exec. Arguments travel as "$@", never through the shell's parser.
            psi.FileName = "/bin/sh";
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(File.Exists("/usr/bin/setsid") || File.Exists("/bin/setsid")
                ? "exec setsid \"$0\" \"$@\" >/dev/null 2>&1"
                : "trap '' INT; exec \"$0\" \"$@\" >/dev/null 2>&1");
            psi.ArgumentList.Add(pwsh);
        }
        foreach (var a in pwshArgs) psi.ArgumentList.Add(a);

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned no process for the worker.");
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
            stdin.WriteLine(WorkerEntryPoint.EncodePassword(password));
        }
        return process.Id;
    }
}
