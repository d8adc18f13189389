namespace DbBackup.HelpGen.Model;

/// <summary>Everything one cmdlet page says, in the order of the platyPS schema.</summary>
public sealed class CommandHelp
{
    /// <summary>Cmdlet name (Verb-Noun), from the page's H1.</summary>
    public string Name { get; set; } = "";
    /// <summary>Front matter keys and values (external help file, Module Name, online version, schema).</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>SYNOPSIS paragraphs.</summary>
    public List<string> Synopsis { get; } = [];
    /// <summary>One entry per parameter set, in page order.</summary>
    public List<SyntaxBlock> Syntax { get; } = [];
    /// <summary>DESCRIPTION paragraphs.</summary>
    public List<string> Description { get; } = [];
    /// <summary>EXAMPLES.</summary>
    public List<ExampleHelp> Examples { get; } = [];
    /// <summary>PARAMETERS, without the CommonParameters entry.</summary>
    public List<ParameterHelp> Parameters { get; } = [];
    /// <summary>True when the page has a "### CommonParameters" entry.</summary>
    public bool HasCommonParameters { get; set; }
    /// <summary>INPUTS.</summary>
    public List<TypeHelp> Inputs { get; } = [];
    /// <summary>OUTPUTS.</summary>
    public List<TypeHelp> Outputs { get; } = [];
    /// <summary>NOTES paragraphs.</summary>
    public List<string> Notes { get; } = [];
    /// <summary>RELATED LINKS.</summary>
    public List<RelatedLink> Links { get; } = [];

    /// <summary>The parameter documented as <paramref name="name"/> (without the dash), or null.</summary>
    public ParameterHelp? FindParameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
