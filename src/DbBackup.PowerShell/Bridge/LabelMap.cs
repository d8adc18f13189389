using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace DbBackup.PowerShell.Bridge;

/// <summary>-Label @{ team = 'ops' } as the string map the engine stores.</summary>
internal static class LabelMap
{
    public static Dictionary<string, string> From(Hashtable? labels)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (labels is null) return map;
        foreach (DictionaryEntry entry in labels)
        {
            var key = Text(entry.Key);
            if (string.IsNullOrWhiteSpace(key)) throw new DbBackup.Engine.DbBackupException(DbBackup.Engine.ErrorKind.InvalidArgument, "EmptyLabelKey", "A -Label key is empty. Give each label a name, for example -Label @{ team = 'ops' }.");
            map[key] = Text(entry.Value);
        }
        return map;
    }

    private static string Text(object? value) => value is null ? "" : Convert.ToString(value is PSObject ps ? ps.BaseObject : value, CultureInfo.InvariantCulture) ?? "";
}
