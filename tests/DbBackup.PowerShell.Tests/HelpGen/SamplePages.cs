namespace DbBackup.PowerShell.Tests.HelpGen;

/// <summary>Small pages in the platyPS schema for the generator's tests.</summary>
internal static class SamplePages
{
    /// <summary>A complete page with two parameter sets, a switch, an array, pipeline input and aliases.</summary>
    public const string GetWidget = """
        ---
        external help file: Widget.dll-Help.xml
        Module Name: Widget
        online version: https://example.org/widget/Get-Widget
        schema: 2.0.0
        ---

        # Get-Widget

        ## SYNOPSIS
        Gets **widgets** from the `store`.

        ## SYNTAX

        ### ByName (Default)
        ```
        Get-Widget [[-Name] <String[]>] [-Force] [<CommonParameters>]
        ```

        ### ById
        ```
        Get-Widget -Id <String> [-Force] [<CommonParameters>]
        ```

        ## DESCRIPTION
        The Get-Widget cmdlet gets widgets.
        It reads the store.

        Second paragraph.

        - first point
        - second point

        ## EXAMPLES

        ### Example 1: Get all widgets
        ```powershell
        Get-Widget
        ```

        Lists every widget.

        ### Example 2: Pipe ids
        ```powershell
        'a','b' | Get-Widget -Force
        ```

        ## PARAMETERS

        ### -Name
        Names to get. Wildcards are allowed.

        ```yaml
        Type: String[]
        Parameter Sets: ByName
        Aliases: WidgetName, N

        Required: False
        Position: 0
        Default value: None
        Accept pipeline input: True (ByValue)
        Accept wildcard characters: True
        ```

        ### -Id
        The widget's id.

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

        ### -Force
        Gets hidden widgets too.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases: (None)

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### CommonParameters
        This cmdlet supports the common parameters. For more information, see about_CommonParameters.

        ## INPUTS

        ### System.String
        Names, by value.

        ## OUTPUTS

        ### Widget.Model.Widget
        One object per widget.

        ## NOTES
        Widgets are cached for a minute.

        ## RELATED LINKS

        [Set-Widget](Set-Widget.md)

        [Widget docs](https://example.org/widget)
        """;

    /// <summary>A valid about topic.</summary>
    public const string AboutWidget = """
        # about_Widget

        ## SHORT DESCRIPTION

        Widgets, explained.

        ## LONG DESCRIPTION

        A widget is a small thing that does one job and does it well, which is why this sentence is long enough to need wrapping.

        - one
        - two

        Run it like this:

            code line
        """;
}
