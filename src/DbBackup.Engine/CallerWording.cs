using System.Text.RegularExpressions;

namespace DbBackup.Engine;

/// <summary>Engine messages name options in both front ends' spellings ("pass --force / -Force",
/// "(dbbackup cancel / Stop-DbBackup)"), because the engine does not know who called it. Each front end
/// renders a message in its caller's language before showing it: the cmdlets say -Force and Get-DbBackup,
/// the CLI says --force and dbbackup list. A lone option of the other front end is translated by the
/// tables below; anything else (a client tool's own --single-transaction, say) is left alone.</summary>
public static partial class CallerWording
{
    private static readonly Dictionary<string, string> CliToPwsh = new(StringComparer.Ordinal)
    {
        ["--force"] = "-Force", ["--since"] = "-Since", ["--date-column"] = "-DateColumn", ["--table"] = "-Table",
        ["--target-database"] = "-TargetDatabase", ["--database"] = "-Database", ["--id"] = "-Id", ["--path"] = "-Path",
        ["--jobs"] = "-Jobs", ["--label"] = "-Label", ["--repository"] = "-Repository", ["--note"] = "-Note",
        ["--name"] = "-Name", ["--callback"] = "-CallbackUri", ["--compression"] = "-Compression", ["--host"] = "-Server",
        ["--port"] = "-Port", ["--engine"] = "-Engine", ["--skip-safety-backup"] = "-SkipSafetyBackup", ["--use-server-locale"] = "-UseServerLocale",
        ["--password-env"] = "-Credential", ["--wait"] = "-Wait", ["--timeout"] = "-Timeout",
        ["--all-databases"] = "-AllDatabases", ["--exclude-database"] = "-ExcludeDatabase",
    };

    private static readonly Dictionary<string, string> CliCommandToCmdlet = new(StringComparer.Ordinal)
    {
        ["backup"] = "Start-DbBackup", ["status"] = "Get-DbBackupStatus", ["list"] = "Get-DbBackup", ["wait"] = "Wait-DbBackup",
        ["cancel"] = "Stop-DbBackup", ["save"] = "Save-DbBackup", ["import"] = "Import-DbBackup", ["restore"] = "Restore-DbBackup",
        ["remove"] = "Remove-DbBackup", ["verify"] = "Test-DbBackup", ["log"] = "Get-DbBackupLog", ["restores"] = "Get-DbBackupRestore",
    };

    private static readonly Dictionary<string, string> PwshToCli = CliToPwsh
        .Where(p => p.Key != "--password-env").ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    private static readonly Dictionary<string, string> CmdletToCliCommand = CliCommandToCmdlet.ToDictionary(p => p.Value, p => "dbbackup " + p.Key, StringComparer.Ordinal);

    /// <summary>The message as the cmdlets' user should read it.</summary>
    public static string ForPowerShell(string message)
    {
        var s = CliThenPwsh().Replace(message, m => m.Groups["ps"].Value);
        s = PwshThenCli().Replace(s, m => m.Groups["ps"].Value);
        s = CommandPair().Replace(s, m => m.Groups["cmdlet"].Value);
        s = CmdletPair().Replace(s, m => m.Groups["cmdlet"].Value);
        s = LoneCliOption().Replace(s, m => CliToPwsh.TryGetValue(m.Value, out var p) ? p : m.Value);
        return LoneCliCommand().Replace(s, m => CliCommandToCmdlet.TryGetValue(m.Groups["cmd"].Value, out var c) ? c : m.Value);
    }

    /// <summary>The message as the CLI's user should read it.</summary>
    public static string ForCli(string message)
    {
        var s = CliThenPwsh().Replace(message, m => m.Groups["cli"].Value);
        s = PwshThenCli().Replace(s, m => m.Groups["cli"].Value);
        s = CommandPair().Replace(s, m => m.Groups["cli"].Value);
        s = CmdletPair().Replace(s, m => m.Groups["cli"].Value);
        s = LonePwshParameter().Replace(s, m => PwshToCli.TryGetValue(m.Value, out var c) ? c : m.Value);
        return LoneCmdlet().Replace(s, m => CmdletToCliCommand.TryGetValue(m.Value, out var c) ? c : m.Value);
    }

    /// <summary>"'dbbackup list --repository "R"' or Get-DbBackup -Repository 'R'": the listing command for
    /// the repository the caller named, which each front end renders as its own half (a hint that dropped the
    /// repository would list the default one, where the backup is not).</summary>
    public static string ListCommand(string repository)
        => $"'dbbackup list --repository \"{repository}\"' or Get-DbBackup -Repository '{repository.Replace("'", "''", StringComparison.Ordinal)}'";

    // "--force / -Force", "--password-env NAME / -Credential"
    [GeneratedRegex(@"(?<cli>--[a-z][a-z-]*(?: [A-Z]+)?) ?(?:/|or) ?(?<ps>-[A-Z][A-Za-z]*)")]
    private static partial Regex CliThenPwsh();

    // "-TargetDatabase / --target-database"
    [GeneratedRegex(@"(?<ps>-[A-Z][A-Za-z]*) ?(?:/|or) ?(?<cli>--[a-z][a-z-]*(?: [A-Z]+\b)?)")]
    private static partial Regex PwshThenCli();

    // "dbbackup cancel / Stop-DbBackup", "'dbbackup list' or Get-DbBackup", and with one argument each
    // ("'dbbackup list --repository "R"' or Get-DbBackup -Repository 'R'", see ListCommand)
    [GeneratedRegex(@"(?<cli>'dbbackup [a-z]+(?: --[a-z-]+ ""[^""]*"")?'|dbbackup [a-z]+) ?(?:/|or) ?(?<cmdlet>[A-Z][a-z]+-Db[A-Za-z]+(?: -[A-Z][A-Za-z]+ '(?:[^']|'')*')?)")]
    private static partial Regex CommandPair();

    // "Stop-DbBackup / dbbackup cancel"
    [GeneratedRegex(@"(?<cmdlet>[A-Z][a-z]+-Db[A-Za-z]+) ?(?:/|or) ?(?<cli>'?dbbackup [a-z]+'?)")]
    private static partial Regex CmdletPair();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]*(?![\w-])")]
    private static partial Regex LoneCliOption();

    [GeneratedRegex(@"'?dbbackup (?<cmd>[a-z]+)'?")]
    private static partial Regex LoneCliCommand();

    [GeneratedRegex(@"(?<![\w-])-[A-Z][A-Za-z]+(?![\w-])")]
    private static partial Regex LonePwshParameter();

    [GeneratedRegex(@"(?<![\w-])[A-Z][a-z]+-Db[A-Za-z]+(?![\w-])")]
    private static partial Regex LoneCmdlet();
}
