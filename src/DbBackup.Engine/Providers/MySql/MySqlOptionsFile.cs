namespace DbBackup.Engine.Providers.MySql;

/// <summary>Formerly a 0600 option file holding the password, which a worker killed with kill -9 left
/// on disk. It now writes nothing: <see cref="MySqlClientTools.Start"/> passes the password in the
/// child's environment. Kept only so callers not yet moved to the file-free API
/// (<see cref="MySqlClientTools.ScriptArgs(string)"/>, <see cref="MySqlClientTools.RunAsync"/>) still
/// build; delete it once none uses it.</summary>
internal sealed class MySqlOptionsFile : IDisposable
{
    private MySqlOptionsFile() { }

    /// <summary>An argument that is valid for every client tool and changes nothing (the tools are
    /// always run with this character set), standing where the file's argument used to be.</summary>
    public string Argument => "--default-character-set=utf8mb4";

    /// <summary>Returns the placeholder; no file is written.</summary>
    public static MySqlOptionsFile Create(ConnectionTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new MySqlOptionsFile();
    }

    /// <summary>Nothing to delete.</summary>
    public void Dispose() { }
}
