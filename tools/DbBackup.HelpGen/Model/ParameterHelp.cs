namespace DbBackup.HelpGen.Model;

/// <summary>One "### -Name" entry of PARAMETERS.</summary>
public sealed class ParameterHelp
{
    /// <summary>Parameter name without the dash.</summary>
    public string Name { get; set; } = "";
    /// <summary>Description paragraphs.</summary>
    public List<string> Description { get; } = [];
    /// <summary>The yaml blocks; more than one when Required or Position differ between sets.</summary>
    public List<ParameterMetadata> Metadata { get; } = [];

    /// <summary>The metadata that applies in <paramref name="setName"/>, or null when the parameter is not in that set.</summary>
    public ParameterMetadata? ForSet(string setName) =>
        Metadata.FirstOrDefault(m => m.ParameterSets.Contains(setName, StringComparer.OrdinalIgnoreCase))
        ?? Metadata.FirstOrDefault(m => m.InAllSets);
}
