namespace DbBackup.HelpGen.Model;

/// <summary>One "### Example N: title" entry: its code and the remarks after it.</summary>
public sealed class ExampleHelp
{
    /// <summary>Heading text, for example "Example 1: Back up a database and wait".</summary>
    public string Title { get; set; } = "";
    /// <summary>The code blocks' text, joined by a blank line.</summary>
    public string Code { get; set; } = "";
    /// <summary>Explanation paragraphs.</summary>
    public List<string> Remarks { get; } = [];
}
