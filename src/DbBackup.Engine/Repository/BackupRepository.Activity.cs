using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

public sealed partial class BackupRepository
{
    /// <summary>The activity log where the store appends (a local folder): one JSON line per entry.</summary>
    private const string ActivityLogKey = "activity.jsonl";

    /// <summary>Where the store cannot append: one object per entry, named by its time so the keys
    /// sort in log order ("activity/&lt;UTC ticks as yyyyMMddHHmmssfffffff&gt;-&lt;8 hex&gt;.json").</summary>
    private const string ActivityFolder = "activity/";

    /// <summary>Name of the object that asks a running worker to stop, beside its record.</summary>
    internal const string CancelFile = "cancel.requested";

    /// <summary>Adds one entry to the activity log.</summary>
    public void AppendActivity(ActivityEntry entry) => StoreSync.Run(() => AppendActivityAsync(entry, CancellationToken.None));

    /// <summary>Adds one entry: a line appended to activity.jsonl where the store appends, else an
    /// object of its own under activity/ (object stores have no safe append of whole lines).</summary>
    public async Task AppendActivityAsync(ActivityEntry entry, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var json = JsonSerializer.Serialize(entry, Json.Compact);
        if (Store.Features.Appends)
        {
            await Store.AppendAsync(ActivityLogKey, Encoding.UTF8.GetBytes(json + "\n"), cancellationToken).ConfigureAwait(false);
            return;
        }
        var key = $"{ActivityFolder}{entry.Time.UtcDateTime:yyyyMMddHHmmssfffffff}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.json";
        await Store.TryWriteAsync(key, Encoding.UTF8.GetBytes(json), WriteCondition.IfAbsent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>All activity entries, oldest first: activity.jsonl in line order, then the per-entry
    /// objects in key (time) order; a repository copied between kinds of store has both. Unreadable
    /// lines are skipped.</summary>
    public IEnumerable<ActivityEntry> ReadActivity()
    {
        var lines = StoreSync.Run(async () =>
        {
            var found = new List<string>();
            try
            {
                await using var log = await Store.OpenReadAsync(ActivityLogKey, CancellationToken.None).ConfigureAwait(false);
                using var reader = new StreamReader(log, Encoding.UTF8);
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) found.Add(line);
            }
            catch (DbBackupException e) when (StoreErrors.IsNotFound(e)) { }
            var keys = new List<string>();
            await foreach (var e in Store.ListAsync(ActivityFolder, CancellationToken.None).ConfigureAwait(false)) keys.Add(e.Key);
            foreach (var key in keys)
                if (await Store.TryReadAsync(key, CancellationToken.None).ConfigureAwait(false) is { } one) found.Add(Encoding.UTF8.GetString(one.Content));
            return found;
        });
        foreach (var line in lines)
        {
            if (line.Length == 0) continue;
            ActivityEntry? e = null;
            try { e = JsonSerializer.Deserialize<ActivityEntry>(line, Json.Compact); }
            catch (JsonException) { }
            if (e != null) yield return e;
        }
    }

    /// <summary>Asks the worker of operation <paramref name="id"/> to stop (any process, any host).</summary>
    public Task RequestCancelAsync(string id, string requestedBy, CancellationToken cancellationToken)
        => Store.TryWriteAsync(RecordPrefix(id) + CancelFile, Encoding.UTF8.GetBytes(requestedBy), WriteCondition.None, cancellationToken);

    /// <summary>True while a cancel request for <paramref name="id"/> is stored.</summary>
    public bool IsCancelRequested(string id)
        => StoreSync.Run(() => Store.TryReadAsync(RecordPrefix(id) + CancelFile, CancellationToken.None)) != null;

    /// <summary>Removes the cancel request of <paramref name="id"/>, if any.</summary>
    public void ClearCancelRequest(string id) => StoreSync.Run(() => ClearCancelRequestAsync(id, CancellationToken.None));

    /// <summary>As <see cref="ClearCancelRequest"/>. A credential that may create but not delete (backups
    /// allowed, removal not) leaves a request in place: it names an operation that has ended, which nothing reads.</summary>
    public async Task<bool> ClearCancelRequestAsync(string id, CancellationToken cancellationToken)
    {
        try { return await Store.DeleteAsync(RecordPrefix(id) + CancelFile, null, cancellationToken).ConfigureAwait(false); }
        catch (DbBackupException e) when (StoreErrors.IsDenied(e, StoreRight.Delete)) { return false; }
    }

    /// <summary>The local folder for the scratch files of operation <paramref name="id"/>'s providers
    /// (never in the store: tools write them by path). Beside the record for a local repository, as
    /// always, so whoever finds the worker dead removes them with its files; in the system temp folder
    /// for a remote store (that host's own leftovers).</summary>
    public string ScratchFolder(string id)
        => Store is LocalFolderStore local
            ? Path.Combine(local.PathOf(RecordPrefix(id).TrimEnd('/')), "tmp")
            : Path.Combine(Path.GetTempPath(), "dbbackup-" + Ids.Validate(id));
}
