using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>The one place that says when two records concern the same database (server names
/// compared as <see cref="ServerNames"/> does).</summary>
internal static class OperationTargets
{
    /// <summary>True when the record's target is this database.</summary>
    public static bool IsTarget(IOperationRecord r, DatabaseEngine engine, string server, int port, string database)
        => r.Engine == engine && ServerNames.Same(r.Server, server) && r.Port == port && r.Database == database;

    /// <summary>As <see cref="IsTarget(IOperationRecord, DatabaseEngine, string, int, string)"/>, for a catalog entry.</summary>
    public static bool IsTarget(CatalogEntry e, DatabaseEngine engine, string server, int port, string database)
        => e.Engine == engine && ServerNames.Same(e.Server, server) && e.Port == port && e.Database == database;
}
