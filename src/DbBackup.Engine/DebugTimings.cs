using System.Diagnostics;

namespace DbBackup.Engine;

/// <summary>Where the seconds of one command go, for the speed work on small databases: with
/// DBBACKUP_DEBUG_TIMINGS=1 (the CLI's --debug-timings sets it) each <see cref="Mark"/> writes one line
/// "timing: +N ms (jit …; gc …) phase" to stderr, N counted from the process's start. Off by default and then
/// costs one boolean test; the lines hold phase names only, never a value from the command.</summary>
public static class DebugTimings
{
    // Read on the first enabled mark only: the process's start time costs a look-up that a command
    // without the option should not pay.
    private static readonly Lazy<DateTime> ProcessStart = new(() => Process.GetCurrentProcess().StartTime.ToUniversalTime());

    /// <summary>Whether marks are written.</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("DBBACKUP_DEBUG_TIMINGS") == "1";

    /// <summary>Writes the time since the process started and <paramref name="phase"/>, when enabled.</summary>
    public static void Mark(string phase)
    {
        if (!Enabled) return;
        var ms = (DateTime.UtcNow - ProcessStart.Value).TotalMilliseconds;
        // The JIT's share (methods compiled so far, time spent compiling them, all threads) and the GC's (collections
        // per generation, pauses, bytes allocated): where a CPU-bound restore's client time goes besides the work itself.
        var jitMs = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds;
        Console.Error.WriteLine($"timing: +{ms,6:0} ms (jit {System.Runtime.JitInfo.GetCompiledMethodCount(),5} methods, {jitMs,5:0} ms; gc {GC.CollectionCount(0),4}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms paused, {GC.GetTotalAllocatedBytes() >> 20} MiB allocated) [{Environment.CurrentManagedThreadId,2}] {phase}");
    }
}
