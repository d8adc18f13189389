using System.Runtime.InteropServices;
using System.Text;
using DbBackup.Engine.Operations;
using DbBackup.PowerShell.Bridge;
using DbBackup.PowerShell.Loading;

namespace DbBackup.PowerShell;

/// <summary>Where a detached worker process enters the engine. Called by the command line the module's
/// worker launcher builds (<c>pwsh … -File DbBackup.Worker.ps1 …</c>); not for users.</summary>
public static class WorkerEntryPoint
{
    private const string NoPassword = "-";

    /// <summary>Reads the password line from standard input and runs the operation to its end.
    /// Returns the process exit code: 0 when the worker ran (the record holds the outcome), 1 when it
    /// could not start the operation.</summary>
    public static int Run(string repositoryPath, string operationId)
    {
        ModuleAssemblyInitializer.Register();
        var password = DecodePassword(ReadLine(Console.OpenStandardInput()));
        return RunEngine(repositoryPath, operationId, password);
    }

    // Separate method: its engine references are JIT-compiled only after Register() above.
    private static int RunEngine(string repositoryPath, string operationId, string? password)
    {
        using var cancellation = new CancellationTokenSource();
        // SIGTERM (service stop, kill) ends the operation cleanly: the record says Cancelled, partial files go.
        using var sigterm = OperatingSystem.IsWindows() ? null
            : PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; cancellation.Cancel(); });
        try
        {
            var engine = new BackupEngine(repositoryPath, new Worker.PwshWorkerLauncher());
            engine.RunWorkerAsync(operationId, password, cancellation.Token).GetAwaiter().GetResult();
            return 0;
        }
        catch (Exception e)
        {
            // Goes nowhere when detached; the engine records failures in the operation's record.
            Console.Error.WriteLine(ErrorRecords.From(e, operationId).Exception.Message);
            return 1;
        }
    }

    internal static string EncodePassword(string? password)
        => password is null ? NoPassword : Convert.ToBase64String(Encoding.UTF8.GetBytes(password));

    internal static string? DecodePassword(string? line)
        => line is null || line == NoPassword ? null : Encoding.UTF8.GetString(Convert.FromBase64String(line));

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
