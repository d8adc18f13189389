using System.Globalization;
using System.Text;
using DbBackup.Model;

namespace DbBackup.Cli;

/// <summary>Short human-readable forms of the model objects (the --json form is the contract).</summary>
public static class TextFormat
{
    /// <summary>Bytes in human units.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double v = bytes;
        var i = 0;
        while (v >= 1024 && i < units.Length - 1) { v /= 1024; i++; }
        return i == 0 ? $"{bytes} B" : v.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[i];
    }

    /// <summary>Text form of any result.</summary>
    public static string Describe(object value) => value switch
    {
        BackupRecord b => $"{b.Id}  {b.Name}  {b.Engine} {b.Server}:{b.Port}/{b.Database}  {b.State}  {Size(b.SizeBytes)}  {b.StatusMessage}",
        RestoreRecord r => $"{r.Id}  backup {r.BackupId}{(r.SourceDatabase != null ? $" (of {r.SourceDatabase})" : "")} → {r.Engine} {r.Server}:{r.Port}/{r.Database}"
                           + (r.Tables.Length > 0 ? $" tables {string.Join(", ", r.Tables)}{(r.ReplacesTables ? " (other objects kept)" : "")}" : r.Swap ? " (whole database replaced)" : "")
                           + $"  {r.State}  {r.StatusMessage}" + (r.SafetyBackupId != null ? $"  safety backup {r.SafetyBackupId}" : ""),
        StatusReport s => $"{s.Engine} {s.Server}:{s.Port}/{s.Database}  running: {s.Running}{(s.RunningId != null ? " (" + s.RunningId + ")" : "")}\n" +
                          $"  last backup:  {Summary(s.Backup)}\n  last restore: {Summary(s.Restore)}",
        VerificationResult v => $"{v.BackupId}  {(v.Passed ? "PASSED" : "FAILED")}  files {v.FilesChecked}" + (v.Restored ? $", tables {v.TablesMatched}/{v.TablesCompared} matched" : "")
                                + string.Concat(v.Problems.Select(p => "\n  - " + p)) + string.Concat(v.Warnings.Select(w => "\n  warning: " + w)),
        Page<BackupRecord> p => Table(p),
        Page<RestoreRecord> rp => string.Join("\n", rp.Items.Select(r => $"{r.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ssZ}  {Describe(r)}").Append($"{rp.Items.Count} of {rp.TotalCount}")),
        Page<ActivityEntry> a => string.Join("\n", a.Items.Select(e => $"{e.Time:u}  {e.Action,-18} {e.Id,-28} {e.Database,-16} {e.User}@{e.Host}  {e.Message}{(e.Note != null ? "  note: " + e.Note : "")}")),
        FileInfo f => $"{f.FullName}  {Size(f.Length)}",
        RepositoryInfo i => $"{i.Path}  format {i.FormatVersion}  {i.BackupCount} backups  {Size(i.TotalSizeBytes)}\n  {i.Settings}",
        BackupPolicy p => Policy(p, p.Name.Length),
        List<BackupPolicy> ps => PolicyList(ps),
        List<PolicyRunResult> rs => RunResults(rs),
        _ => value.ToString() ?? "",
    };

    // The name padded to the longest in the list, so the columns line up as in `policy run`.
    private static string Policy(BackupPolicy p, int nameWidth) =>
        $"{p.Name.PadRight(nameWidth)}  {p.Engine} {p.UserName}@{p.Server}:{p.Port}/{p.Database}  '{p.Schedule}' {p.TimeZone}  keep {p.Retention}{(p.Enabled ? "" : "  (paused)")}";

    private static string PolicyList(List<BackupPolicy> ps)
    {
        var width = ps.Count == 0 ? 0 : ps.Max(p => p.Name.Length);
        return string.Join("\n", ps.Select(p => Policy(p, width)).Append($"{ps.Count} {(ps.Count == 1 ? "policy" : "policies")}"));
    }

    private static string Summary(OperationSummary? s) => s == null ? "none" : $"{s.Id} {s.State} {s.StartDate:u} → {s.EndDate:u} {s.StatusMessage}";

    // Short enough for the table: Manual, Safety, Imported.
    private static string KindText(BackupKind kind) => kind == BackupKind.SafetyBeforeRestore ? "Safety" : kind.ToString();

    private static string Table(Page<BackupRecord> page)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{"Id",-27} {"Engine",-10} {"Server",-21} {"Database",-16} {"State",-9} {"Kind",-8} {"Size",9} {"Created (UTC)",-20} {"Retained",-16} {"Name"}");
        foreach (var b in page.Items)
            sb.AppendLine($"{b.Id,-27} {b.Engine,-10} {Trim(b.Server + ":" + b.Port, 21),-21} {Trim(b.Database, 16),-16} {b.State,-9} {KindText(b.Kind),-8} {Size(b.SizeBytes),9} {b.CreatedAt.UtcDateTime,-20:yyyy-MM-dd HH:mm:ssZ} {Trim(string.Join(",", b.Hold ? b.RetainedAs.Where(t => t != "hold").Prepend("HOLD") : b.RetainedAs), 16),-16} {b.Name}");
        sb.Append($"{page.Items.Count} of {page.TotalCount}");
        return sb.ToString();
    }

    private static string RunResults(List<PolicyRunResult> rs)
    {
        if (rs.Count == 0) return "No policies.";
        int policy = rs.Max(r => r.Policy.Length), database = Math.Min(24, rs.Max(r => r.Database.Length)), outcome = rs.Max(r => r.Outcome.Length);
        return string.Join("\n", rs.Select(r => $"{r.Policy.PadRight(policy)}  {Trim(r.Database, 24).PadRight(database)}  {r.Outcome.PadRight(outcome)}  "
            + $"{(r.Slot is { } s ? s.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : ""),-16}  {r.BackupId}  {r.Message}".TrimEnd()));
    }

    private static string Trim(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
