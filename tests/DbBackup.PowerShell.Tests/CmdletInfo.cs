using System.Reflection;

namespace DbBackup.PowerShell.Tests;

/// <summary>A cmdlet class read through metadata: its name, [Cmdlet] settings and parameters.</summary>
public sealed class CmdletInfo
{
    public const string AllSets = "__AllParameterSets";

    public CmdletInfo(Type type, CustomAttributeData cmdlet)
    {
        Type = type;
        Verb = (string)cmdlet.ConstructorArguments[0].Value!;
        Noun = (string)cmdlet.ConstructorArguments[1].Value!;
        SupportsShouldProcess = Named(cmdlet, "SupportsShouldProcess") is true;
        SupportsPaging = Named(cmdlet, "SupportsPaging") is true;
        ConfirmImpact = Named(cmdlet, "ConfirmImpact") is int impact ? impact : 2; // Medium
        Parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(p => p.GetCustomAttributesData()
                .Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute")
                .Select(a => new ParameterInfo(p, (Named(a, "ParameterSetName") as string) ?? AllSets,
                    Named(a, "ValueFromPipeline") is true, Named(a, "ValueFromPipelineByPropertyName") is true,
                    Named(a, "Mandatory") is true)))
            .ToList();
    }

    public Type Type { get; }
    public string Verb { get; }
    public string Noun { get; }
    public string Name => Verb + "-" + Noun;
    public bool SupportsShouldProcess { get; }
    public bool SupportsPaging { get; }
    /// <summary>Numeric System.Management.Automation.ConfirmImpact (None 0, Low 1, Medium 2, High 3).</summary>
    public int ConfirmImpact { get; }
    /// <summary>One entry per [Parameter] attribute (a property in two sets appears twice).</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>The explicit parameter sets, or the single implicit one.</summary>
    public IReadOnlyList<string> ParameterSets
    {
        get
        {
            var named = Parameters.Select(p => p.Set).Where(s => s != AllSets).Distinct().ToList();
            return named.Count > 0 ? named : [AllSets];
        }
    }

    /// <summary>The parameters that take part in <paramref name="set"/>.</summary>
    public IEnumerable<ParameterInfo> InSet(string set) => Parameters.Where(p => p.Set == set || p.Set == AllSets);

    public override string ToString() => Name;

    private static object? Named(CustomAttributeData a, string name)
        => a.NamedArguments.FirstOrDefault(n => n.MemberName == name) is { MemberInfo: not null } arg ? arg.TypedValue.Value : null;
}

/// <summary>One [Parameter] attribute on a property.</summary>
public sealed record ParameterInfo(PropertyInfo Property, string Set, bool FromPipeline, bool FromPipelineByName, bool Mandatory)
{
    public string Name => Property.Name;
}
