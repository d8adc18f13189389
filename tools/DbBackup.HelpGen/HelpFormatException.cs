namespace DbBackup.HelpGen;

/// <summary>A docs page does not follow the platyPS schema; the message names the file, the place and
/// what was expected, so the build log alone is enough to fix it.</summary>
public sealed class HelpFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="file"/>.</summary>
    public HelpFormatException(string file, string message)
        : base($"{file}: {message}")
    {
        File = file;
    }

    /// <summary>The page (file name) that is wrong.</summary>
    public string File { get; }
}
