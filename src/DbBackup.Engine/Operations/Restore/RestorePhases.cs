using DbBackup.Engine.Providers;

namespace DbBackup.Engine.Operations;

/// <summary>The progress phases a whole-database restore records around its swap (they say what state
/// the target is in if the worker dies), and the name of the copy it fills first.</summary>
internal static class RestorePhases
{
    /// <summary>Progress phase while the restored copy is being swapped in (all or nothing).</summary>
    public const string SwappingPhase = "Swapping";

    /// <summary>Progress phase once the swap is done and only finishing steps remain.</summary>
    public const string SwappedPhase = "Swapped";

    /// <summary>The database a restore over <paramref name="database"/> fills before swapping it in.</summary>
    public static string AsideName(string database, string restoreId) => RestoreDatabaseNames.Aside(database, restoreId);
}
