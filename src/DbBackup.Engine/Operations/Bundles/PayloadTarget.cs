using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Engine.Operations;

/// <summary>Where an import writes payload files: streaming uploads under the backup's keys.</summary>
internal sealed record PayloadTarget(IRepositoryStore Store, string Prefix)
{
    /// <summary>Copies <paramref name="source"/> (already verifying) into the file <paramref name="name"/>.</summary>
    public async Task CopyAsync(string name, Stream source, CancellationToken ct)
    {
        await using var upload = await Store.CreateAsync(Prefix + PayloadPaths.Validate(name), ct).ConfigureAwait(false);
        await source.CopyToAsync(upload, 1 << 16, ct).ConfigureAwait(false);
        await upload.CommitAsync(ct).ConfigureAwait(false);
    }
}
