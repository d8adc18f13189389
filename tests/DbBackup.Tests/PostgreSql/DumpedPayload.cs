using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>A dump written through the real PayloadWriter into a temp folder, readable again with
/// PayloadReader; the folder is deleted on dispose.</summary>
internal sealed class DumpedPayload : IDisposable
{
    public required string Folder { get; init; }
    public required IReadOnlyList<BackupFile> Files { get; init; }
    public required DumpResult Result { get; init; }
    public required List<OperationProgress> Progress { get; init; }
    public CompressionKind Compression { get; init; } = CompressionKind.Gzip;

    public static async Task<DumpedPayload> DumpAsync(IDatabaseProvider provider, DumpRequest request, CancellationToken ct = default)
    {
        var folder = Path.Combine(Path.GetTempPath(), "dbbackup-pgtest-" + Guid.NewGuid().ToString("N"));
        var writer = new PayloadWriter(folder, CompressionKind.Gzip);
        var progress = new List<OperationProgress>();
        var result = await provider.DumpAsync(request, writer, new SyncProgress(progress), ct);
        return new DumpedPayload { Folder = folder, Files = writer.Files, Result = result, Progress = progress };
    }

    /// <summary>Dumps with <paramref name="request"/> and restores into a new database named from
    /// <paramref name="prefix"/> with the same job count; whatever was created is dropped if the restore fails.</summary>
    public static async Task<RestoredCopy> RoundTripIntoNewDatabaseAsync(IDatabaseProvider provider, DumpRequest request, string prefix)
    {
        var payload = await DumpAsync(provider, request);
        var copy = new RestoredCopy(payload, TestServers.UniqueName(prefix));
        try
        {
            await provider.RestoreAsync(new RestoreRequest(copy.Target, new BackupRecord(), request.Jobs), payload.Reader(), new SyncProgress([]), default);
            return copy;
        }
        catch
        {
            await copy.DisposeAsync();
            throw;
        }
    }

    public PayloadReader Reader() => new(Folder, Files, Compression);

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    internal sealed class SyncProgress(List<OperationProgress> into) : IProgress<OperationProgress>
    {
        public void Report(OperationProgress value) { lock (into) into.Add(value); }
    }
}
