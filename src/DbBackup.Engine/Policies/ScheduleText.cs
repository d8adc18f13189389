using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace DbBackup.Engine.Policies;

/// <summary>The text each scheduler needs to run one command every few minutes: a systemd service and
/// timer, a crontab line, a Task Scheduler task (XML schema 1.2). Each quotes the command the way its
/// scheduler splits it.</summary>
public static class ScheduleText
{
    /// <summary>Unit name (service and timer).</summary>
    public const string UnitName = "dbbackup-policy";
    /// <summary>Task Scheduler path of the task.</summary>
    public const string TaskName = @"\DbBackup\PolicyRun";
    /// <summary>Comment ending the crontab line, so a later install replaces it instead of adding one.</summary>
    public const string CronMarker = "# dbbackup policy run";

    /// <summary>Checks the interval: minutes dividing an hour, or whole hours dividing a day.</summary>
    public static void CheckInterval(int minutes)
    {
        if (minutes is < 1 or > 1440 || (60 % minutes != 0 && (minutes % 60 != 0 || 1440 % minutes != 0)))
            throw new DbBackupException(ErrorKind.InvalidArgument, "InvalidInterval",
                $"Run every {minutes} minutes is not accepted: give minutes that divide an hour (1, 2, 3, 5, 10, 15, 20, 30, 60) or whole hours that divide a day (120, 180, 240, 360, 480, 720, 1440).") { TargetObject = minutes };
    }

    /// <summary>The oneshot service running the command.</summary>
    public static string SystemdService(IReadOnlyList<string> command) =>
        "[Unit]\n" +
        "Description=DbBackup: start the backups due now and apply retention (dbbackup policy run)\n" +
        "Wants=network-online.target\nAfter=network-online.target\n\n" +
        "[Service]\nType=oneshot\n" +
        "ExecStart=" + string.Join(' ', command.Select(SystemdQuote)) + "\n";

    /// <summary>The timer starting the service every <paramref name="minutes"/> (Persistent: a run
    /// missed while the host was off happens at boot).</summary>
    public static string SystemdTimer(int minutes) =>
        "[Unit]\n" +
        $"Description=Run {UnitName}.service every {minutes} minutes\n\n" +
        "[Timer]\n" +
        $"OnCalendar={(minutes < 60 ? $"*-*-* *:00/{minutes}:00" : $"*-*-* 00/{minutes / 60}:00:00")}\n" +
        "Persistent=true\nAccuracySec=1s\n" +
        $"Unit={UnitName}.service\n\n" +
        "[Install]\nWantedBy=timers.target\n";

    /// <summary>The crontab line (for /bin/sh; '%' escaped as crontab requires).</summary>
    public static string CronLine(int minutes, IReadOnlyList<string> command)
        => (minutes < 60 ? (minutes == 1 ? "* * * * *" : $"*/{minutes} * * * *") : (minutes == 1440 ? "0 0 * * *" : $"0 */{minutes / 60} * * *"))
           + " " + string.Join(' ', command.Select(ShellQuote)).Replace("%", "\\%", StringComparison.Ordinal) + " " + CronMarker;

    /// <summary>The scheduled task: every <paramref name="minutes"/> from <paramref name="start"/>,
    /// as the current user whether logged on or not without a stored password (S4U), never two at once.</summary>
    public static string TaskXml(int minutes, IReadOnlyList<string> command, DateTime start)
    {
        XNamespace ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";
        var doc = new XDocument(new XDeclaration("1.0", "UTF-16", null),
            new XElement(ns + "Task", new XAttribute("version", "1.2"),
                new XElement(ns + "RegistrationInfo",
                    new XElement(ns + "Description", "DbBackup: start the backups due now and apply retention (dbbackup policy run)"),
                    new XElement(ns + "URI", TaskName)),
                new XElement(ns + "Triggers",
                    new XElement(ns + "TimeTrigger",
                        new XElement(ns + "Repetition",
                            new XElement(ns + "Interval", $"PT{minutes}M"),
                            new XElement(ns + "StopAtDurationEnd", "false")),
                        new XElement(ns + "StartBoundary", start.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
                        new XElement(ns + "Enabled", "true"))),
                new XElement(ns + "Principals",
                    new XElement(ns + "Principal", new XAttribute("id", "Author"),
                        new XElement(ns + "LogonType", "S4U"),
                        new XElement(ns + "RunLevel", "LeastPrivilege"))),
                new XElement(ns + "Settings",
                    new XElement(ns + "MultipleInstancesPolicy", "IgnoreNew"),
                    new XElement(ns + "DisallowStartIfOnBatteries", "false"),
                    new XElement(ns + "StopIfGoingOnBatteries", "false"),
                    new XElement(ns + "StartWhenAvailable", "true"),
                    new XElement(ns + "ExecutionTimeLimit", "PT1H"),
                    new XElement(ns + "Enabled", "true")),
                new XElement(ns + "Actions", new XAttribute("Context", "Author"),
                    new XElement(ns + "Exec",
                        new XElement(ns + "Command", command[0]),
                        new XElement(ns + "Arguments", string.Join(' ', command.Skip(1).Select(WindowsQuote)))))));
        return doc.Declaration + "\n" + doc.ToString() + "\n";
    }

    /// <summary>systemd's command-line quoting: double quotes when needed, '\' and '"' escaped, '%'
    /// doubled (specifiers) and '$' doubled (variable expansion).</summary>
    public static string SystemdQuote(string arg)
    {
        var escaped = arg.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        return arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,+@".Contains(c)) ? escaped : "\"" + escaped + "\"";
    }

    /// <summary>POSIX sh single-quoting when needed.</summary>
    public static string ShellQuote(string arg)
        => arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,+@".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Quoting that CommandLineToArgvW (and .NET) split back into the same argument.</summary>
    public static string WindowsQuote(string arg)
    {
        if (arg.Length > 0 && !arg.Any(c => c is ' ' or '\t' or '"')) return arg;
        var sb = new StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in arg)
        {
            if (c == '\\') { backslashes++; continue; }
            sb.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes).Append(c);
            backslashes = 0;
        }
        return sb.Append('\\', backslashes * 2).Append('"').ToString();
    }
}
