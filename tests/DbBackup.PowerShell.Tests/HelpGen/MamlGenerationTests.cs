using System.Xml.Linq;
using DbBackup.HelpGen;
using DbBackup.HelpGen.Maml;
using DbBackup.HelpGen.Markdown;

namespace DbBackup.PowerShell.Tests.HelpGen;

/// <summary>A valid page becomes the MAML elements Get-Help reads.</summary>
public sealed class MamlGenerationTests
{
    private static readonly XNamespace Maml = MamlWriter.Maml;
    private static readonly XNamespace Command = MamlWriter.Command;
    private static readonly XNamespace Dev = MamlWriter.Dev;

    private static XElement GenerateSample()
    {
        var help = CommandPageParser.Parse(SamplePages.GetWidget, "Get-Widget.md");
        var document = MamlWriter.ToDocument([help]);
        Assert.Equal(MamlWriter.Msh + "helpItems", document.Root!.Name);
        Assert.Equal("maml", (string?)document.Root.Attribute("schema"));
        return Assert.Single(document.Root.Elements(Command + "command"));
    }

    private static string[] Paras(XElement? parent) =>
        parent is null ? [] : parent.Elements(Maml + "para").Select(p => p.Value).ToArray();

    [Fact]
    public void Details_carry_name_verb_noun_and_the_synopsis_as_plain_text()
    {
        var command = GenerateSample();
        var details = command.Element(Command + "details")!;
        Assert.Equal("Get-Widget", details.Element(Command + "name")!.Value);
        Assert.Equal("Get", details.Element(Command + "verb")!.Value);
        Assert.Equal("Widget", details.Element(Command + "noun")!.Value);
        // Emphasis and code markers are dropped: Get-Help prints text, not markdown.
        Assert.Equal(["Gets widgets from the store."], Paras(details.Element(Maml + "description")));
    }

    [Fact]
    public void Description_has_one_para_per_markdown_paragraph_and_list_item()
    {
        var command = GenerateSample();
        Assert.Equal(
            ["The Get-Widget cmdlet gets widgets. It reads the store.", "Second paragraph.", "- first point", "- second point"],
            Paras(command.Element(Maml + "description")));
    }

    [Fact]
    public void Syntax_has_one_item_per_set_with_that_sets_parameters_in_syntax_line_order()
    {
        var items = GenerateSample().Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal("Get-Widget", i.Element(Maml + "name")!.Value));
        Assert.Equal(["Name", "Force"], items[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        Assert.Equal(["Id", "Force"], items[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));

        var name = items[0].Elements(Command + "parameter").First();
        Assert.Equal("0", (string?)name.Attribute("position"));
        Assert.Equal("String[]", name.Element(Command + "parameterValue")!.Value);
        Assert.Equal("true", (string?)name.Element(Command + "parameterValue")!.Attribute("variableLength"));
        var id = items[1].Elements(Command + "parameter").First();
        Assert.Equal("true", (string?)id.Attribute("required"));
        // A switch shows no "<SwitchParameter>" placeholder in a syntax line.
        var force = items[1].Elements(Command + "parameter").Last();
        Assert.Null(force.Element(Command + "parameterValue"));
    }

    [Fact]
    public void Parameters_carry_every_yaml_field()
    {
        var parameters = GenerateSample().Element(Command + "parameters")!.Elements(Command + "parameter")
            .ToDictionary(p => p.Element(Maml + "name")!.Value);
        Assert.Equal(["Name", "Id", "Force"], parameters.Keys);

        var name = parameters["Name"];
        Assert.Equal("false", (string?)name.Attribute("required"));
        Assert.Equal("true", (string?)name.Attribute("globbing"));
        Assert.Equal("True (ByValue)", (string?)name.Attribute("pipelineInput"));
        Assert.Equal("0", (string?)name.Attribute("position"));
        Assert.Equal("WidgetName, N", (string?)name.Attribute("aliases"));
        Assert.Equal(["Names to get. Wildcards are allowed."], Paras(name.Element(Maml + "description")));
        Assert.Equal("String[]", name.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("None", name.Element(Dev + "defaultValue")!.Value);

        var id = parameters["Id"];
        Assert.Equal("true", (string?)id.Attribute("required"));
        Assert.Equal("named", (string?)id.Attribute("position"));
        Assert.Equal("True (ByPropertyName)", (string?)id.Attribute("pipelineInput"));
        Assert.Equal("none", (string?)id.Attribute("aliases"));

        var force = parameters["Force"];
        Assert.Equal("SwitchParameter", force.Element(Command + "parameterValue")!.Value);
        Assert.Equal("False", force.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Inputs_outputs_notes_examples_and_links_are_rendered()
    {
        var command = GenerateSample();
        var input = Assert.Single(command.Element(Command + "inputTypes")!.Elements(Command + "inputType"));
        Assert.Equal("System.String", input.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal(["Names, by value."], Paras(input.Element(Maml + "description")));
        var output = Assert.Single(command.Element(Command + "returnValues")!.Elements(Command + "returnValue"));
        Assert.Equal("Widget.Model.Widget", output.Element(Dev + "type")!.Element(Maml + "name")!.Value);

        Assert.Equal(["Widgets are cached for a minute."],
            Paras(command.Element(Maml + "alertSet")!.Element(Maml + "alert")));

        var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
        Assert.Equal(2, examples.Count);
        Assert.Contains("Example 1: Get all widgets", examples[0].Element(Maml + "title")!.Value);
        Assert.Equal("Get-Widget", examples[0].Element(Dev + "code")!.Value);
        Assert.Equal(["Lists every widget."], Paras(examples[0].Element(Dev + "remarks")));
        Assert.Equal("'a','b' | Get-Widget -Force", examples[1].Element(Dev + "code")!.Value);

        var links = command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink")
            .Select(l => (l.Element(Maml + "linkText")!.Value, l.Element(Maml + "uri")!.Value)).ToList();
        Assert.Equal(
            [("Online Version:", "https://example.org/widget/Get-Widget"), ("Set-Widget", ""), ("Widget docs", "https://example.org/widget")],
            links);
    }

    [Fact]
    public void Generate_writes_the_maml_named_by_the_front_matter_and_the_about_topic_as_text()
    {
        using var dirs = new TempFolders();
        File.WriteAllText(Path.Combine(dirs.Docs, "Get-Widget.md"), SamplePages.GetWidget);
        File.WriteAllText(Path.Combine(dirs.Docs, "about_Widget.md"), SamplePages.AboutWidget);

        var written = HelpGenerator.Generate(dirs.Docs, dirs.Output);

        var maml = Path.Combine(dirs.Output, "Widget.dll-Help.xml");
        var about = Path.Combine(dirs.Output, "about_Widget.help.txt");
        Assert.Equal([maml, about], written);
        var command = Assert.Single(XDocument.Load(maml).Root!.Elements(Command + "command"));
        Assert.Equal("Get-Widget", command.Element(Command + "details")!.Element(Command + "name")!.Value);

        var text = File.ReadAllText(about);
        Assert.StartsWith("TOPIC\n    about_Widget\n\nSHORT DESCRIPTION\n    Widgets, explained.\n", text);
        Assert.Contains("\nLONG DESCRIPTION\n", text);
        Assert.DoesNotContain("#", text);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 80, $"line longer than 80 columns: {line}"));
        Assert.Contains("    - one\n    - two\n", text);
        Assert.Contains("\n        code line\n", text);
        Assert.Contains("    A widget is a small thing", text);
    }
}
