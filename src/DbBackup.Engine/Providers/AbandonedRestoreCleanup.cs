namespace DbBackup.Engine.Providers;

/// <summary>What the next operation on a target found and did about a dead restore's leftovers.</summary>
public sealed record AbandonedRestoreCleanup(
    /// <summary>True when the target holds the restored copy (its swap had committed, and any
    /// unfinished step was finished); false when it holds its previous contents; null when nothing
    /// on the server tells.</summary>
    bool? SwappedIn,
    /// <summary>What was found and done, for the record and the activity log; null when nothing was left.</summary>
    string? Description);
