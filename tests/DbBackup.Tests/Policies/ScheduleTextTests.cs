using System.Diagnostics;
using System.Xml.Linq;
using Cronos;
using DbBackup.Engine.Policies;

namespace DbBackup.Tests.Policies;

/// <summary>The text written for each scheduler, checked as text and, where this host has the tools,
/// by the scheduler's own parser.</summary>
public sealed class ScheduleTextTests
{
    private static readonly string[] Command = ["/usr/bin/dbbackup", "policy", "run", "--repository", "/srv/backups/it's 100% here"];

    [Fact]
    public void The_cron_line_parses_back_to_the_schedule_and_the_same_command()
    {
        var line = ScheduleText.CronLine(5, Command);
        Assert.EndsWith(ScheduleText.CronMarker, line);
        var fields = line.Split(' ', 6);
        var cron = CronExpression.Parse(string.Join(' ', fields[..5]));
        var from = new DateTime(2026, 1, 1, 10, 2, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2026, 1, 1, 10, 5, 0, DateTimeKind.Utc), cron.GetNextOccurrence(from));
        Assert.Equal(new DateTime(2026, 1, 1, 10, 10, 0, DateTimeKind.Utc), cron.GetNextOccurrence(from.AddMinutes(3)));
        // cron hands the rest to /bin/sh after turning '\%' back into '%': sh must split it into the same argv.
        var shellPart = fields[5][..^ScheduleText.CronMarker.Length].Replace("\\%", "%", StringComparison.Ordinal);
        Assert.Equal(Command, SplitWithSh(shellPart));
        Assert.Equal("0 */2 * * *", string.Join(' ', ScheduleText.CronLine(120, Command).Split(' ')[..5]));
    }

    [Fact]
    public void The_systemd_units_say_what_they_run_and_pass_systemd_analyze_verify()
    {
        var service = ScheduleText.SystemdService(Command);
        var timer = ScheduleText.SystemdTimer(15);
        Assert.Contains("Type=oneshot", service);
        Assert.Contains("ExecStart=/usr/bin/dbbackup policy run --repository \"/srv/backups/it's 100%% here\"\n", service);
        Assert.Contains("OnCalendar=*-*-* *:00/15:00\n", timer);
        Assert.Contains("Persistent=true", timer);
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        if (analyze == null) return; // verified where systemd's tools exist (this project's CI host has them)
        var dir = Directory.CreateTempSubdirectory("dbbackup-units-").FullName;
        try
        {
            // ExecStart must name an executable that exists for verify to pass: use the dotnet running us.
            var real = ScheduleText.SystemdService([Environment.ProcessPath!, "policy", "run"]);
            File.WriteAllText(Path.Combine(dir, ScheduleText.UnitName + ".service"), real);
            File.WriteAllText(Path.Combine(dir, ScheduleText.UnitName + ".timer"), timer);
            var (code, output) = Run(analyze, "verify", "--man=no", Path.Combine(dir, ScheduleText.UnitName + ".timer"), Path.Combine(dir, ScheduleText.UnitName + ".service"));
            Assert.True(code == 0 && output.Trim().Length == 0, output);
            File.WriteAllText(Path.Combine(dir, ScheduleText.UnitName + ".timer"), timer.Replace("*:00/15:00", "every quarter", StringComparison.Ordinal));
            Assert.NotEqual(0, Run(analyze, "verify", "--man=no", Path.Combine(dir, ScheduleText.UnitName + ".timer"), Path.Combine(dir, ScheduleText.UnitName + ".service")).Code);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void The_scheduled_task_repeats_every_interval_as_the_user_without_a_stored_password()
    {
        var xml = ScheduleText.TaskXml(10, [@"C:\Program Files\DbBackup\dbbackup.exe", "policy", "run", "--repository", @"D:\backups\a ""b"" c\"], new DateTime(2026, 11, 26));
        XNamespace ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";
        var task = XDocument.Parse(xml).Root!;
        Assert.Equal("1.2", task.Attribute("version")!.Value);
        Assert.Equal("PT10M", task.Descendants(ns + "Interval").Single().Value);
        Assert.Equal("2026-11-26T00:00:00", task.Descendants(ns + "StartBoundary").Single().Value);
        Assert.Equal("S4U", task.Descendants(ns + "LogonType").Single().Value);
        Assert.Equal("IgnoreNew", task.Descendants(ns + "MultipleInstancesPolicy").Single().Value);
        Assert.Equal(@"C:\Program Files\DbBackup\dbbackup.exe", task.Descendants(ns + "Command").Single().Value);
        Assert.Equal(@"policy run --repository ""D:\backups\a \""b\"" c\\""", task.Descendants(ns + "Arguments").Single().Value);
    }

    [Fact]
    public void An_interval_that_no_scheduler_can_repeat_evenly_is_refused()
    {
        Assert.Equal("InvalidInterval", Assert.Throws<Engine.DbBackupException>(() => ScheduleText.CheckInterval(7)).ErrorId);
        Assert.Equal("InvalidInterval", Assert.Throws<Engine.DbBackupException>(() => ScheduleText.CheckInterval(90)).ErrorId);
        ScheduleText.CheckInterval(30);
        ScheduleText.CheckInterval(360);
    }

    private static string[] SplitWithSh(string commandLine)
    {
        var (code, output) = Run("/bin/sh", "-c", "for a in " + commandLine + "; do printf '%s\\0' \"$a\"; done");
        Assert.Equal(0, code);
        return output.TrimEnd('\0').Split('\0');
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }
}
