namespace DbBackup.PowerShell.Tests.Help;

/// <summary>A cmdlet as declared in the compiled module.</summary>
internal sealed record CmdletDeclaration(
    string Name, string TypeName, bool SupportsShouldProcess, bool SupportsPaging, string? DefaultParameterSetName,
    IReadOnlyList<ParameterDeclaration> Parameters)
{
    /// <summary>The cmdlet's parameter set names, or just __AllParameterSets when it declares none.</summary>
    public IReadOnlyList<string> SetNames
    {
        get
        {
            var named = Parameters.SelectMany(p => p.Sets).Select(s => s.SetName)
                .Where(n => n != ParameterSetDeclaration.AllSets).Distinct().Order(StringComparer.Ordinal).ToList();
            return named.Count > 0 ? named : [ParameterSetDeclaration.AllSets];
        }
    }

    /// <summary>The parameter called <paramref name="name"/>, or null.</summary>
    public ParameterDeclaration? Find(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
