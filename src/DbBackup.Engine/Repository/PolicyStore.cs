using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>Policies in the repository, so every host sharing it sees the same ones:
/// policies/&lt;name&gt;.json (sealed as manifests are, written by compare-and-swap on Revision under
/// locks/policies/&lt;name&gt;.lock) and policies/&lt;name&gt;.slots/&lt;slot&gt;-&lt;database hash&gt;.claim, one
/// file per schedule slot and database, created with O_EXCL: whoever creates it starts that backup, so
/// two hosts running the policies at once start each due backup exactly once.</summary>
public sealed class PolicyStore
{
    private readonly BackupRepository _repository;

    /// <summary>The policies of <paramref name="repository"/>.</summary>
    public PolicyStore(BackupRepository repository) => _repository = repository;

    private string Folder => Path.Combine(_repository.Root, "policies");
    private string LockFolder => Path.Combine(_repository.LocksFolder, "policies");
    private string PolicyPath(string name) => Path.Combine(Folder, ValidateName(name) + ".json");
    private string SlotsFolder(string name) => Path.Combine(Folder, ValidateName(name) + ".slots");

    /// <summary>Returns the name if it is a valid policy name (it becomes a file name).</summary>
    public static string ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidPolicyName",
                $"Policy name '{new string((name ?? "").Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray())}' is not allowed: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.") { TargetObject = name };
        return name;
    }

    /// <summary>The policy, or null. A damaged or altered file throws CorruptMetadata.</summary>
    public BackupPolicy? TryRead(string name)
    {
        var path = PolicyPath(name);
        if (!File.Exists(path)) return null;
        BackupPolicy policy;
        try { policy = RecordFile.Read<BackupPolicy>(path).Record; }
        catch (FileNotFoundException) { return null; }
        if (policy.Name != name) throw RecordFile.Damaged(path, $"it names the policy '{policy.Name}', not '{name}'");
        return policy;
    }

    /// <summary>Every readable policy, by name; <paramref name="problems"/> gets why others were skipped.</summary>
    public List<BackupPolicy> ReadAll(List<string>? problems = null)
    {
        var all = new List<BackupPolicy>();
        if (!Directory.Exists(Folder)) return all;
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                SecureFiles.RemoveDeadTempFiles(file);
                if (TryRead(Path.GetFileNameWithoutExtension(file)) is { } p) all.Add(p);
            }
            catch (DbBackupException e) { problems?.Add(e.Message); }
        }
        return all;
    }

    /// <summary>Writes the policy if the stored one is still the revision it was read as (or there is
    /// none and Revision is 0): false, writing nothing, when someone else wrote it since.</summary>
    public bool Write(BackupPolicy policy) => UnderLock(policy.Name, path =>
    {
        var stored = TryRead(policy.Name);
        if (stored == null ? File.Exists(path) || policy.Revision != 0 : stored.Revision != policy.Revision) return false;
        policy.Revision++;
        try { SecureFiles.WriteAllBytesAtomic(path, RecordFile.Serialize(policy)); }
        catch
        {
            policy.Revision--;
            throw;
        }
        return true;
    });

    /// <summary>Deletes the policy (and its slot claims) if it is still at <paramref name="revision"/>.</summary>
    public bool Delete(string name, int revision) => UnderLock(name, path =>
    {
        if (TryRead(name) is not { } stored || stored.Revision != revision) return false;
        File.Delete(path);
        if (Directory.Exists(SlotsFolder(name))) Directory.Delete(SlotsFolder(name), recursive: true);
        return true;
    });

    private bool UnderLock(string name, Func<string, bool> body)
    {
        _repository.EnsureCreated();
        SecureFiles.CreateFolder(Folder);
        SecureFiles.CreateFolder(LockFolder);
        using var held = RecordLock.TryAcquire(Path.Combine(LockFolder, ValidateName(name) + ".lock"), BackupRepository.RecordLockTimeout);
        if (held == null) return false;
        var path = PolicyPath(name);
        SecureFiles.RemoveDeadTempFiles(path);
        return body(path);
    }

    /// <summary>Claims one slot of one database for this process: true when this call created the claim
    /// (so it starts the backup); false when another run has it, <paramref name="holder"/> then says
    /// who. The claim holds the claimer and, once known, never changes.</summary>
    public bool TryClaimSlot(string policy, string database, DateTimeOffset slot, string claimer, out string holder)
    {
        _repository.EnsureCreated();
        var folder = SlotsFolder(policy);
        SecureFiles.CreateFolder(folder);
        var path = Path.Combine(folder, SlotFileName(database, slot));
        try
        {
            using var fs = new FileStream(path, SecureFiles.NewFileOptions(FileMode.CreateNew, FileAccess.Write, 0));
            fs.Write(Encoding.UTF8.GetBytes(claimer));
            fs.Flush(flushToDisk: true);
            holder = claimer;
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            try { holder = File.ReadAllText(path); }
            catch (IOException) { holder = "(unreadable)"; }
            if (holder.Length == 0) holder = "(a run that is just writing its claim)";
            return false;
        }
    }

    /// <summary>True when a claim exists for this slot and database.</summary>
    public bool IsClaimed(string policy, string database, DateTimeOffset slot)
        => File.Exists(Path.Combine(SlotsFolder(policy), SlotFileName(database, slot)));

    /// <summary>Removes claims of slots before <paramref name="before"/>: only the latest slot can be
    /// due, and the margin kept covers hosts whose clocks lag.</summary>
    public void RemoveClaimsBefore(string policy, DateTimeOffset before)
    {
        var folder = SlotsFolder(policy);
        if (!Directory.Exists(folder)) return;
        var cutoff = SlotStamp(before);
        foreach (var f in Directory.EnumerateFiles(folder, "*.claim"))
            if (string.CompareOrdinal(Path.GetFileName(f), cutoff) < 0) SecureFiles.TryDelete(f);
    }

    private static string SlotStamp(DateTimeOffset slot) => slot.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string SlotFileName(string database, DateTimeOffset slot)
        => $"{SlotStamp(slot)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(database)))[..16]}.claim";
}
