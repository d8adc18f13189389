namespace DbBackup.Model;

/// <summary>What Register-DbBackupSchedule / 'dbbackup policy install' wrote (or, with -WhatIf /
/// --dry-run, would write) so that the host's scheduler runs 'policy run' every few minutes.</summary>
public sealed class ScheduleRegistration
{
    /// <summary>systemd, cron or task (Windows Task Scheduler).</summary>
    public string Scheduler { get; set; } = "";
    /// <summary>How often the scheduler runs the policies.</summary>
    public TimeSpan Every { get; set; }
    /// <summary>The command the scheduler runs.</summary>
    public string Command { get; set; } = "";
    /// <summary>Files written (full path and exact content); for cron the crontab's new content.</summary>
    public List<ScheduleFile> Files { get; set; } = [];
    /// <summary>Commands run to activate it (or to be run, when not written).</summary>
    public string[] Activation { get; set; } = [];
    /// <summary>True once written and activated; false for -WhatIf / --dry-run.</summary>
    public bool Written { get; set; }

    /// <summary>Everything, as printed.</summary>
    public override string ToString()
        => string.Join("\n", Files.Select(f => $"# {f.Path}\n{f.Content.TrimEnd()}\n").Append((Written ? "ran: " : "to activate: ") + string.Join(" && ", Activation)));
}

/// <summary>One file of a schedule registration.</summary>
public sealed class ScheduleFile
{
    /// <summary>Full path (for cron: "crontab" of the user).</summary>
    public string Path { get; set; } = "";
    /// <summary>Exact content.</summary>
    public string Content { get; set; } = "";
}
