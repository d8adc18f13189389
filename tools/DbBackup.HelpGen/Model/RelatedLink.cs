namespace DbBackup.HelpGen.Model;

/// <summary>One RELATED LINKS entry.</summary>
public sealed class RelatedLink
{
    /// <summary>Text shown by Get-Help.</summary>
    public string Text { get; set; } = "";
    /// <summary>Absolute URI, or empty for a link to another page of these docs.</summary>
    public string Uri { get; set; } = "";
}
