using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace DbBackup.HelpGen.Markdown;

/// <summary>Turns Markdig blocks into the plain text Get-Help prints: emphasis and code markers dropped,
/// soft line breaks joined, one string per paragraph or list item.</summary>
public static class MarkdownText
{
    /// <summary>The pipeline every page is parsed with: CommonMark plus YAML front matter, nothing else,
    /// so a page means the same here as on GitHub and in platyPS.</summary>
    public static MarkdownPipeline Pipeline { get; } = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    /// <summary>Parses a page.</summary>
    public static MarkdownDocument Parse(string markdown) => Markdig.Markdown.Parse(markdown, Pipeline);

    /// <summary>The front matter's "key: value" lines (platyPS writes only flat keys), or null when the page has none.</summary>
    public static Dictionary<string, string>? FrontMatter(MarkdownDocument document)
    {
        if (document.FirstOrDefault() is not YamlFrontMatterBlock yaml) return null;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in yaml.Lines.ToString().Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line == "---") continue;
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return values;
    }

    /// <summary>The plain text of a heading or paragraph's inlines.</summary>
    public static string Inline(ContainerInline? inline)
    {
        var text = new StringBuilder();
        AppendInlines(text, inline);
        return text.ToString().Trim();
    }

    /// <summary>The verbatim text of a code block (no trailing newline).</summary>
    public static string Code(LeafBlock code) => code.Lines.ToString().Replace("\r\n", "\n").TrimEnd('\n');

    /// <summary>The paragraphs a block contributes: one per paragraph, one per list item ("- " or "1. "
    /// prefixed, nested items indented), code blocks verbatim.</summary>
    public static IEnumerable<string> Paragraphs(Block block) => Paragraphs(block, "");

    private static IEnumerable<string> Paragraphs(Block block, string indent)
    {
        switch (block)
        {
            case HeadingBlock heading:
                yield return indent + Inline(heading.Inline);
                break;
            case ParagraphBlock paragraph:
                yield return indent + Inline(paragraph.Inline);
                break;
            case CodeBlock code: // fenced and indented
                yield return string.Join("\n", Code(code).Split('\n').Select(l => indent + "    " + l));
                break;
            case ListBlock list:
                var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    var bullet = list.IsOrdered ? $"{number++}. " : "- ";
                    var first = true;
                    foreach (var child in item)
                    {
                        foreach (var para in Paragraphs(child, first ? "" : indent + "  "))
                        {
                            yield return first ? indent + bullet + para : para;
                            first = false;
                        }
                    }
                }
                break;
            case QuoteBlock quote:
                foreach (var child in quote)
                    foreach (var para in Paragraphs(child, indent)) yield return para;
                break;
            case HtmlBlock html:
                yield return indent + html.Lines.ToString().Trim();
                break;
            // Thematic breaks, link reference definitions and blank lines carry no text.
        }
    }

    private static void AppendInlines(StringBuilder text, ContainerInline? container)
    {
        if (container is null) return;
        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case AutolinkInline auto:
                    text.Append(auto.Url);
                    break;
                case LinkInline link:
                    var before = text.Length;
                    AppendInlines(text, link);
                    var label = text.ToString(before, text.Length - before);
                    // An absolute URL is worth printing in a terminal; a link to a sibling page is not.
                    if (link.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out _) && label != url)
                        text.Append(" (").Append(url).Append(')');
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? "\n" : " ");
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.ToString());
                    break;
                case HtmlInline html:
                    text.Append(html.Tag);
                    break;
                case ContainerInline nested: // emphasis and the like: keep the words, drop the markers
                    AppendInlines(text, nested);
                    break;
            }
        }
    }
}
