namespace DbBackup.PowerShell.Tests.Help;

/// <summary>A cmdlet parameter as declared in the compiled module (or added by PowerShell for
/// ShouldProcess and paging, which platyPS documents too).</summary>
internal sealed record ParameterDeclaration(
    string Name, string TypeName, string? FullTypeName, IReadOnlyList<string> Aliases, IReadOnlyList<ParameterSetDeclaration> Sets,
    IReadOnlyList<string> EnumValues)
{
    /// <summary>The declaration that applies in <paramref name="setName"/>: the set's own, else the all-sets one.</summary>
    public ParameterSetDeclaration? ForSet(string setName) =>
        Sets.FirstOrDefault(s => s.SetName == setName) ?? Sets.FirstOrDefault(s => s.SetName == ParameterSetDeclaration.AllSets);
}
