using System.Security.Cryptography;
using System.Text;

namespace DbBackup.Engine.Operations;

/// <summary>Which process-id space this process lives in, so that a worker's pid recorded in a shared
/// repository (an object store many hosts use) can still be checked by callers that share that space,
/// instead of waiting minutes for its heartbeat to age. A host name alone is not enough: two hosts (or
/// containers) may share one. On Linux it is the boot id plus the pid namespace: equal only for
/// processes that see the same pids in the same boot. Elsewhere null: only the heartbeat's age counts.</summary>
public static class HostIdentity
{
    /// <summary>This process's identity (16 hex digits), or null where it cannot be known.</summary>
    public static string? Current { get; } = Compute();

    /// <summary>Whether a process <paramref name="pid"/> recorded with <paramref name="host"/> and
    /// <paramref name="hostId"/> can be checked from here: on a store only this host writes
    /// (<paramref name="storeIsSameHostOnly"/>), a matching host name suffices, as it always has;
    /// on a shared store the identity must match.</summary>
    public static bool CanCheckProcess(string? host, string? hostId, bool storeIsSameHostOnly)
        => storeIsSameHostOnly
            ? string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            : hostId is not null && hostId == Current;

    private static string? Compute()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var bootId = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            var pidNamespace = new FileInfo("/proc/self/ns/pid").LinkTarget;
            if (bootId.Length == 0 || string.IsNullOrEmpty(pidNamespace)) return null;
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{bootId}|{pidNamespace}"));
            return Convert.ToHexStringLower(hash)[..16];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
