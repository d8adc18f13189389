using System.Xml.Linq;
using DbBackup.HelpGen;
using DbBackup.HelpGen.Maml;
using DbBackup.HelpGen.Model;
using DbBackup.PowerShell.Tests.Help;

namespace DbBackup.PowerShell.Tests;

/// <summary>The help users get matches the cmdlets that ship: every cmdlet and parameter of the built module
/// is documented in docs/en-US with the right type, sets and binding, nothing documented is stale, and the
/// generated MAML in module/DbBackup/en-US carries all of it. Each test lists every problem it finds.</summary>
public sealed class HelpCoverageTests
{
    private const string HelpFileName = "DbBackup.dll-Help.xml";
    private static readonly Lazy<IReadOnlyList<CommandHelp>> Pages = new(() => HelpGenerator.ReadCommands(ModuleLayout.DocsDirectory));

    private static IReadOnlyList<CmdletDeclaration> Cmdlets => ModuleCmdlets.All;

    private static CommandHelp? Page(string cmdlet) => Pages.Value.FirstOrDefault(p => p.Name == cmdlet);

    private static void AssertNone(List<string> problems, string what) =>
        Assert.True(problems.Count == 0, $"{problems.Count} {what}:\n  " + string.Join("\n  ", problems));

    [Fact]
    public void The_module_exports_cmdlets()
    {
        Assert.NotEmpty(Cmdlets);
    }

    [Fact]
    public void Every_docs_page_follows_the_platyPS_schema_and_names_the_modules_help_file()
    {
        // ReadCommands throws a HelpFormatException naming the first broken page.
        var problems = new List<string>();
        foreach (var page in Pages.Value)
        {
            if (page.Metadata["external help file"] != HelpFileName) problems.Add($"{page.Name}: external help file is \"{page.Metadata["external help file"]}\", expected {HelpFileName}");
            if (page.Metadata["Module Name"] != "DbBackup") problems.Add($"{page.Name}: Module Name is \"{page.Metadata["Module Name"]}\", expected DbBackup");
        }
        AssertNone(problems, "pages with wrong front matter");
    }

    [Fact]
    public void Every_cmdlet_has_a_docs_page()
    {
        var missing = Cmdlets.Where(c => Page(c.Name) is null).Select(c => $"{c.Name}: no docs/en-US/{c.Name}.md").ToList();
        AssertNone(missing, "cmdlets without a page");
    }

    [Fact]
    public void Every_docs_page_documents_a_cmdlet_of_the_module()
    {
        var stale = Pages.Value.Where(p => Cmdlets.All(c => c.Name != p.Name)).Select(p => $"{p.Name}.md: DbBackup.dll has no such cmdlet").ToList();
        AssertNone(stale, "stale pages");
    }

    [Fact]
    public void Every_parameter_of_every_cmdlet_is_documented()
    {
        var missing = new List<string>();
        foreach (var cmdlet in Cmdlets)
            if (Page(cmdlet.Name) is { } page)
                missing.AddRange(cmdlet.Parameters.Where(p => page.FindParameter(p.Name) is null).Select(p => $"{cmdlet.Name} -{p.Name}"));
        AssertNone(missing, "undocumented parameters");
    }

    [Fact]
    public void Every_documented_parameter_exists_on_its_cmdlet()
    {
        var stale = new List<string>();
        foreach (var page in Pages.Value)
            if (Cmdlets.FirstOrDefault(c => c.Name == page.Name) is { } cmdlet)
                stale.AddRange(page.Parameters.Where(p => cmdlet.Find(p.Name) is null).Select(p => $"{page.Name} -{p.Name}: documented but not a parameter of {cmdlet.TypeName}"));
        AssertNone(stale, "stale parameters");
    }

    [Fact]
    public void Every_page_has_at_least_two_examples_with_code()
    {
        var thin = Pages.Value.Where(p => p.Examples.Count < 2).Select(p => $"{p.Name}: {p.Examples.Count} example(s)").ToList();
        AssertNone(thin, "pages with fewer than two examples");
    }

    [Fact]
    public void Syntax_sections_match_the_cmdlets_parameter_sets()
    {
        var problems = new List<string>();
        foreach (var cmdlet in Cmdlets)
        {
            if (Page(cmdlet.Name) is not { } page) continue;
            var documented = page.Syntax.Select(s => s.SetName).Order(StringComparer.Ordinal).ToList();
            if (!documented.SequenceEqual(cmdlet.SetNames))
                problems.Add($"{cmdlet.Name}: SYNTAX sets [{string.Join(", ", documented)}], cmdlet sets [{string.Join(", ", cmdlet.SetNames)}]");
            if (cmdlet.SetNames.Count > 1 && cmdlet.DefaultParameterSetName is { } defaultSet
                && page.Syntax.FirstOrDefault(s => s.IsDefault)?.SetName != defaultSet)
                problems.Add($"{cmdlet.Name}: the default set is {defaultSet}; mark its SYNTAX heading \"### {defaultSet} (Default)\"");
        }
        AssertNone(problems, "syntax mismatches");
    }

    [Fact]
    public void Documented_parameter_metadata_matches_the_declaration()
    {
        var problems = new List<string>();
        foreach (var cmdlet in Cmdlets)
        {
            if (Page(cmdlet.Name) is not { } page) continue;
            foreach (var declared in cmdlet.Parameters)
            {
                if (page.FindParameter(declared.Name) is not { } documented) continue; // reported by the coverage test
                var where = $"{cmdlet.Name} -{declared.Name}";
                if (documented.Name != declared.Name) problems.Add($"{where}: documented as -{documented.Name} (case differs)");
                foreach (var metadata in documented.Metadata)
                {
                    if (!TypeMatches(metadata.Type, declared))
                        problems.Add($"{where}: Type {metadata.Type}, declared {declared.TypeName}");
                    if (!metadata.Aliases.Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(declared.Aliases.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase))
                        problems.Add($"{where}: Aliases [{string.Join(", ", metadata.Aliases)}], declared [{string.Join(", ", declared.Aliases)}]");
                    if (metadata.AcceptedValues.Count > 0 && !metadata.AcceptedValues.Order().SequenceEqual(declared.EnumValues.Order()))
                        problems.Add($"{where}: Accepted values [{string.Join(", ", metadata.AcceptedValues)}], declared [{string.Join(", ", declared.EnumValues)}]");
                }
                foreach (var set in cmdlet.SetNames)
                {
                    var d = declared.ForSet(set);
                    var m = documented.ForSet(set);
                    if ((d is null) != (m is null))
                    {
                        problems.Add($"{where}: {(d is null ? "documented in" : "missing from")} set {set}");
                        continue;
                    }
                    if (d is null || m is null) continue;
                    if (d.Mandatory != m.Required) problems.Add($"{where} in {set}: Required {m.Required}, declared Mandatory={d.Mandatory}");
                    var position = d.Position?.ToString() ?? "Named";
                    if (!string.Equals(position, m.Position, StringComparison.OrdinalIgnoreCase)) problems.Add($"{where} in {set}: Position {m.Position}, declared {position}");
                    if (!string.Equals(d.PipelineInput, m.PipelineInput, StringComparison.OrdinalIgnoreCase)) problems.Add($"{where} in {set}: Accept pipeline input {m.PipelineInput}, declared {d.PipelineInput}");
                }
            }
        }
        AssertNone(problems, "parameter metadata mismatches");
    }

    private static bool TypeMatches(string documented, ParameterDeclaration declared) =>
        string.Equals(documented, declared.TypeName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(documented, declared.FullTypeName, StringComparison.OrdinalIgnoreCase)
        || (declared.TypeName == "SwitchParameter" && documented.Equals("switch", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void The_generated_maml_has_every_cmdlet_with_its_synopsis_examples_and_every_parameter()
    {
        var mamlPath = Path.Combine(ModuleLayout.HelpDirectory, HelpFileName);
        Assert.True(File.Exists(mamlPath), $"{mamlPath} does not exist: the build must generate it from docs/en-US.");
        XNamespace command = MamlWriter.Command, maml = MamlWriter.Maml;
        var commands = XDocument.Load(mamlPath).Root!.Elements(command + "command")
            .ToDictionary(c => c.Element(command + "details")!.Element(command + "name")!.Value.Trim());

        var problems = new List<string>();
        foreach (var cmdlet in Cmdlets)
        {
            if (!commands.TryGetValue(cmdlet.Name, out var element))
            {
                problems.Add($"{cmdlet.Name}: not in {HelpFileName}");
                continue;
            }
            var synopsis = element.Element(command + "details")!.Element(maml + "description")?.Value.Trim() ?? "";
            if (synopsis.Length == 0) problems.Add($"{cmdlet.Name}: empty synopsis in MAML");
            var examples = element.Element(command + "examples")?.Elements(command + "example").Count() ?? 0;
            if (examples < 2) problems.Add($"{cmdlet.Name}: {examples} example(s) in MAML");
            var parameters = element.Element(command + "parameters")?.Elements(command + "parameter")
                .Select(p => p.Element(maml + "name")!.Value.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
            foreach (var parameter in cmdlet.Parameters.Where(p => !parameters.Contains(p.Name)))
                problems.Add($"{cmdlet.Name} -{parameter.Name}: not in MAML command:parameters");
            var syntaxParameters = element.Element(command + "syntax")?.Elements(command + "syntaxItem")
                .SelectMany(s => s.Elements(command + "parameter")).Select(p => p.Element(maml + "name")!.Value.Trim())
                .ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
            foreach (var parameter in cmdlet.Parameters.Where(p => !syntaxParameters.Contains(p.Name)))
                problems.Add($"{cmdlet.Name} -{parameter.Name}: in no MAML syntaxItem");
        }
        AssertNone(problems, "MAML gaps");
    }

    [Fact]
    public void The_module_ships_the_about_topic_as_plain_text()
    {
        var path = Path.Combine(ModuleLayout.HelpDirectory, "about_DbBackup.help.txt");
        Assert.True(File.Exists(path), $"{path} does not exist: the build must generate it from docs/en-US/about_DbBackup.md.");
        var text = File.ReadAllText(path);
        Assert.StartsWith("TOPIC\n    about_DbBackup\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("\nSHORT DESCRIPTION\n", text.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("\n## ", text);
    }
}
