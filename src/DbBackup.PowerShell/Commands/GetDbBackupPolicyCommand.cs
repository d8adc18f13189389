using System.Management.Automation;
using DbBackup.Model;
using DbBackup.PowerShell.Completion;

namespace DbBackup.PowerShell;

/// <summary>Get-DbBackupPolicy: the policies stored in the repository, by name.</summary>
[Cmdlet(VerbsCommon.Get, "DbBackupPolicy")]
[OutputType(typeof(BackupPolicy))]
public sealed class GetDbBackupPolicyCommand : DbBackupCmdlet
{
    /// <summary>Names or wildcard patterns; all policies when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PolicyNameCompleter))]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Writes the matching policies; a name without wildcards that matches none is an error.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var problems = new List<string>();
            var all = Session.Engine.ListPolicies(null, problems);
            foreach (var problem in problems) WriteWarning("Skipped an unreadable policy: " + problem);
            if (Name is null) { WriteObject(all, enumerateCollection: true); return; }
            foreach (var n in Name)
            {
                var pattern = new WildcardPattern(n, WildcardOptions.IgnoreCase);
                var found = all.Where(p => pattern.IsMatch(p.Name)).ToList();
                if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n))
                    ReportError(new DbBackup.Engine.DbBackupException(DbBackup.Engine.ErrorKind.NotFound, "PolicyNotFound", $"No policy named '{n}'. List them with Get-DbBackupPolicy."), n);
                WriteObject(found, enumerateCollection: true);
            }
        }
        catch (Exception e) when (Catchable(e)) { ReportTargetError(e, Name); }
    }
}
