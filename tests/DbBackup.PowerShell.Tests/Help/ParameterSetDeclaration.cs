namespace DbBackup.PowerShell.Tests.Help;

/// <summary>One [Parameter] attribute of a cmdlet property: how the parameter binds in one set.</summary>
internal sealed record ParameterSetDeclaration(
    string SetName, bool Mandatory, int? Position, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName)
{
    /// <summary>PowerShell's name for "every set".</summary>
    public const string AllSets = "__AllParameterSets";

    /// <summary>The text platyPS writes for "Accept pipeline input".</summary>
    public string PipelineInput => (ValueFromPipeline, ValueFromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}
