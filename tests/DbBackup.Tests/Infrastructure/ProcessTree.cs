namespace DbBackup.Tests.Infrastructure;

/// <summary>A process and its descendants, read from /proc (Linux): what a worker runs (client tools)
/// and what their command lines say, for the tests that look for secrets in argv.</summary>
public static class ProcessTree
{
    /// <summary>Pids of <paramref name="root"/> and all its descendants (from /proc/*/stat).</summary>
    public static HashSet<int> Of(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
            }
            catch (IOException) { }
        }
        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
                if (tree.Contains(parent) && tree.Add(pid)) grew = true;
        }
        return tree;
    }

    /// <summary>Command lines (arguments joined by spaces) of <paramref name="root"/> and its descendants.</summary>
    public static List<string> CommandLines(int root)
    {
        var lines = new List<string>();
        foreach (var pid in Of(root))
        {
            try { lines.Add(File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')); }
            catch (IOException) { }
        }
        return lines;
    }
}
