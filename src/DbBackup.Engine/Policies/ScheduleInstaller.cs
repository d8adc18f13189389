using System.Diagnostics;
using System.Text;
using DbBackup.Model;

namespace DbBackup.Engine.Policies;

/// <summary>Registers 'policy run' with the host's scheduler: systemd units (Linux with systemd), a
/// crontab line (Unix without systemd), a scheduled task (Windows). <see cref="Plan"/> only reads;
/// <see cref="Install"/> writes the files and runs the activation commands.</summary>
public static class ScheduleInstaller
{
    /// <summary>The schedulers accepted.</summary>
    public static readonly string[] Schedulers = ["systemd", "cron", "task"];

    /// <summary>The host's scheduler: task on Windows, systemd when it is the running init, else cron.</summary>
    public static string Detect() => OperatingSystem.IsWindows() ? "task" : Directory.Exists("/run/systemd/system") ? "systemd" : "cron";

    /// <summary>What would be written for <paramref name="command"/> every <paramref name="minutes"/>.
    /// <paramref name="folder"/> overrides where the unit or task files go.</summary>
    public static ScheduleRegistration Plan(string? scheduler, int minutes, IReadOnlyList<string> command, string? folder = null)
    {
        ScheduleText.CheckInterval(minutes);
        scheduler = scheduler?.ToLowerInvariant() ?? Detect();
        var plan = new ScheduleRegistration { Scheduler = scheduler, Every = TimeSpan.FromMinutes(minutes), Command = string.Join(' ', command.Select(ScheduleText.ShellQuote)) };
        switch (scheduler)
        {
            case "systemd":
                var system = Environment.UserName == "root";
                folder ??= system ? "/etc/systemd/system"
                    : Path.Combine(Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } x ? x : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "systemd", "user");
                plan.Files.Add(new ScheduleFile { Path = Path.Combine(folder, ScheduleText.UnitName + ".service"), Content = ScheduleText.SystemdService(command) });
                plan.Files.Add(new ScheduleFile { Path = Path.Combine(folder, ScheduleText.UnitName + ".timer"), Content = ScheduleText.SystemdTimer(minutes) });
                var user = system ? "" : " --user";
                plan.Activation = [$"systemctl{user} daemon-reload", $"systemctl{user} enable --now {ScheduleText.UnitName}.timer"];
                break;
            case "cron":
                string current;
                try { current = Run("crontab", ["-l"], null, allowFailure: true); }
                catch (DbBackupException e) when (e.ErrorId == "SchedulerNotInstalled") { current = ""; } // shown; Install then refuses
                var lines = current.Split('\n').Where(l => l.Length > 0 && !l.EndsWith(ScheduleText.CronMarker, StringComparison.Ordinal) && !l.StartsWith("no crontab for", StringComparison.Ordinal));
                plan.Files.Add(new ScheduleFile { Path = $"crontab of {Environment.UserName}", Content = string.Join("\n", lines.Append(ScheduleText.CronLine(minutes, command))) + "\n" });
                plan.Activation = ["crontab -"];
                break;
            case "task":
                folder ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "DbBackup");
                var xml = Path.Combine(folder, ScheduleText.UnitName + "-task.xml");
                plan.Files.Add(new ScheduleFile { Path = xml, Content = ScheduleText.TaskXml(minutes, command, DateTime.Now.Date) });
                plan.Activation = [$"schtasks /Create /TN \"{ScheduleText.TaskName}\" /XML \"{xml}\" /F"];
                break;
            default:
                throw new DbBackupException(ErrorKind.InvalidArgument, "UnknownScheduler", $"Scheduler '{scheduler}' is not one of {string.Join(", ", Schedulers)}.") { TargetObject = scheduler };
        }
        return plan;
    }

    /// <summary>Writes the plan's files and runs its activation commands.</summary>
    public static ScheduleRegistration Install(ScheduleRegistration plan)
    {
        switch (plan.Scheduler)
        {
            case "systemd":
                foreach (var f in plan.Files)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(f.Path)!);
                    File.WriteAllText(f.Path, f.Content);
                }
                var user = plan.Activation[0].Contains("--user", StringComparison.Ordinal) ? new[] { "--user" } : [];
                Run("systemctl", [.. user, "daemon-reload"], null);
                Run("systemctl", [.. user, "enable", "--now", ScheduleText.UnitName + ".timer"], null);
                break;
            case "cron":
                Run("crontab", ["-"], plan.Files[0].Content);
                break;
            case "task":
                Directory.CreateDirectory(Path.GetDirectoryName(plan.Files[0].Path)!);
                File.WriteAllText(plan.Files[0].Path, plan.Files[0].Content, Encoding.Unicode); // schtasks reads UTF-16 task XML
                Run("schtasks", ["/Create", "/TN", ScheduleText.TaskName, "/XML", plan.Files[0].Path, "/F"], null);
                break;
        }
        plan.Written = true;
        return plan;
    }

    private static string Run(string tool, IEnumerable<string> args, string? stdin, bool allowFailure = false)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DbBackupException(ErrorKind.NotInstalled, "SchedulerNotInstalled", $"'{tool}' was not found; it is needed to register the schedule. Pick another scheduler with -Scheduler / --scheduler.", e) { TargetObject = tool };
        }
        using (p)
        {
            if (stdin != null) p.StandardInput.Write(stdin);
            p.StandardInput.Close();
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 && !allowFailure)
                throw new DbBackupException(ErrorKind.InvalidOperation, "ScheduleRegistrationFailed", $"'{tool} {string.Join(' ', psi.ArgumentList)}' failed with exit code {p.ExitCode}: {err.Result.Trim()}") { TargetObject = tool };
            return output;
        }
    }
}
