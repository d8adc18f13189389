namespace DbBackup.Model;

/// <summary>How many backups a policy keeps, per tier, as restic's --keep-* and pgBackRest's
/// retention settings: the newest <see cref="Last"/> backups, plus the newest backup of each of the
/// last N hours, days, ISO weeks, months and years that have one. A backup kept by several tiers is
/// kept once and lists them all in <see cref="BackupRecord.RetainedAs"/>. A null tier keeps nothing
/// by itself; with every tier null, all backups are kept.</summary>
public sealed class RetentionTiers
{
    /// <summary>The newest N successful backups.</summary>
    public int? Last { get; set; }
    /// <summary>The newest backup of each of the last N hours that have one.</summary>
    public int? Hourly { get; set; }
    /// <summary>The newest backup of each of the last N days that have one.</summary>
    public int? Daily { get; set; }
    /// <summary>The newest backup of each of the last N ISO weeks (Monday to Sunday) that have one.</summary>
    public int? Weekly { get; set; }
    /// <summary>The newest backup of each of the last N months that have one.</summary>
    public int? Monthly { get; set; }
    /// <summary>The newest backup of each of the last N years that have one.</summary>
    public int? Yearly { get; set; }

    /// <summary>True when no tier is set (nothing is ever removed).</summary>
    public bool KeepsEverything => Last is null && Hourly is null && Daily is null && Weekly is null && Monthly is null && Yearly is null;

    /// <summary>The tiers on one line, e.g. "last=3 daily=7 weekly=4".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Last is { } l) parts.Add($"last={l}");
        if (Hourly is { } h) parts.Add($"hourly={h}");
        if (Daily is { } d) parts.Add($"daily={d}");
        if (Weekly is { } w) parts.Add($"weekly={w}");
        if (Monthly is { } m) parts.Add($"monthly={m}");
        if (Yearly is { } y) parts.Add($"yearly={y}");
        return parts.Count == 0 ? "keep all" : string.Join(" ", parts);
    }
}
