namespace DbBackup.HelpGen.Model;

/// <summary>One INPUTS or OUTPUTS entry: a type name and what it means here.</summary>
public sealed class TypeHelp
{
    /// <summary>Full type name, or "None".</summary>
    public string TypeName { get; set; } = "";
    /// <summary>Description paragraphs.</summary>
    public List<string> Description { get; } = [];
}
