using System.Text;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace DbBackup.HelpGen.Markdown;

/// <summary>Renders an about_*.md page as the plain-text about_*.help.txt Get-Help prints: "TOPIC" and the
/// name, H2 headings in capitals at the margin, text indented four spaces and wrapped at 80 columns, code
/// indented eight and left as written. The page must have SHORT DESCRIPTION and LONG DESCRIPTION, because
/// PowerShell takes a topic's synopsis from the text under SHORT DESCRIPTION.</summary>
public static class AboutTopicRenderer
{
    private const int Width = 80;
    private const string Indent = "    ";

    /// <summary>Renders the page at <paramref name="path"/>.</summary>
    public static string RenderFile(string path) => Render(File.ReadAllText(path), Path.GetFileName(path));

    /// <summary>Renders page text; <paramref name="fileName"/> must be about_Name.md with "# about_Name" as its H1.</summary>
    public static string Render(string markdown, string fileName)
    {
        var expected = Path.GetFileNameWithoutExtension(fileName);
        var document = MarkdownText.Parse(markdown);
        var text = new StringBuilder();
        var title = "";
        var sections = new HashSet<string>(StringComparer.Ordinal);

        foreach (var block in document)
        {
            switch (block)
            {
                case YamlFrontMatterBlock or LinkReferenceDefinitionGroup or ThematicBreakBlock:
                    continue;
                case HeadingBlock { Level: 1 } h1:
                    if (title.Length > 0) throw new HelpFormatException(fileName, "a second H1; an about topic has one \"# about_Name\" heading.");
                    title = MarkdownText.Inline(h1.Inline);
                    text.Append("TOPIC\n").Append(Indent).Append(title).Append('\n');
                    continue;
                case HeadingBlock { Level: 2 } h2:
                    var heading = MarkdownText.Inline(h2.Inline).ToUpperInvariant();
                    sections.Add(heading);
                    text.Append('\n').Append(heading).Append('\n');
                    continue;
                case HeadingBlock sub:
                    text.Append('\n').Append(Indent).Append(MarkdownText.Inline(sub.Inline)).Append('\n');
                    continue;
            }
            if (title.Length == 0) throw new HelpFormatException(fileName, $"line {block.Line + 1}: text before the \"# {expected}\" heading.");
            AppendBlock(text, block);
        }

        if (title != expected) throw new HelpFormatException(fileName, $"the H1 must be \"# {expected}\" (found \"{title}\").");
        foreach (var required in new[] { "SHORT DESCRIPTION", "LONG DESCRIPTION" })
            if (!sections.Contains(required)) throw new HelpFormatException(fileName, $"missing section \"## {required}\".");
        // Blocks each end with a blank line and headings start with one; keep a single blank line between.
        return System.Text.RegularExpressions.Regex.Replace(text.ToString(), "\n{3,}", "\n\n").TrimEnd('\n') + "\n";
    }

    private static void AppendBlock(StringBuilder text, Block block)
    {
        if (block is CodeBlock code)
        {
            foreach (var line in MarkdownText.Code(code).Split('\n'))
                text.Append(line.Length == 0 ? "" : Indent + Indent + line).Append('\n');
            text.Append('\n');
            return;
        }
        foreach (var paragraph in MarkdownText.Paragraphs(block))
        {
            // List items keep their bullet at the indent and hang the rest under their text.
            var bullet = System.Text.RegularExpressions.Regex.Match(paragraph, @"^(\s*(?:- |\d+\. ))");
            var hanging = bullet.Success ? new string(' ', bullet.Length) : "";
            foreach (var hardLine in paragraph.Split('\n'))
                Wrap(text, hardLine, Indent, Indent + hanging);
            if (!bullet.Success) text.Append('\n');
        }
        if (block is ListBlock) text.Append('\n');
    }

    private static void Wrap(StringBuilder text, string line, string firstIndent, string nextIndent)
    {
        var current = new StringBuilder(firstIndent);
        var empty = true;
        var leading = line.Length - line.TrimStart().Length;
        current.Append(' ', leading);
        foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && current.Length + 1 + word.Length > Width)
            {
                text.Append(current).Append('\n');
                current.Clear().Append(nextIndent);
                empty = true;
            }
            if (!empty) current.Append(' ');
            current.Append(word);
            empty = false;
        }
        text.Append(current.ToString().TrimEnd()).Append('\n');
    }
}
