using Cronos;

namespace DbBackup.Engine.Policies;

/// <summary>A policy's cron expression read in its time zone (Cronos: standard 5-field cron, or 6 with
/// seconds first; daylight-saving gaps and overlaps handled as Cronos documents, so a 02:30 slot on a
/// spring-forward day runs once at 03:00 and a fall-back hour runs once).</summary>
public sealed class PolicySchedule
{
    private readonly CronExpression _cron;

    private PolicySchedule(CronExpression cron, TimeZoneInfo zone)
    {
        _cron = cron;
        Zone = zone;
    }

    /// <summary>The zone slots and retention periods are computed in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>Parses and checks both; a bad expression or unknown zone is an InvalidArgument naming it.</summary>
    public static PolicySchedule Parse(string? expression, string? timeZone)
    {
        expression ??= "";
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidSchedule",
                $"Schedule '{expression}' is not a cron expression: give 5 fields (minute hour day-of-month month day-of-week, e.g. '0 2 * * *' for 02:00 every day) or 6 with seconds first.") { TargetObject = expression };
        CronExpression cron;
        try { cron = CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard); }
        catch (CronFormatException e)
        {
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidSchedule",
                $"Schedule '{expression}' is not a valid cron expression ({e.Message.TrimEnd('.')}). Example: '0 2 * * *' (02:00 every day), '*/15 * * * *' (every 15 minutes).", e) { TargetObject = expression };
        }
        return new PolicySchedule(cron, FindZone(timeZone));
    }

    /// <summary>The zone with this IANA or Windows id (null or empty: UTC).</summary>
    public static TimeZoneInfo FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id == "UTC") return TimeZoneInfo.Utc;
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new DbBackupException(ErrorKind.InvalidArgument, "UnknownTimeZone",
                $"Time zone '{id}' is not known on this host. Give an IANA id such as 'Europe/Berlin' or 'America/New_York', or 'UTC'.", e) { TargetObject = id };
        }
    }

    // Windows widening the search backwards: Cronos only looks forwards, so the latest slot is the last
    // occurrence in the smallest window before now that has one.
    private static readonly TimeSpan[] LookBack = [TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(367), TimeSpan.FromDays(5 * 366)];

    /// <summary>The latest slot at or before <paramref name="now"/>, or null when there is none in the
    /// last five years. Only this slot can be due: slots missed before it are not caught up one by one.</summary>
    public DateTimeOffset? LatestSlotAtOrBefore(DateTimeOffset now)
    {
        foreach (var window in LookBack)
        {
            DateTimeOffset? last = null;
            foreach (var o in _cron.GetOccurrences(now - window, now, Zone, fromInclusive: true, toInclusive: true)) last = o;
            if (last != null) return last.Value.ToUniversalTime();
        }
        return null;
    }

    /// <summary>The first slot after <paramref name="now"/>, or null when the expression has none.</summary>
    public DateTimeOffset? NextSlotAfter(DateTimeOffset now) => _cron.GetNextOccurrence(now, Zone)?.ToUniversalTime();
}
