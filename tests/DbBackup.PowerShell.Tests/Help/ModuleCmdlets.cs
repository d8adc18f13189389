using System.Collections.ObjectModel;
using System.Reflection;
using System.Runtime.InteropServices;

namespace DbBackup.PowerShell.Tests.Help;

/// <summary>The cmdlets of the built module/DbBackup/DbBackup.dll, read with MetadataLoadContext: nothing is
/// loaded for execution, so the tests need no PowerShell host and see exactly what was shipped.</summary>
internal static class ModuleCmdlets
{
    private const string Sma = "System.Management.Automation.";
    private static readonly Lazy<IReadOnlyList<CmdletDeclaration>> Cmdlets = new(Load);

    /// <summary>Every public cmdlet class in DbBackup.dll, by cmdlet name.</summary>
    public static IReadOnlyList<CmdletDeclaration> All => Cmdlets.Value;

    private static IReadOnlyList<CmdletDeclaration> Load()
    {
        var assemblyPath = ModuleLayout.CmdletAssembly;
        if (!File.Exists(assemblyPath))
            throw new InvalidOperationException($"{assemblyPath} does not exist: build the solution (dotnet build DbBackup.sln) so module/DbBackup is produced before running these tests.");

        // First match wins: the module's own files, then its private dependencies, then this test's output
        // (which carries the System.Management.Automation reference assembly), then the runtime.
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var dir in new[] { ModuleLayout.ModuleDirectory, Path.Combine(ModuleLayout.ModuleDirectory, "Dependencies"), AppContext.BaseDirectory, RuntimeEnvironment.GetRuntimeDirectory() })
            if (Directory.Exists(dir))
                foreach (var file in Directory.EnumerateFiles(dir, "*.dll"))
                    paths.TryAdd(Path.GetFileName(file), file);

        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths.Values));
        var assembly = context.LoadFromAssemblyPath(assemblyPath);
        return assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false })
            .Select(ReadCmdlet)
            .OfType<CmdletDeclaration>()
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static CmdletDeclaration? ReadCmdlet(Type type)
    {
        var cmdlet = Attributes(type, "CmdletAttribute").FirstOrDefault();
        if (cmdlet is null) return null;
        var name = $"{cmdlet.ConstructorArguments[0].Value}-{cmdlet.ConstructorArguments[1].Value}";
        var shouldProcess = Named<bool>(cmdlet, "SupportsShouldProcess");
        var paging = Named<bool>(cmdlet, "SupportsPaging");

        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .GroupBy(p => p.Name).Select(g => g.First()) // a property hidden with "new" appears once per level
            .Select(ReadParameter)
            .OfType<ParameterDeclaration>()
            .ToList();
        // PowerShell adds these itself; platyPS documents them, so the docs must too.
        if (shouldProcess)
        {
            parameters.Add(Added("WhatIf", "SwitchParameter", "wi"));
            parameters.Add(Added("Confirm", "SwitchParameter", "cf"));
        }
        if (paging)
        {
            parameters.Add(Added("IncludeTotalCount", "SwitchParameter"));
            parameters.Add(Added("Skip", "UInt64"));
            parameters.Add(Added("First", "UInt64"));
        }
        return new CmdletDeclaration(name, type.FullName!, shouldProcess, paging, Named<string>(cmdlet, "DefaultParameterSetName"), parameters);
    }

    private static ParameterDeclaration Added(string name, string type, params string[] aliases) =>
        new(name, type, null, aliases, [new ParameterSetDeclaration(ParameterSetDeclaration.AllSets, false, null, false, false)], []);

    private static ParameterDeclaration? ReadParameter(PropertyInfo property)
    {
        var sets = Attributes(property, "ParameterAttribute").Select(a => new ParameterSetDeclaration(
            Named<string>(a, "ParameterSetName") ?? ParameterSetDeclaration.AllSets,
            Named<bool>(a, "Mandatory"),
            Named<int?>(a, "Position") is int p && p >= 0 ? p : null,
            Named<bool>(a, "ValueFromPipeline"),
            Named<bool>(a, "ValueFromPipelineByPropertyName"))).ToList();
        if (sets.Count == 0) return null;

        var aliases = Attributes(property, "AliasAttribute")
            .SelectMany(a => a.ConstructorArguments.SelectMany(Strings)).ToList();
        var type = property.PropertyType;
        var element = type.IsArray ? type.GetElementType()! : type;
        element = Nullable(element) ?? element;
        var enumValues = element.IsEnum
            ? element.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToList()
            : Attributes(property, "ValidateSetAttribute").SelectMany(a => a.ConstructorArguments.SelectMany(Strings)).ToList();
        var suffix = type.IsArray ? "[]" : "";
        return new ParameterDeclaration(property.Name, ShortName(element) + suffix, element.FullName + suffix, aliases, sets, enumValues);
    }

    private static Type? Nullable(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1" ? type.GetGenericArguments()[0] : null;

    private static string ShortName(Type type) => type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] : type.Name;

    private static IEnumerable<string> Strings(CustomAttributeTypedArgument argument) => argument.Value switch
    {
        string s => [s],
        ReadOnlyCollection<CustomAttributeTypedArgument> items => items.Select(i => (string)i.Value!),
        _ => [],
    };

    private static IEnumerable<CustomAttributeData> Attributes(MemberInfo member, string name) =>
        member.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + name);

    private static T? Named<T>(CustomAttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
            if (argument.MemberName == name) return (T?)argument.TypedValue.Value;
        return default;
    }
}
