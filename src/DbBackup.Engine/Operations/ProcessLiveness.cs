using System.Diagnostics;

namespace DbBackup.Engine.Operations;

/// <summary>Is a worker process still there? A zombie (exited, not yet reaped) counts as gone.</summary>
public static class ProcessLiveness
{
    /// <summary>True when a live process with this id exists on this host.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0) return false;
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // Field 3, after the parenthesised command name (which may contain spaces).
                var close = stat.LastIndexOf(')');
                var state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
                return state is not ('Z' or 'X' or 'x');
            }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return true; }
        }
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
