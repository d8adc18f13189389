using System.Diagnostics;
using DbBackup.HelpGen;
using DbBackup.HelpGen.Markdown;

namespace DbBackup.PowerShell.Tests.HelpGen;

/// <summary>A page that breaks the schema fails generation with a message naming the file and the problem.</summary>
public sealed class BrokenPageTests
{
    private const string IdYaml = """
        ```yaml
        Type: String
        Parameter Sets: ById
        Aliases: (None)

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```
        """;

    public static TheoryData<string, string, string> Breakages => new()
    {
        { "## NOTES\n", "", "missing section(s): ## NOTES" },
        { IdYaml, "", "parameter -Id has no ```yaml block" },
        { "Position: 0\n", "", "-Name's yaml block lacks Position" },
        { "Required: True", "Required: Maybe", "-Id's Required \"Maybe\" must be True or False" },
        { "Parameter Sets: ById", "Parameter Sets: ByWho", "parameter -Id names parameter set \"ByWho\", which SYNTAX does not have" },
        { "Get-Widget -Id <String> [-Force]", "Get-Widget -Id <String> [-Ghost] [-Force]", "shows -Ghost, which PARAMETERS does not document" },
        { "Get-Widget -Id <String> [-Force]", "Get-Widget -Id <String>", "parameter -Force is in set \"ById\" by its yaml, but that set's SYNTAX line does not show it" },
        { "# Get-Widget\n", "# Get-Widgets\n", "does not match the file name Get-Widget.md" },
        { "## PARAMETERS", "## PARAMETER", "unknown section \"## PARAMETER\"" },
        { "schema: 2.0.0", "schema: 1.0.0", "only 2.0.0 is supported" },
        { "Gets **widgets** from the `store`.\n", "", "## SYNOPSIS is empty" },
        { "```powershell\nGet-Widget\n```\n", "", "\"Example 1: Get all widgets\" has no code block" },
        { "Accept pipeline input: False", "Accept pipeline input: Sometimes", "Accept pipeline input \"Sometimes\" must be" },
        { "### -Force\nGets hidden widgets too.\n", "### -Force\n", "parameter -Force has no description" },
        { "Module Name: Widget\n", "", "front matter lacks Module Name" },
    };

    private static string Break(string find, string replace)
    {
        var page = SamplePages.GetWidget.ReplaceLineEndings("\n");
        Assert.Contains(find, page); // the breakage must really apply, or the test proves nothing
        return page.Replace(find, replace);
    }

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_broken_page_fails_with_a_message_naming_the_file_and_the_problem(string find, string replace, string expected)
    {
        var e = Assert.Throws<HelpFormatException>(() => CommandPageParser.Parse(Break(find, replace), "Get-Widget.md"));
        Assert.Equal("Get-Widget.md", e.File);
        Assert.StartsWith("Get-Widget.md: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_sample_page_itself_is_valid()
    {
        var help = CommandPageParser.Parse(SamplePages.GetWidget, "Get-Widget.md");
        Assert.Equal(["Name", "Id", "Force"], help.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void An_about_topic_without_a_long_description_fails()
    {
        var page = SamplePages.AboutWidget.ReplaceLineEndings("\n").Replace("## LONG DESCRIPTION", "## DETAILS");
        var e = Assert.Throws<HelpFormatException>(() => AboutTopicRenderer.Render(page, "about_Widget.md"));
        Assert.Contains("missing section \"## LONG DESCRIPTION\"", e.Message);
    }

    [Fact]
    public void The_tool_exits_non_zero_names_the_page_and_writes_nothing()
    {
        using var dirs = new TempFolders();
        File.WriteAllText(Path.Combine(dirs.Docs, "Get-Widget.md"), Break(IdYaml, ""));
        File.WriteAllText(Path.Combine(dirs.Docs, "about_Widget.md"), SamplePages.AboutWidget);

        var (exitCode, stderr) = RunTool(dirs.Docs, dirs.Output);

        Assert.Equal(1, exitCode);
        Assert.Contains("Get-Widget.md: error DBHELP1: parameter -Id has no ```yaml block", stderr);
        Assert.False(Directory.Exists(dirs.Output), "nothing may be written when a page is broken");
    }

    [Fact]
    public void The_tool_exits_zero_and_writes_both_files_for_valid_docs()
    {
        using var dirs = new TempFolders();
        File.WriteAllText(Path.Combine(dirs.Docs, "Get-Widget.md"), SamplePages.GetWidget);
        File.WriteAllText(Path.Combine(dirs.Docs, "about_Widget.md"), SamplePages.AboutWidget);

        var (exitCode, stderr) = RunTool(dirs.Docs, dirs.Output);

        Assert.True(exitCode == 0, stderr);
        Assert.True(File.Exists(Path.Combine(dirs.Output, "Widget.dll-Help.xml")));
        Assert.True(File.Exists(Path.Combine(dirs.Output, "about_Widget.help.txt")));
    }

    private static (int ExitCode, string Stderr) RunTool(string docs, string output)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(HelpGenerator).Assembly.Location);
        start.ArgumentList.Add(docs);
        start.ArgumentList.Add(output);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "DbBackup.HelpGen did not finish within a minute");
        return (process.ExitCode, stderr.Result);
    }
}
