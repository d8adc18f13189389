using DbBackup.HelpGen.Model;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace DbBackup.HelpGen.Markdown;

/// <summary>Reads one cmdlet page in the platyPS markdown schema 2.0.0 and checks it is complete.
/// Every problem is a <see cref="HelpFormatException"/> naming the file and the place, because a page
/// that is silently half-read would ship help that lies about the cmdlet.</summary>
public sealed class CommandPageParser
{
    /// <summary>The H2 sections of a cmdlet page, in schema order; all must be present.</summary>
    public static readonly IReadOnlyList<string> Sections =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    /// <summary>The front matter keys platyPS writes; all must be present ("online version" may be empty).</summary>
    public static readonly IReadOnlyList<string> FrontMatterKeys = ["external help file", "Module Name", "online version", "schema"];

    /// <summary>The keys of a parameter's yaml block that must all be present.</summary>
    public static readonly IReadOnlyList<string> ParameterKeys =
        ["Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters"];

    private const string CommonParametersHeading = "CommonParameters";

    private readonly string _file;
    private readonly CommandHelp _help = new();
    private readonly HashSet<string> _seenSections = new(StringComparer.Ordinal);
    private string? _section;
    private object? _entry; // the current H3 entry: SyntaxBlock, ExampleHelp, ParameterHelp, TypeHelp or the CommonParameters marker

    private CommandPageParser(string file) => _file = file;

    /// <summary>Parses the page at <paramref name="path"/>.</summary>
    public static CommandHelp ParseFile(string path) => Parse(File.ReadAllText(path), Path.GetFileName(path));

    /// <summary>Parses page text; <paramref name="fileName"/> (for example "Get-DbBackup.md") names the
    /// page in errors and must match its H1.</summary>
    public static CommandHelp Parse(string markdown, string fileName)
    {
        var parser = new CommandPageParser(fileName);
        parser.Read(Markdown.MarkdownText.Parse(markdown));
        parser.Validate(Path.GetFileNameWithoutExtension(fileName));
        return parser._help;
    }

    private HelpFormatException Error(string message) => new(_file, message);

    private void Read(MarkdownDocument document)
    {
        var frontMatter = MarkdownText.FrontMatter(document)
            ?? throw Error("the page must start with YAML front matter (---, external help file, Module Name, online version, schema: 2.0.0, ---).");
        foreach (var (key, value) in frontMatter) _help.Metadata[key] = value;

        foreach (var block in document)
        {
            if (block is YamlFrontMatterBlock or LinkReferenceDefinitionGroup or ThematicBreakBlock) continue;
            if (block is HeadingBlock heading)
            {
                ReadHeading(heading);
                continue;
            }
            ReadContent(block);
        }
    }

    private void ReadHeading(HeadingBlock heading)
    {
        var text = MarkdownText.Inline(heading.Inline);
        switch (heading.Level)
        {
            case 1:
                if (_help.Name.Length > 0) throw Error($"line {heading.Line + 1}: a second H1 \"# {text}\"; a page documents one cmdlet.");
                _help.Name = text;
                return;
            case 2:
                if (_help.Name.Length == 0) throw Error($"line {heading.Line + 1}: \"## {text}\" comes before the \"# Cmdlet-Name\" heading.");
                var section = text.ToUpperInvariant();
                if (!Sections.Contains(section))
                    throw Error($"line {heading.Line + 1}: unknown section \"## {text}\"; expected one of {string.Join(", ", Sections)}.");
                if (!_seenSections.Add(section)) throw Error($"line {heading.Line + 1}: section \"## {text}\" appears twice.");
                _section = section;
                _entry = null;
                return;
            case 3:
                ReadEntryHeading(text, heading.Line + 1);
                return;
            default:
                // Deeper headings are sub-headings inside prose sections; keep their text.
                ReadContent(heading);
                return;
        }
    }

    private void ReadEntryHeading(string text, int line)
    {
        switch (_section)
        {
            case "SYNTAX":
                const string defaultMarker = " (Default)";
                var isDefault = text.EndsWith(defaultMarker, StringComparison.OrdinalIgnoreCase);
                var set = new SyntaxBlock { SetName = isDefault ? text[..^defaultMarker.Length].Trim() : text, IsDefault = isDefault };
                if (_help.Syntax.Any(s => string.Equals(s.SetName, set.SetName, StringComparison.OrdinalIgnoreCase)))
                    throw Error($"line {line}: parameter set \"### {text}\" appears twice in SYNTAX.");
                _help.Syntax.Add(set);
                _entry = set;
                break;
            case "EXAMPLES":
                var example = new ExampleHelp { Title = text };
                _help.Examples.Add(example);
                _entry = example;
                break;
            case "PARAMETERS":
                if (string.Equals(text, CommonParametersHeading, StringComparison.OrdinalIgnoreCase))
                {
                    _help.HasCommonParameters = true;
                    _entry = CommonParametersHeading;
                    break;
                }
                if (!text.StartsWith('-') || text.Length < 2 || text.Contains(' '))
                    throw Error($"line {line}: parameter heading \"### {text}\" must be \"### -Name\" (or \"### CommonParameters\").");
                var name = text[1..];
                if (_help.FindParameter(name) is not null) throw Error($"line {line}: parameter -{name} is documented twice.");
                var parameter = new ParameterHelp { Name = name };
                _help.Parameters.Add(parameter);
                _entry = parameter;
                break;
            case "INPUTS":
            case "OUTPUTS":
                var type = new TypeHelp { TypeName = text };
                (_section == "INPUTS" ? _help.Inputs : _help.Outputs).Add(type);
                _entry = type;
                break;
            case null:
                throw Error($"line {line}: \"### {text}\" comes before any \"##\" section.");
            default:
                // A sub-heading inside DESCRIPTION, NOTES or RELATED LINKS is prose.
                Prose().Add(text);
                break;
        }
    }

    private List<string> Prose() => _section switch
    {
        "SYNOPSIS" => _help.Synopsis,
        "DESCRIPTION" => _help.Description,
        "NOTES" => _help.Notes,
        _ => throw Error($"section {_section} does not take free text."),
    };

    private void ReadContent(Block block)
    {
        var line = block.Line + 1;
        switch (_section)
        {
            case null:
                throw Error($"line {line}: text before the first \"##\" section; start with \"## SYNOPSIS\".");
            case "SYNOPSIS":
            case "DESCRIPTION":
            case "NOTES":
                Prose().AddRange(MarkdownText.Paragraphs(block));
                break;
            case "SYNTAX":
                if (_entry is not SyntaxBlock set || block is not FencedCodeBlock code)
                    throw Error($"line {line}: SYNTAX holds only \"### SetName\" headings each followed by one ``` code block.");
                if (set.Text.Length > 0) throw Error($"line {line}: parameter set \"{set.SetName}\" has more than one code block.");
                set.Text = MarkdownText.Code(code);
                break;
            case "EXAMPLES":
                if (_entry is not ExampleHelp example)
                    throw Error($"line {line}: EXAMPLES holds only \"### Example N: title\" entries.");
                if (block is FencedCodeBlock exampleCode)
                    example.Code = example.Code.Length == 0 ? MarkdownText.Code(exampleCode) : example.Code + "\n\n" + MarkdownText.Code(exampleCode);
                else
                    example.Remarks.AddRange(MarkdownText.Paragraphs(block));
                break;
            case "PARAMETERS":
                ReadParameterContent(block, line);
                break;
            case "INPUTS":
            case "OUTPUTS":
                if (_entry is not TypeHelp type)
                    throw Error($"line {line}: {_section} holds only \"### TypeName\" entries (use \"### None\" when there are none).");
                type.Description.AddRange(MarkdownText.Paragraphs(block));
                break;
            case "RELATED LINKS":
                ReadLinks(block);
                break;
        }
    }

    private void ReadParameterContent(Block block, int line)
    {
        switch (_entry)
        {
            case string: // CommonParameters: the standard sentence, not rendered into MAML
                return;
            case ParameterHelp parameter when block is FencedCodeBlock { Info: "yaml" } yaml:
                parameter.Metadata.Add(ParseParameterYaml(parameter.Name, MarkdownText.Code(yaml), line));
                return;
            case ParameterHelp parameter:
                if (parameter.Metadata.Count > 0)
                    throw Error($"line {line}: parameter -{parameter.Name} has text after its yaml block; put the description before it.");
                parameter.Description.AddRange(MarkdownText.Paragraphs(block));
                return;
            default:
                throw Error($"line {line}: PARAMETERS holds only \"### -Name\" entries and \"### CommonParameters\".");
        }
    }

    private ParameterMetadata ParseParameterYaml(string parameter, string yaml, int line)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in yaml.Split('\n'))
        {
            if (raw.Trim().Length == 0) continue;
            var colon = raw.IndexOf(':');
            if (colon <= 0) throw Error($"line {line}: -{parameter}'s yaml line \"{raw.Trim()}\" is not \"Key: value\".");
            var key = raw[..colon].Trim();
            if (!ParameterKeys.Contains(key, StringComparer.OrdinalIgnoreCase) && !key.Equals("Accepted values", StringComparison.OrdinalIgnoreCase))
                throw Error($"line {line}: -{parameter}'s yaml has unknown key \"{key}\"; expected {string.Join(", ", ParameterKeys)} (and optionally Accepted values).");
            values[key] = raw[(colon + 1)..].Trim();
        }
        var missing = ParameterKeys.Where(k => !values.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw Error($"line {line}: -{parameter}'s yaml block lacks {string.Join(", ", missing)}.");

        var metadata = new ParameterMetadata
        {
            Type = values["Type"],
            Required = Bool(values["Required"], "Required"),
            Position = values["Position"],
            DefaultValue = values["Default value"].Length == 0 ? "None" : values["Default value"],
            PipelineInput = values["Accept pipeline input"],
            Globbing = Bool(values["Accept wildcard characters"], "Accept wildcard characters"),
        };
        if (metadata.Type.Length == 0) throw Error($"line {line}: -{parameter}'s Type is empty.");
        if (!metadata.Position.Equals("Named", StringComparison.OrdinalIgnoreCase) && !int.TryParse(metadata.Position, out _))
            throw Error($"line {line}: -{parameter}'s Position \"{metadata.Position}\" must be Named or a number.");
        if (!System.Text.RegularExpressions.Regex.IsMatch(metadata.PipelineInput, @"^(False|True \((ByValue|ByPropertyName)(, (ByValue|ByPropertyName))?\))$", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            throw Error($"line {line}: -{parameter}'s Accept pipeline input \"{metadata.PipelineInput}\" must be False, True (ByValue), True (ByPropertyName) or True (ByPropertyName, ByValue).");
        metadata.ParameterSets.AddRange(List(values["Parameter Sets"]));
        if (metadata.ParameterSets.Count == 0) throw Error($"line {line}: -{parameter}'s Parameter Sets is empty; use (All) or set names.");
        if (!values["Aliases"].Equals("(None)", StringComparison.OrdinalIgnoreCase)) metadata.Aliases.AddRange(List(values["Aliases"]));
        if (values.TryGetValue("Accepted values", out var accepted)) metadata.AcceptedValues.AddRange(List(accepted));
        return metadata;

        bool Bool(string value, string key) => bool.TryParse(value, out var b)
            ? b
            : throw Error($"line {line}: -{parameter}'s {key} \"{value}\" must be True or False.");
    }

    private static IEnumerable<string> List(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private void ReadLinks(Block block)
    {
        foreach (var paragraph in block.Descendants<ParagraphBlock>().Prepend(block as ParagraphBlock).OfType<ParagraphBlock>().Distinct())
        {
            var links = paragraph.Inline?.Descendants<LinkInline>().Where(l => !l.IsImage).ToList() ?? [];
            if (links.Count == 0)
            {
                var text = MarkdownText.Inline(paragraph.Inline);
                if (text.Length > 0) _help.Links.Add(new RelatedLink { Text = text });
                continue;
            }
            foreach (var link in links)
            {
                var label = MarkdownText.Inline(link);
                var uri = link.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out _) ? url : "";
                _help.Links.Add(new RelatedLink { Text = label.Length > 0 ? label : link.Url ?? "", Uri = uri });
            }
        }
    }

    private void Validate(string expectedName)
    {
        var missingKeys = FrontMatterKeys.Where(k => !_help.Metadata.ContainsKey(k)).ToList();
        if (missingKeys.Count > 0) throw Error($"front matter lacks {string.Join(", ", missingKeys)}.");
        if (_help.Metadata["schema"] != "2.0.0") throw Error($"front matter says schema: {_help.Metadata["schema"]}; only 2.0.0 is supported.");
        if (_help.Metadata["external help file"].Length == 0) throw Error("front matter's external help file is empty (for example DbBackup.dll-Help.xml).");
        if (_help.Name.Length == 0) throw Error("no \"# Cmdlet-Name\" heading.");
        if (!string.Equals(_help.Name, expectedName, StringComparison.Ordinal))
            throw Error($"the heading \"# {_help.Name}\" does not match the file name {expectedName}.md.");

        var missingSections = Sections.Where(s => !_seenSections.Contains(s)).ToList();
        if (missingSections.Count > 0) throw Error($"missing section(s): {string.Join(", ", missingSections.Select(s => "## " + s))}.");
        if (_help.Synopsis.Count == 0) throw Error("## SYNOPSIS is empty.");
        if (_help.Description.Count == 0) throw Error("## DESCRIPTION is empty.");
        if (_help.Syntax.Count == 0) throw Error("## SYNTAX has no \"### SetName\" entry.");
        if (_help.Examples.Count == 0) throw Error("## EXAMPLES has no example.");
        if (_help.Inputs.Count == 0) throw Error("## INPUTS has no \"### TypeName\" entry (use \"### None\").");
        if (_help.Outputs.Count == 0) throw Error("## OUTPUTS has no \"### TypeName\" entry (use \"### None\").");

        foreach (var set in _help.Syntax)
            if (set.Text.Length == 0) throw Error($"parameter set \"{set.SetName}\" has no ``` code block.");
        foreach (var example in _help.Examples)
            if (example.Code.Length == 0) throw Error($"\"{example.Title}\" has no code block.");
        foreach (var type in _help.Inputs.Concat(_help.Outputs))
            if (type.TypeName.Length == 0) throw Error("an INPUTS or OUTPUTS entry has an empty type name.");

        ValidateParameters();
    }

    private void ValidateParameters()
    {
        var setNames = _help.Syntax.Select(s => s.SetName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in _help.Parameters)
        {
            if (parameter.Metadata.Count == 0) throw Error($"parameter -{parameter.Name} has no ```yaml block (Type, Parameter Sets, Aliases, Required, Position, Default value, Accept pipeline input, Accept wildcard characters).");
            if (parameter.Description.Count == 0) throw Error($"parameter -{parameter.Name} has no description.");
            foreach (var metadata in parameter.Metadata)
                foreach (var set in metadata.ParameterSets.Where(s => s != ParameterMetadata.AllSets && !setNames.Contains(s)))
                    throw Error($"parameter -{parameter.Name} names parameter set \"{set}\", which SYNTAX does not have; sets are {string.Join(", ", setNames)}.");
        }

        var usesCommon = false;
        foreach (var set in _help.Syntax)
        {
            var named = set.ParameterNames();
            foreach (var name in named)
            {
                var parameter = _help.FindParameter(name)
                    ?? throw Error($"SYNTAX set \"{set.SetName}\" shows -{name}, which PARAMETERS does not document.");
                if (parameter.ForSet(set.SetName) is null)
                    throw Error($"SYNTAX set \"{set.SetName}\" shows -{name}, but its yaml Parameter Sets do not include \"{set.SetName}\" or (All).");
            }
            foreach (var parameter in _help.Parameters.Where(p => p.ForSet(set.SetName) is not null))
                if (!named.Contains(parameter.Name, StringComparer.OrdinalIgnoreCase))
                    throw Error($"parameter -{parameter.Name} is in set \"{set.SetName}\" by its yaml, but that set's SYNTAX line does not show it.");
            usesCommon |= set.Text.Contains("<CommonParameters>", StringComparison.Ordinal);
        }
        if (usesCommon && !_help.HasCommonParameters)
            throw Error("SYNTAX shows [<CommonParameters>] but PARAMETERS has no \"### CommonParameters\" entry.");
    }
}
