using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Tests.Hostile;

/// <summary>A real provider whose server probe is counted and answers slowly, as a loaded server
/// does; everything else goes straight through.</summary>
internal sealed class SlowProbeProvider(IDatabaseProvider inner, TimeSpan delay) : IDatabaseProvider
{
    private int _probes;

    /// <summary>How many probes (connections to validate a start) were made.</summary>
    public int Probes => Volatile.Read(ref _probes);

    public DatabaseEngine Engine => inner.Engine;

    public async Task<ServerProbe> ProbeAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _probes);
        await Task.Delay(delay, cancellationToken);
        return await inner.ProbeAsync(target, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListDatabasesAsync(ConnectionTarget server, CancellationToken cancellationToken) => inner.ListDatabasesAsync(server, cancellationToken);
    public Task<IReadOnlyList<TableInfo>> ListTablesAsync(ConnectionTarget target, CancellationToken cancellationToken) => inner.ListTablesAsync(target, cancellationToken);

    public Task<DumpResult> DumpAsync(DumpRequest request, IPayloadSink sink, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        => inner.DumpAsync(request, sink, progress, cancellationToken);

    public Task RestoreAsync(RestoreRequest request, IPayloadSource source, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        => inner.RestoreAsync(request, source, progress, cancellationToken);

    public Task SwapAsync(ConnectionTarget server, string database, string replacement, CancellationToken cancellationToken)
        => inner.SwapAsync(server, database, replacement, cancellationToken);

    public Task DropDatabaseAsync(ConnectionTarget server, string database, CancellationToken cancellationToken) => inner.DropDatabaseAsync(server, database, cancellationToken);

    public Task<IReadOnlyList<string>> FindTableReplaceBlockersAsync(ConnectionTarget target, IReadOnlyList<TableStat> tables, CancellationToken cancellationToken)
        => inner.FindTableReplaceBlockersAsync(target, tables, cancellationToken);

    public Task ReplaceTablesAsync(TableReplaceRequest request, IPayloadSource source, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
        => inner.ReplaceTablesAsync(request, source, progress, cancellationToken);

    public Task<AbandonedRestoreCleanup> CleanUpAbandonedRestoreAsync(ConnectionTarget server, string database, string aside, bool swapStarted, CancellationToken cancellationToken)
        => inner.CleanUpAbandonedRestoreAsync(server, database, aside, swapStarted, cancellationToken);

    public Task<IReadOnlyList<TableStat>> ComputeTableStatsAsync(ConnectionTarget target, IReadOnlyList<TableStat> tables, CancellationToken cancellationToken)
        => inner.ComputeTableStatsAsync(target, tables, cancellationToken);
}
