using System.Globalization;
using DbBackup.Model;

namespace DbBackup.Engine.Policies;

/// <summary>Grandfather-father-son retention as restic's --keep-last/--keep-hourly/…/--keep-yearly
/// read it: walking the successful backups newest first, each tier keeps the newest backup of each
/// period (hour, day, ISO week, month, year, in the policy's time zone) until it has kept its count of
/// periods; periods without a backup do not count. A backup kept by any tier stays. Never removed
/// whatever the tiers say: the newest successful backup, a running or pending one, a held one.
/// Failed and cancelled records are removed once a newer backup succeeded (the activity log keeps
/// their story). Pure: the same input gives the same plan, so a year is planned in milliseconds.</summary>
public static class RetentionPlanner
{
    private sealed record Tier(string Name, int Count, string Period, Func<DateTime, string> Key);

    /// <summary>Decides for every backup of one policy and one database.</summary>
    public static List<RetentionDecision> Plan(IEnumerable<BackupRecord> backups, RetentionTiers tiers, TimeZoneInfo zone)
    {
        var all = backups.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        var good = all.Where(b => b.State == OperationState.Succeeded).ToList();
        var kept = good.ToDictionary(b => b.Id, _ => new List<string>(), StringComparer.Ordinal);
        var why = good.ToDictionary(b => b.Id, _ => new List<string>(), StringComparer.Ordinal);

        if (tiers.Last is { } last)
        {
            for (var i = 0; i < good.Count; i++)
                if (i < last) kept[good[i].Id].Add("last");
                else why[good[i].Id].Add($"{i} newer backups fill last={last}");
        }
        foreach (var tier in TiersOf(tiers))
        {
            string? previous = null;
            string? newestOfPeriod = null;
            var periods = 0;
            foreach (var b in good)
            {
                var key = tier.Key(TimeZoneInfo.ConvertTime(b.CreatedAt, zone).DateTime);
                if (key == previous)
                {
                    why[b.Id].Add($"{tier.Period} {key} keeps its newer {newestOfPeriod}");
                    continue;
                }
                previous = key;
                newestOfPeriod = b.Id;
                if (periods < tier.Count)
                {
                    periods++;
                    kept[b.Id].Add(tier.Name);
                }
                else why[b.Id].Add($"{tier.Period} {key} is older than the {tier.Count} newest {tier.Period}s kept ({tier.Name}={tier.Count})");
            }
        }

        var newestGood = good.FirstOrDefault();
        return all.Select(b =>
        {
            if (b.IsActive) return new RetentionDecision(b, [], false, $"{b.State}: never removed while it runs");
            if (b.State != OperationState.Succeeded)
            {
                var newer = newestGood != null && newestGood.CreatedAt > b.CreatedAt;
                return new RetentionDecision(b, [], newer && !b.Hold,
                    b.Hold ? "held" : newer ? $"{b.State}, and a newer backup ({newestGood!.Id}) succeeded" : $"{b.State}; kept until a newer backup succeeds");
            }
            var tiersKeeping = kept[b.Id];
            if (tiers.KeepsEverything) return new RetentionDecision(b, [], false, "the policy keeps every backup (no tier set)");
            var retained = tiersKeeping.ToList();
            if (b.Hold) retained.Add("hold");
            if (retained.Count == 0 && ReferenceEquals(b, newestGood)) retained.Add("latest");
            return retained.Count > 0
                ? new RetentionDecision(b, retained.ToArray(), false, "kept as " + string.Join(", ", retained))
                : new RetentionDecision(b, [], true, $"no tier keeps it ({tiers}): " + string.Join("; ", why[b.Id]));
        }).ToList();
    }

    private static IEnumerable<Tier> TiersOf(RetentionTiers t)
    {
        var c = CultureInfo.InvariantCulture;
        if (t.Hourly is { } h) yield return new Tier("hourly", h, "hour", d => d.ToString("yyyy-MM-dd HH':00'", c));
        if (t.Daily is { } d1) yield return new Tier("daily", d1, "day", d => d.ToString("yyyy-MM-dd", c));
        if (t.Weekly is { } w) yield return new Tier("weekly", w, "week", d => $"{ISOWeek.GetYear(d)}-W{ISOWeek.GetWeekOfYear(d):00}");
        if (t.Monthly is { } m) yield return new Tier("monthly", m, "month", d => d.ToString("yyyy-MM", c));
        if (t.Yearly is { } y) yield return new Tier("yearly", y, "year", d => d.ToString("yyyy", c));
    }
}
