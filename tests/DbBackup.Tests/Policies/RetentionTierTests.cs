using System.Diagnostics;
using DbBackup.Engine.Policies;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DbBackup.Tests.Policies;

/// <summary>Tiered retention over simulated time: records are written straight into a temp repository
/// (the fast path) while the engine's clock is moved by hand.</summary>
public sealed class RetentionTierTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset YearStart = new(2025, 7, 1, 0, 0, 0, TimeSpan.Zero);

    // A year of hourly backups, 2025-07-01 00:00Z to 2026-06-30 23:00Z, with hourly 24, daily 7,
    // weekly 4, monthly 12, yearly 2. Computed by hand (2026-06-30 is a Tuesday of ISO week 27):
    private static readonly string[] HandComputed =
    [
        // hourly 24: every hour of the last day (its 23:00 is also the daily, weekly, monthly and yearly pick)
        .. Enumerable.Range(0, 24).Select(h => $"2026-06-30 {h:00}:00"),
        // daily 7: the last hour of 06-24 … 06-29 (06-30 already counted)
        "2026-06-29 23:00", "2026-06-28 23:00", "2026-06-27 23:00", "2026-06-26 23:00", "2026-06-25 23:00", "2026-06-24 23:00",
        // weekly 4: W27 (06-30), the Sundays ending W26 (06-28, also daily), W25 and W24
        "2026-06-21 23:00", "2026-06-14 23:00",
        // monthly 12: the last hour of each month back to July 2025 (June 2026 already counted)
        "2026-05-31 23:00", "2026-04-30 23:00", "2026-03-31 23:00", "2026-02-28 23:00", "2026-01-31 23:00", "2025-12-31 23:00",
        "2025-11-30 23:00", "2025-10-31 23:00", "2025-09-30 23:00", "2025-08-31 23:00", "2025-07-31 23:00",
        // yearly 2: 2026-06-30 23:00 and 2025-12-31 23:00, both counted above
    ];

    private static RetentionTiers YearTiers => new() { Hourly = 24, Daily = 7, Weekly = 4, Monthly = 12, Yearly = 2 };

    [Fact]
    public void A_year_of_hourly_backups_keeps_exactly_the_hand_computed_set_with_the_tiers_that_keep_each()
    {
        var year = Enumerable.Range(0, 365 * 24).Select(h => PolicyRecordsInMemory(YearStart.AddHours(h))).ToList();
        var sw = Stopwatch.StartNew();
        var plan = RetentionPlanner.Plan(year, YearTiers, TimeZoneInfo.Utc);
        output.WriteLine($"planned {year.Count} backups in {sw.ElapsedMilliseconds} ms");
        var kept = plan.Where(d => !d.Remove).Select(d => d.Backup.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm")).Order().ToList();
        Assert.Equal(HandComputed.Order().ToList(), kept);
        Assert.Equal(["hourly", "daily", "weekly", "monthly", "yearly"], Tiers(plan, "2026-06-30 23:00"));
        Assert.Equal(["daily", "weekly"], Tiers(plan, "2026-06-28 23:00"));
        Assert.Equal(["monthly", "yearly"], Tiers(plan, "2025-12-31 23:00"));
        Assert.Equal(["hourly"], Tiers(plan, "2026-06-30 05:00"));
        var gone = plan.Single(d => d.Backup.CreatedAt == new DateTimeOffset(2026, 6, 29, 22, 0, 0, TimeSpan.Zero));
        Assert.True(gone.Remove);
        Assert.Contains("day 2026-06-29 keeps its newer", gone.Reason);
    }

    [Fact]
    public void Hourly_runs_over_two_simulated_weeks_in_a_repository_keep_the_hand_computed_set_and_record_RetainedAs()
    {
        // The same rules through the engine and a real repository, retention every 6 hours
        // (as a 'policy run' every 6 hours would): 2026-06-17 00:00Z (Wednesday of W25) to 06-30 23:00Z with hourly 24, daily 7, weekly 3.
        using var repo = new TestRepository();
        var start = new DateTimeOffset(2026, 6, 17, 0, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(start);
        repo.Engine.Clock = clock;
        var policy = repo.Engine.AddPolicy(PolicyRecords.Policy("hourly", new RetentionTiers { Hourly = 24, Daily = 7, Weekly = 3 }));
        var sw = Stopwatch.StartNew();
        for (var h = 0; h < 14 * 24; h++)
        {
            clock.Now = start.AddHours(h);
            PolicyRecords.Write(repo.Engine.Repository, policy.Name, "app", clock.Now);
            if (h % 6 == 5) repo.Engine.ApplyPolicyRetention(policy, whatIf: false);
        }
        output.WriteLine($"simulated two weeks in {sw.Elapsed.TotalSeconds:0.0} s");
        string[] expected =
        [
            .. Enumerable.Range(0, 24).Select(h => $"2026-06-30 {h:00}:00"),                                  // hourly
            "2026-06-29 23:00", "2026-06-28 23:00", "2026-06-27 23:00", "2026-06-26 23:00", "2026-06-25 23:00", "2026-06-24 23:00", // daily
            "2026-06-21 23:00",                                                                                  // weekly: W25 (W27, W26 counted)
        ];
        var left = repo.Engine.Repository.ReadAllBackups().ToList();
        Assert.Equal(expected.Order().ToList(), left.Select(b => b.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm")).Order().ToList());
        Assert.Equal(["daily", "weekly"], left.Single(b => b.CreatedAt == new DateTimeOffset(2026, 6, 28, 23, 0, 0, TimeSpan.Zero)).RetainedAs);
        Assert.Equal(["weekly"], left.Single(b => b.CreatedAt == new DateTimeOffset(2026, 6, 21, 23, 0, 0, TimeSpan.Zero)).RetainedAs);
        var pruned = repo.Engine.ReadActivity(new Engine.Operations.ActivityQuery()).Items.Where(e => e.Action == "Pruned").ToList();
        Assert.Equal(14 * 24 - expected.Length, pruned.Count);
        Assert.All(pruned, e => Assert.Contains("Policy hourly: no tier keeps it", e.Message));
    }

    [Fact]
    public void Retention_never_removes_a_held_a_running_or_the_last_succeeded_backup_and_WhatIf_removes_nothing()
    {
        using var repo = new TestRepository();
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        repo.Engine.Clock = new ManualClock(t0);
        var policy = repo.Engine.AddPolicy(PolicyRecords.Policy("tiny", new RetentionTiers { Last = 1 }));
        var r = repo.Engine.Repository;
        var held = PolicyRecords.Write(r, "tiny", "app", t0.AddHours(1));
        var old = PolicyRecords.Write(r, "tiny", "app", t0.AddHours(2));
        var running = PolicyRecords.Write(r, "tiny", "app", t0.AddHours(3), OperationState.Running);
        running.WorkerProcessId = Environment.ProcessId; running.WorkerHost = Environment.MachineName; running.HeartbeatAt = DateTimeOffset.UtcNow;
        Assert.True(r.WriteBackup(running));
        var failedOld = PolicyRecords.Write(r, "tiny", "app", t0.AddHours(4), OperationState.Failed);
        var newest = PolicyRecords.Write(r, "tiny", "app", t0.AddHours(5));
        var failedNew = PolicyRecords.Write(r, "tiny", "app", t0.AddHours(6), OperationState.Failed);
        var onlyOther = PolicyRecords.Write(r, "tiny", "other", t0.AddHours(1)); // the last good backup of another database
        repo.Engine.SetHold(held.Id, true);

        var preview = repo.Engine.ApplyPolicyRetention(policy, whatIf: true);
        Assert.Equal([old.Id, failedOld.Id], preview.Select(x => x.BackupId).Order(StringComparer.Ordinal));
        Assert.All(preview, x => Assert.Equal("WouldRemove", x.Outcome));
        Assert.Equal(7, r.ReadAllBackups().Count());

        repo.Engine.ApplyPolicyRetention(policy, whatIf: false);
        var left = r.ReadAllBackups().ToDictionary(b => b.Id);
        Assert.Equal(new[] { held.Id, running.Id, newest.Id, failedNew.Id, onlyOther.Id }.Order(StringComparer.Ordinal), left.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["hold"], left[held.Id].RetainedAs);
        Assert.Equal(["last"], left[newest.Id].RetainedAs);
        Assert.Equal(["last"], left[onlyOther.Id].RetainedAs);

        repo.Engine.SetHold(held.Id, false);
        repo.Engine.ApplyPolicyRetention(policy, whatIf: false);
        Assert.Null(r.TryReadBackup(held.Id));
    }

    private static string[] Tiers(List<RetentionDecision> plan, string at)
        => plan.Single(d => d.Backup.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm") == at).RetainedAs;

    private static BackupRecord PolicyRecordsInMemory(DateTimeOffset at) => new()
    {
        Id = Engine.Repository.Ids.NewBackupId(at), CreatedAt = at, State = OperationState.Succeeded, Database = "app", Policy = "hourly",
    };
}
