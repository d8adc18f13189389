namespace DbBackup.HelpGen.Model;

/// <summary>One "### SetName" entry of SYNTAX: the set's name and the syntax line shown to readers.</summary>
public sealed class SyntaxBlock
{
    /// <summary>Parameter set name ("__AllParameterSets" when the cmdlet has only one).</summary>
    public string SetName { get; set; } = "";
    /// <summary>True when the heading says "(Default)", as platyPS marks the default parameter set.</summary>
    public bool IsDefault { get; set; }
    /// <summary>The code block's text, for example "Get-DbBackup [-Id &lt;String&gt;] [&lt;CommonParameters&gt;]".</summary>
    public string Text { get; set; } = "";

    /// <summary>Parameter names in the order the syntax line names them (without dashes).</summary>
    public IReadOnlyList<string> ParameterNames()
    {
        var names = new List<string>();
        // A parameter in a syntax line is a dash right after "[", a space or the line start, then a name.
        foreach (System.Text.RegularExpressions.Match m in
                 System.Text.RegularExpressions.Regex.Matches(Text, @"(?<=^|[\s\[])-([A-Za-z][A-Za-z0-9]*)"))
        {
            var name = m.Groups[1].Value;
            if (!names.Contains(name, StringComparer.OrdinalIgnoreCase)) names.Add(name);
        }
        return names;
    }
}
