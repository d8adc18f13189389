using System.CommandLine;
using DbBackup.Engine;
using DbBackup.Engine.Policies;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Cli.Commands;

/// <summary>dbbackup policy add|list|set|remove|run|install, and hold / unhold.</summary>
public static class PolicyCommands
{
    /// <summary>The policy command group.</summary>
    public static Command Create()
    {
        var cmd = new Command("policy", "Backup policies: regular backups on a cron schedule with tiered retention, stored in the repository.");
        cmd.Subcommands.Add(Add());
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Set());
        cmd.Subcommands.Add(Remove());
        cmd.Subcommands.Add(Run());
        cmd.Subcommands.Add(Install());
        return cmd;
    }

    private static Option<string> Name() => new("--name") { Description = "Policy name (letters, digits, '.', '_', '-').", Required = true };

    /// <summary>The options add and set share; set leaves unset ones as they are.</summary>
    private sealed class Fields
    {
        public readonly Option<string?> Engine = CliContext.Engine(false);
        public readonly Option<string?> Host = CliContext.Host(false);
        public readonly Option<int?> Port = CliContext.Port();
        public readonly Option<string?> User = CliContext.User(false);
        public readonly Option<string?> Database = new("--database") { Description = "Database name, or a pattern with * and ? matched against the server's databases at each run." };
        public readonly Option<string[]> Table = new("--table") { Description = "Table to include; repeat for several. Default: all." };
        public readonly Option<string?> Schedule = new("--schedule") { Description = "Cron expression of the backup slots, e.g. '0 2 * * *' (5 fields, or 6 with seconds first)." };
        public readonly Option<string?> TimeZone = new("--time-zone") { Description = "Time zone of the schedule and of retention periods (IANA id, default UTC)." };
        public readonly Option<string[]> Label = new("--label") { Description = "key=value label put on every backup; repeat for several." };
        public readonly Option<int?> KeepLast = new("--keep-last") { Description = "Keep the newest N backups (0 in set: unset)." };
        public readonly Option<int?> KeepHourly = new("--keep-hourly") { Description = "Keep the newest backup of each of the last N hours." };
        public readonly Option<int?> KeepDaily = new("--keep-daily") { Description = "Keep the newest backup of each of the last N days." };
        public readonly Option<int?> KeepWeekly = new("--keep-weekly") { Description = "Keep the newest backup of each of the last N ISO weeks." };
        public readonly Option<int?> KeepMonthly = new("--keep-monthly") { Description = "Keep the newest backup of each of the last N months." };
        public readonly Option<int?> KeepYearly = new("--keep-yearly") { Description = "Keep the newest backup of each of the last N years." };
        public readonly Option<string?> PasswordEnv = new("--password-env") { Description = "Environment variable holding the password at run time (default: PGPASSFILE/~/.pgpass or ~/.my.cnf [client]). Its value is never stored." };
        public readonly Option<string?> Callback = new("--callback") { Description = "URL POSTed with the result of each backup." };
        public readonly Option<bool?> CallbackOnFailure = new("--callback-on-failure") { Description = "Also POST the callback when a run cannot start a backup." };

        public IEnumerable<Option> All => [Engine, Host, Port, User, Database, Table, Schedule, TimeZone, Label, KeepLast, KeepHourly, KeepDaily, KeepWeekly, KeepMonthly, KeepYearly, PasswordEnv, Callback, CallbackOnFailure];

        /// <summary>Applies the options given on the command line to <paramref name="p"/>.</summary>
        public void Apply(ParseResult r, BackupPolicy p)
        {
            if (r.GetValue(Engine) is { } e) p.Engine = CliContext.ParseEngine(e);
            if (r.GetValue(Host) is { } h) p.Server = h;
            if (r.GetValue(Port) is { } port) p.Port = port;
            if (r.GetValue(User) is { } u) p.UserName = u;
            if (r.GetValue(Database) is { } d) p.Database = d;
            if (r.GetValue(Table) is { Length: > 0 } t) p.Tables = t;
            if (r.GetValue(Schedule) is { } s) p.Schedule = s;
            if (r.GetValue(TimeZone) is { } z) p.TimeZone = z;
            if (r.GetValue(Label) is { Length: > 0 } l) p.Labels = CliContext.Labels(l);
            int? Tier(Option<int?> o, int? current) => r.GetResult(o) == null ? current : r.GetValue(o) is 0 ? null : r.GetValue(o);
            p.Retention.Last = Tier(KeepLast, p.Retention.Last);
            p.Retention.Hourly = Tier(KeepHourly, p.Retention.Hourly);
            p.Retention.Daily = Tier(KeepDaily, p.Retention.Daily);
            p.Retention.Weekly = Tier(KeepWeekly, p.Retention.Weekly);
            p.Retention.Monthly = Tier(KeepMonthly, p.Retention.Monthly);
            p.Retention.Yearly = Tier(KeepYearly, p.Retention.Yearly);
            if (r.GetValue(PasswordEnv) is { } pe) p.PasswordVariable = pe.Length == 0 ? null : pe;
            if (r.GetValue(Callback) is { } c) p.CallbackUrl = c.Length == 0 ? null : c;
            if (r.GetValue(CallbackOnFailure) is { } f) p.CallbackOnFailure = f;
        }
    }

    private static Command Add()
    {
        var name = Name(); var f = new Fields(); var json = CliContext.Json();
        var cmd = new Command("add", "Create a policy. Needs --engine, --host, --user, --database and --schedule.") { name, json };
        foreach (var o in f.All) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            foreach (var required in new Option[] { f.Engine, f.Host, f.User, f.Database, f.Schedule })
                if (r.GetResult(required) == null)
                    throw new DbBackupException(ErrorKind.InvalidArgument, "PolicyFieldRequired", $"policy add needs {required.Name}.");
            var p = new BackupPolicy { Name = r.GetValue(name)! };
            f.Apply(r, p);
            if (r.GetResult(f.Port) == null) p.Port = ConnectionTarget.DefaultPort(p.Engine);
            CliContext.Print(CliContext.Open(r).AddPolicy(p), r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static Command List()
    {
        var name = new Option<string?>("--name") { Description = "Only policies whose name matches (wildcards * and ?)." };
        var json = CliContext.Json();
        var cmd = new Command("list", "List the policies.") { name, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            var problems = new List<string>();
            var all = CliContext.Open(r).ListPolicies(r.GetValue(name), problems);
            foreach (var problem in problems) Console.Error.WriteLine($"dbbackup: warning: skipped an unreadable policy: {problem}");
            CliContext.Print(all, r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static Command Set()
    {
        var name = Name(); var f = new Fields(); var json = CliContext.Json();
        var enable = new Option<bool>("--enable") { Description = "Resume a paused policy." };
        var disable = new Option<bool>("--disable") { Description = "Pause the policy: it starts nothing (retention still applies)." };
        var cmd = new Command("set", "Change a policy; options not given stay as they are (0 unsets a --keep-* tier, an empty --password-env or --callback removes it).") { name, enable, disable, json };
        foreach (var o in f.All) cmd.Options.Add(o);
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            if (r.GetValue(enable) && r.GetValue(disable))
                throw new DbBackupException(ErrorKind.InvalidArgument, "EnableConflict", "Give --enable or --disable, not both.");
            var p = CliContext.Open(r).UpdatePolicy(r.GetValue(name)!, p =>
            {
                f.Apply(r, p);
                if (r.GetValue(enable)) p.Enabled = true;
                if (r.GetValue(disable)) p.Enabled = false;
            });
            CliContext.Print(p, r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static Command Remove()
    {
        var name = Name(); var json = CliContext.Json();
        var cmd = new Command("remove", "Delete a policy (its backups stay).") { name, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            CliContext.Print(CliContext.Open(r).RemovePolicy(r.GetValue(name)!), r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static Command Run()
    {
        var name = new Option<string?>("--name") { Description = "Only policies whose name matches (wildcards)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what is due and what retention would remove; start and remove nothing." };
        var json = CliContext.Json();
        var cmd = new Command("run", "Start every backup due now (once per slot, whichever host runs it), then apply each policy's retention. Schedule this every few minutes.") { name, dryRun, json };
        cmd.SetAction((r, ct) => CliContext.Run(async () =>
        {
            var results = await CliContext.Open(r).RunPoliciesAsync(r.GetValue(name), r.GetValue(dryRun), ct);
            CliContext.Print(results, r.GetValue(json));
            return results.Any(x => x.Outcome == "Failed") ? 1 : 0;
        }));
        return cmd;
    }

    private static Command Install()
    {
        var scheduler = new Option<string?>("--scheduler") { Description = "systemd, cron or task (default: the host's: systemd when running, else cron; task on Windows)." };
        var every = new Option<int>("--every") { Description = "Minutes between runs (divides an hour, or whole hours dividing a day).", DefaultValueFactory = _ => 5 };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be written; write nothing." };
        var json = CliContext.Json();
        var cmd = new Command("install", "Register 'dbbackup policy run' with the host's scheduler and print what was written.") { scheduler, every, dryRun, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            var e = CliContext.Open(r);
            var dll = Path.Combine(AppContext.BaseDirectory, "dbbackup.dll");
            var self = Environment.ProcessPath ?? "dbbackup";
            string[] command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, dll] : [self];
            var plan = ScheduleInstaller.Plan(r.GetValue(scheduler), r.GetValue(every), [.. command, "policy", "run", "--repository", e.RepositoryPath]);
            if (!r.GetValue(dryRun)) ScheduleInstaller.Install(plan);
            CliContext.Print(plan, r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>hold / unhold --id ID.</summary>
    public static Command Hold(bool hold)
    {
        var id = CliContext.Id(true, "Backup id (bk-…)."); var json = CliContext.Json();
        var cmd = new Command(hold ? "hold" : "unhold", hold ? "Put a hold on a backup: retention never removes it." : "Release a backup's hold: retention applies to it again.") { id, json };
        cmd.SetAction((r, ct) => CliContext.Run(() =>
        {
            CliContext.Print(CliContext.Open(r).SetHold(r.GetValue(id)!, hold), r.GetValue(json));
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
