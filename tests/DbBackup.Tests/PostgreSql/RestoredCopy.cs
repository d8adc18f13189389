using DbBackup.Engine.Providers;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>A source database dumped through the real PayloadWriter and restored into a freshly named
/// database; disposing drops that database and deletes the payload, so a failed assertion leaves nothing
/// behind. Made by <see cref="DumpedPayload.RoundTripIntoNewDatabaseAsync"/>.</summary>
internal sealed class RestoredCopy(DumpedPayload payload, string name) : IAsyncDisposable
{
    /// <summary>The dump that was restored (its result carries the source's table stats and format).</summary>
    public DumpedPayload Payload { get; } = payload;

    /// <summary>Name of the restored database.</summary>
    public string Name { get; } = name;

    public ConnectionTarget Target => TestServers.Postgres(Name);

    public async ValueTask DisposeAsync()
    {
        try { await PostgresTestDatabase.DropAsync(Name); }
        finally { Payload.Dispose(); }
    }
}
