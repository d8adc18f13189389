using System.Text;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>A 0600 temporary option file holding the [client] credentials, so the password never
/// appears on a command line. Passed as --defaults-extra-file (which must be the first argument)
/// and deleted on dispose.</summary>
internal sealed class MySqlOptionsFile : IDisposable
{
    private MySqlOptionsFile(string path) => Path = path;

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>The argument that makes a client tool read this file.</summary>
    public string Argument => "--defaults-extra-file=" + Path;

    /// <summary>Writes the file for <paramref name="target"/>.</summary>
    public static MySqlOptionsFile Create(ConnectionTarget target)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dbbackup-my-{Guid.NewGuid():N}.cnf");
        var text = new StringBuilder("[client]\n");
        text.Append("user=").Append(Quote(target.UserName)).Append('\n');
        if (target.Password != null) text.Append("password=").Append(Quote(target.Password)).Append('\n');
        text.Append("host=").Append(Quote(target.Server)).Append('\n');
        text.Append("port=").Append(target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        return new MySqlOptionsFile(path);
    }

    // Option-file values may be double-quoted with backslash escapes; quoting keeps '#', spaces and
    // quotes in passwords intact.
    private static string Quote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Deletes the file.</summary>
    public void Dispose()
    {
        try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
