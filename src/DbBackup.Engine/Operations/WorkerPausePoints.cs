namespace DbBackup.Engine.Operations;

/// <summary>Test-only hook: lets the fault-injection tests stop a worker at the worst instant (to
/// kill -9 or SIGSTOP it there). Inert unless DBBACKUP_TEST_PAUSE_AT is set. When it names a step
/// (several may be given, comma-separated), the worker reaching that step creates
/// <c>$DBBACKUP_TEST_PAUSE_DIR/&lt;step&gt;.reached</c> and waits until that file is deleted.
/// Steps: backup:data, backup:finishing (payload written, the final record not yet), upload:part-sent (a part of an object-store upload sent, the upload not committed), backup:ended (the record final, the target's lock still held), restore:load (checks and safety backup done, nothing loaded), restore:replace-before-commit (per-table restore, all loaded, not committed), restore:before-swap, restore:mid-swap, restore:after-swap, restore:post-data,
/// mysql-swap:prepared, mysql-swap:committed, mysql-swap:objects-dropped; and in any process, lock:taking (this
/// host's lock of a lock object held, the object not yet read or written) and lock:host-wait (another process on
/// this host holds that lock).</summary>
public static class WorkerPausePoints
{
    /// <summary>Environment variable naming the steps to pause at.</summary>
    public const string StepsVariable = "DBBACKUP_TEST_PAUSE_AT";

    /// <summary>Environment variable naming the folder of the marker files.</summary>
    public const string FolderVariable = "DBBACKUP_TEST_PAUSE_DIR";

    /// <summary>Pauses here if the test environment asks for it; returns at once otherwise.</summary>
    public static void At(string step)
    {
        var steps = Environment.GetEnvironmentVariable(StepsVariable);
        if (string.IsNullOrEmpty(steps) || !steps.Split(',', StringSplitOptions.TrimEntries).Contains(step, StringComparer.Ordinal)) return;
        var folder = Environment.GetEnvironmentVariable(FolderVariable);
        if (string.IsNullOrEmpty(folder)) return;
        var marker = MarkerPath(folder, step);
        File.WriteAllText(marker, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        while (File.Exists(marker)) Thread.Sleep(20);
    }

    /// <summary>The marker file a paused worker creates for <paramref name="step"/> in <paramref name="folder"/>.</summary>
    public static string MarkerPath(string folder, string step) => Path.Combine(folder, step + ".reached");
}
