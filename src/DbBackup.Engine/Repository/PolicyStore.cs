using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>Policies in the repository, so every host sharing it sees the same ones:
/// policies/&lt;name&gt;.json (sealed as manifests are, written compare-and-swap on Revision through the
/// store's conditional writes) and policies/&lt;name&gt;.slots/&lt;slot&gt;-&lt;database hash&gt;.claim, one
/// object per schedule slot and database, created only if absent: whoever creates it starts that
/// backup, so two hosts running the policies at once start each due backup exactly once (on a store
/// whose conditional writes work; see the repository's probe).</summary>
public sealed class PolicyStore
{
    private const string Folder = "policies/";
    private readonly BackupRepository _repository;

    /// <summary>The policies of <paramref name="repository"/>.</summary>
    public PolicyStore(BackupRepository repository) => _repository = repository;

    private IRepositoryStore Store => _repository.Store;
    private static string PolicyKey(string name) => Folder + ValidateName(name) + ".json";
    private static string SlotsPrefix(string name) => Folder + ValidateName(name) + ".slots/";

    /// <summary>Returns the name if it is a valid policy name (it becomes a file name).</summary>
    public static string ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPolicyName",
                $"Policy name '{new string((name ?? "").Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray())}' is not allowed: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.") { TargetObject = name };
        return name;
    }

    /// <summary>The policy, or null. A damaged or altered file throws CorruptMetadata.</summary>
    public BackupPolicy? TryRead(string name) => StoreSync.Run(async () => (await ReadAsync(name).ConfigureAwait(false))?.Policy);

    private async Task<(BackupPolicy Policy, string Version)?> ReadAsync(string name)
    {
        var key = PolicyKey(name);
        if (await Store.TryReadAsync(key, CancellationToken.None).ConfigureAwait(false) is not { } stored) return null;
        var source = _repository.Describe(key);
        var policy = RecordFile.Parse<BackupPolicy>(stored.Content, source).Record;
        if (policy.Name != name) throw RecordFile.Damaged(source, $"it names the policy '{policy.Name}', not '{name}'");
        return (policy, stored.Version);
    }

    /// <summary>Every readable policy, by name; <paramref name="problems"/> gets why others were skipped.</summary>
    public List<BackupPolicy> ReadAll(List<string>? problems = null) => StoreSync.Run(async () =>
    {
        var all = new List<BackupPolicy>();
        await foreach (var entry in Store.ListAsync(Folder, CancellationToken.None).ConfigureAwait(false))
        {
            var rest = entry.Key[Folder.Length..];
            if (rest.Contains('/') || !rest.EndsWith(".json", StringComparison.Ordinal)) continue;
            try
            {
                if ((await ReadAsync(rest[..^".json".Length]).ConfigureAwait(false))?.Policy is { } p) all.Add(p);
            }
            catch (DbBackupException e) { problems?.Add(e.Message); }
        }
        return all.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    });

    /// <summary>Writes the policy if the stored one is still the revision it was read as (or there is
    /// none and Revision is 0): false, writing nothing, when someone else wrote it since.</summary>
    public bool Write(BackupPolicy policy) => StoreSync.Run(async () =>
    {
        await _repository.EnsureCreatedAsync(CancellationToken.None).ConfigureAwait(false);
        var current = await ReadAsync(policy.Name).ConfigureAwait(false);
        if (current is { } c ? c.Policy.Revision != policy.Revision : policy.Revision != 0) return false;
        policy.Revision++;
        try
        {
            var condition = current is { } v ? WriteCondition.IfVersion(v.Version) : WriteCondition.IfAbsent;
            if (await Store.TryWriteAsync(PolicyKey(policy.Name), RecordFile.Serialize(policy), condition, CancellationToken.None).ConfigureAwait(false) != null)
                return true;
        }
        catch (DbBackupException e) when (StoreErrors.IsBusy(e)) { }
        catch
        {
            policy.Revision--;
            throw;
        }
        policy.Revision--;
        return false;
    });

    /// <summary>Deletes the policy (and its slot claims) if it is still at <paramref name="revision"/>.</summary>
    public bool Delete(string name, int revision) => StoreSync.Run(async () =>
    {
        if (await ReadAsync(name).ConfigureAwait(false) is not { } current || current.Policy.Revision != revision) return false;
        if (!await Store.DeleteAsync(PolicyKey(name), current.Version, CancellationToken.None).ConfigureAwait(false)) return false;
        await Store.DeletePrefixAsync(SlotsPrefix(name), CancellationToken.None).ConfigureAwait(false);
        return true;
    });

    /// <summary>Claims one slot of one database for this process: true when this call created the claim
    /// (so it starts the backup); false when another run has it, <paramref name="holder"/> then says
    /// who. The claim holds the claimer and never changes.</summary>
    public bool TryClaimSlot(string policy, string database, DateTimeOffset slot, string claimer, out string holder)
    {
        var key = SlotsPrefix(policy) + SlotFileName(database, slot);
        var (claimed, by) = StoreSync.Run(async () =>
        {
            await _repository.EnsureCreatedAsync(CancellationToken.None).ConfigureAwait(false);
            if (await Store.TryWriteAsync(key, Encoding.UTF8.GetBytes(claimer), WriteCondition.IfAbsent, CancellationToken.None).ConfigureAwait(false) != null)
                return (true, claimer);
            var stored = await Store.TryReadAsync(key, CancellationToken.None).ConfigureAwait(false);
            var text = stored is null ? "" : Encoding.UTF8.GetString(stored.Content);
            return (false, text.Length == 0 ? "(a run that is just writing its claim)" : text);
        });
        holder = by;
        return claimed;
    }

    /// <summary>True when a claim exists for this slot and database.</summary>
    public bool IsClaimed(string policy, string database, DateTimeOffset slot)
        => StoreSync.Run(async () => await Store.TryReadAsync(SlotsPrefix(policy) + SlotFileName(database, slot), CancellationToken.None).ConfigureAwait(false) != null);

    /// <summary>Removes claims of slots before <paramref name="before"/>: only the latest slot can be
    /// due, and the margin kept covers hosts whose clocks lag.</summary>
    public void RemoveClaimsBefore(string policy, DateTimeOffset before) => StoreSync.Run(async () =>
    {
        var prefix = SlotsPrefix(policy);
        var cutoff = SlotStamp(before);
        var old = new List<string>();
        await foreach (var entry in Store.ListAsync(prefix, CancellationToken.None).ConfigureAwait(false))
            if (entry.Key.EndsWith(".claim", StringComparison.Ordinal) && string.CompareOrdinal(entry.Key[prefix.Length..], cutoff) < 0) old.Add(entry.Key);
        foreach (var key in old) await Store.DeleteAsync(key, null, CancellationToken.None).ConfigureAwait(false);
    });

    private static string SlotStamp(DateTimeOffset slot) => slot.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string SlotFileName(string database, DateTimeOffset slot)
        => $"{SlotStamp(slot)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(database)))[..16]}.claim";
}
