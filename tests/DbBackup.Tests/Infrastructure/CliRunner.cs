using System.Diagnostics;

namespace DbBackup.Tests.Infrastructure;

/// <summary>Runs the built `dbbackup` CLI as a separate process, as a runbook would.</summary>
public static class CliRunner
{
    /// <summary>Result of one run.</summary>
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs dbbackup with <paramref name="args"/>; <paramref name="env"/> adds or (null value) removes variables.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? env = null, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        if (workingDirectory != null) psi.WorkingDirectory = workingDirectory;
        psi.ArgumentList.Add(TestRepository.CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
            if (v == null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        return new Result(p.ExitCode, await o, await e);
    }
}
