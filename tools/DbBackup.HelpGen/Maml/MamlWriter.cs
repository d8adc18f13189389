using System.Xml;
using System.Xml.Linq;
using DbBackup.HelpGen.Model;

namespace DbBackup.HelpGen.Maml;

/// <summary>Writes commands as a MAML help file in the shape Get-Help reads and platyPS's New-ExternalHelp
/// produces: helpItems (http://msh) holding one command:command per cmdlet with details, description,
/// syntax, parameters, inputTypes, returnValues, alertSet, examples and relatedLinks.</summary>
public static class MamlWriter
{
    /// <summary>Namespace of the root helpItems element.</summary>
    public static readonly XNamespace Msh = "http://msh";
    /// <summary>maml: prefix namespace.</summary>
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    /// <summary>command: prefix namespace.</summary>
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    /// <summary>dev: prefix namespace.</summary>
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    /// <summary>MSHelp: prefix namespace (declared for compatibility; unused).</summary>
    public static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    private const string SwitchType = "SwitchParameter";

    /// <summary>The MAML document for <paramref name="commands"/>, in the order given.</summary>
    public static XDocument ToDocument(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.Select(CommandElement)));

    /// <summary>Writes the document as UTF-8 (no BOM), indented, to <paramref name="path"/>, atomically.</summary>
    public static void Save(XDocument document, string path)
    {
        var temp = path + ".tmp";
        var settings = new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false), NewLineChars = "\n" };
        using (var writer = XmlWriter.Create(temp, settings)) document.Save(writer);
        File.Move(temp, path, overwrite: true);
    }

    private static XElement CommandElement(CommandHelp help)
    {
        var dash = help.Name.IndexOf('-');
        var verb = dash > 0 ? help.Name[..dash] : help.Name;
        var noun = dash > 0 ? help.Name[(dash + 1)..] : "";
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", verb),
                new XElement(Command + "noun", noun),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Command + "syntax", help.Syntax.Select(set => SyntaxItem(help, set))),
            new XElement(Command + "parameters", help.Parameters.Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", help.Inputs.Select(t => TypeEntry("inputType", t))),
            new XElement(Command + "returnValues", help.Outputs.Select(t => TypeEntry("returnValue", t))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", Links(help)));
    }

    private static XElement SyntaxItem(CommandHelp help, SyntaxBlock set)
    {
        // The order of the syntax line is the order readers expect (positional first, as written).
        var parameters = set.ParameterNames()
            .Select(help.FindParameter)
            .OfType<ParameterHelp>()
            .Select(p => (Parameter: p, Metadata: p.ForSet(set.SetName)))
            .Where(x => x.Metadata is not null);
        return new XElement(Command + "syntaxItem",
            new XElement(Maml + "name", help.Name),
            parameters.Select(x => Parameter(x.Parameter, x.Metadata!, inSyntax: true)));
    }

    private static XElement Parameter(ParameterHelp parameter, ParameterMetadata metadata, bool inSyntax)
    {
        var type = metadata.Type.Equals("switch", StringComparison.OrdinalIgnoreCase) ? SwitchType : metadata.Type;
        var isSwitch = type is SwitchType or "System.Management.Automation.SwitchParameter";
        var isArray = type.EndsWith("[]", StringComparison.Ordinal);
        return new XElement(Command + "parameter",
            new XAttribute("required", Lower(metadata.Required)),
            new XAttribute("variableLength", Lower(isArray)),
            new XAttribute("globbing", Lower(metadata.Globbing)),
            new XAttribute("pipelineInput", metadata.PipelineInput),
            new XAttribute("position", metadata.Position.ToLowerInvariant()),
            new XAttribute("aliases", metadata.Aliases.Count > 0 ? string.Join(", ", metadata.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description),
            inSyntax && metadata.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", metadata.AcceptedValues.Select(v =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), v)))
                : null,
            // A switch shows no value placeholder in the syntax line ("-Force", not "-Force <SwitchParameter>").
            inSyntax && isSwitch
                ? null
                : new XElement(Command + "parameterValue",
                    new XAttribute("required", Lower(!isSwitch)),
                    new XAttribute("variableLength", Lower(isArray)),
                    type),
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue",
                isSwitch && metadata.DefaultValue.Equals("None", StringComparison.OrdinalIgnoreCase) ? "False" : metadata.DefaultValue));
    }

    private static XElement TypeEntry(string element, TypeHelp type) =>
        new(Command + element,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            Description(type.Description));

    private static XElement Example(ExampleHelp example) =>
        new(Command + "example",
            new XElement(Maml + "title", PadTitle(example.Title)),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static IEnumerable<XElement> Links(CommandHelp help)
    {
        // platyPS turns "online version" into the first link, which is what Get-Help -Online opens.
        if (help.Metadata.TryGetValue("online version", out var online) && Uri.TryCreate(online, UriKind.Absolute, out _))
            yield return Link("Online Version:", online);
        foreach (var link in help.Links) yield return Link(link.Text, link.Uri);
    }

    private static XElement Link(string text, string uri) =>
        new(Maml + "navigationLink", new XElement(Maml + "linkText", text), new XElement(Maml + "uri", uri));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));

    /// <summary>Centres the title in dashes, as Get-Help shows built-in examples, up to 64 columns.</summary>
    private static string PadTitle(string title)
    {
        if (title.Length >= 60) return title;
        var side = (64 - title.Length - 2) / 2;
        return new string('-', side) + " " + title + " " + new string('-', side);
    }

    private static string Lower(bool value) => value ? "true" : "false";
}
