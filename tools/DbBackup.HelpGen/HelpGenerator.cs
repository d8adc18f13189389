using DbBackup.HelpGen.Maml;
using DbBackup.HelpGen.Markdown;
using DbBackup.HelpGen.Model;

namespace DbBackup.HelpGen;

/// <summary>Builds a module's help folder from its docs folder: every cmdlet page into one MAML file
/// (named by the pages' "external help file"), every about_*.md into about_*.help.txt.</summary>
public static class HelpGenerator
{
    /// <summary>Reads and checks every cmdlet page in <paramref name="docsDirectory"/> (all *.md except about_*),
    /// sorted by name. Throws <see cref="HelpFormatException"/> on the first bad page.</summary>
    public static IReadOnlyList<CommandHelp> ReadCommands(string docsDirectory) =>
        Directory.EnumerateFiles(docsDirectory, "*.md")
            .Where(f => !IsAboutTopic(f))
            .Order(StringComparer.Ordinal)
            .Select(CommandPageParser.ParseFile)
            .ToList();

    /// <summary>Writes the MAML file and the about topics into <paramref name="outputDirectory"/> (created if
    /// missing) and returns the paths written. Nothing is written unless every page is valid.</summary>
    public static IReadOnlyList<string> Generate(string docsDirectory, string outputDirectory)
    {
        if (!Directory.Exists(docsDirectory))
            throw new HelpFormatException(docsDirectory, "the docs folder does not exist.");
        var commands = ReadCommands(docsDirectory);
        if (commands.Count == 0)
            throw new HelpFormatException(docsDirectory, "no cmdlet pages (*.md other than about_*.md) found.");

        var helpFiles = commands.Select(c => c.Metadata["external help file"]).Distinct(StringComparer.Ordinal).ToList();
        if (helpFiles.Count != 1)
            throw new HelpFormatException(docsDirectory, $"pages name different external help files ({string.Join(", ", helpFiles)}); one module has one.");
        if (helpFiles[0].IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || !helpFiles[0].EndsWith("-Help.xml", StringComparison.Ordinal))
            throw new HelpFormatException(docsDirectory, $"external help file \"{helpFiles[0]}\" must be a file name ending in -Help.xml.");

        // Render everything before writing anything, so a bad about page cannot leave half a help folder.
        var document = MamlWriter.ToDocument(commands);
        var topics = Directory.EnumerateFiles(docsDirectory, "about_*.md")
            .Order(StringComparer.Ordinal)
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f) + ".help.txt", Text: AboutTopicRenderer.RenderFile(f)))
            .ToList();

        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>();
        var mamlPath = Path.Combine(outputDirectory, helpFiles[0]);
        MamlWriter.Save(document, mamlPath);
        written.Add(mamlPath);
        foreach (var (name, text) in topics)
        {
            var path = Path.Combine(outputDirectory, name);
            File.WriteAllText(path + ".tmp", text, new System.Text.UTF8Encoding(false));
            File.Move(path + ".tmp", path, overwrite: true);
            written.Add(path);
        }
        return written;
    }

    private static bool IsAboutTopic(string path) =>
        Path.GetFileName(path).StartsWith("about_", StringComparison.OrdinalIgnoreCase);
}
