namespace DbBackup.HelpGen.Model;

/// <summary>The fields of one parameter's ```yaml block.</summary>
public sealed class ParameterMetadata
{
    /// <summary>The "(All)" marker platyPS writes for a parameter that is in every set.</summary>
    public const string AllSets = "(All)";

    /// <summary>Type as PowerShell shows it (String, String[], SwitchParameter, PSCredential…).</summary>
    public string Type { get; set; } = "";
    /// <summary>Set names, or the single entry "(All)".</summary>
    public List<string> ParameterSets { get; } = [];
    /// <summary>Aliases (empty when "(None)").</summary>
    public List<string> Aliases { get; } = [];
    /// <summary>Mandatory in these sets.</summary>
    public bool Required { get; set; }
    /// <summary>"Named" or a zero-based position number.</summary>
    public string Position { get; set; } = "Named";
    /// <summary>Default value text ("None" when there is none).</summary>
    public string DefaultValue { get; set; } = "None";
    /// <summary>"False", "True (ByValue)", "True (ByPropertyName)" or "True (ByPropertyName, ByValue)".</summary>
    public string PipelineInput { get; set; } = "False";
    /// <summary>The values a ValidateSet or enum allows ("Accepted values"), shown in the syntax; empty when free.</summary>
    public List<string> AcceptedValues { get; } = [];
    /// <summary>Accepts wildcard characters.</summary>
    public bool Globbing { get; set; }

    /// <summary>True when the block says "(All)".</summary>
    public bool InAllSets => ParameterSets.Contains(AllSets, StringComparer.OrdinalIgnoreCase);
}
