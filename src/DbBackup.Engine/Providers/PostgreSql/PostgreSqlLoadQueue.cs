namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Hands a restore's work to its sessions: the data files of every table, and each loaded table's
/// early index and key builds (<see cref="PostgreSqlEarlyPostData"/>), one at a time. A session takes work of the
/// first table (in the caller's priority order) that no session is working on, a loaded table's builds before
/// another table's data; only when every table with work left has a session does a second one join a table, and
/// then never for a build that would wait for the table's lock.</summary>
/// <remarks>Measured on PostgreSQL 15 with pg_stat_activity sampled every 20 ms through a restore of the
/// benchmark data: two sessions COPYing into one table waited on its extension lock ("Lock: extend") 7 % of the
/// time, which no pg_restore session does (it loads a table in one COPY). One session per table also loads a
/// split table's pieces in their order, so the heap keeps the backup's row order. Builds handed out one by one
/// (not a table's whole list to one session) let the last table's indexes spread over every session at the end;
/// a key (ALTER TABLE … ADD CONSTRAINT takes the table's ACCESS EXCLUSIVE lock) is built by a session alone on
/// its table, where it waits for nobody: a second session joining it waited 18 % of the time ("Lock: relation").</remarks>
internal sealed class PostgreSqlLoadQueue
{
    /// <summary>A data file (<see cref="Build"/> null) or one <c>pg_restore -l</c> line to build;
    /// <see cref="Shared"/>: a build that may run beside the table's other shared builds (a plain CREATE INDEX).</summary>
    public readonly record struct Work(int Table, int Piece, string? Build, bool Shared = false);

    private readonly Queue<int>[] _pieces;
    private readonly List<Work>[] _builds;
    private readonly int[] _sessions;
    private readonly int[] _exclusive;
    private readonly int[] _order;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="pieceCounts">Per table, how many data files it has.</param>
    /// <param name="order">Table indexes, the most urgent first.</param>
    public PostgreSqlLoadQueue(IReadOnlyList<int> pieceCounts, IEnumerable<int> order)
    {
        _pieces = pieceCounts.Select(n => new Queue<int>(Enumerable.Range(0, n))).ToArray();
        _builds = pieceCounts.Select(_ => new List<Work>()).ToArray();
        _sessions = new int[pieceCounts.Count];
        _exclusive = new int[pieceCounts.Count];
        _order = order.ToArray();
    }

    /// <summary>The next work, counted as the session's until <see cref="Done"/>; null once there is none and no
    /// session can add any. Waits while other sessions still work (a table's last file adds its builds).</summary>
    public async Task<Work?> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            lock (_pieces)
            {
                if (Next() is { } work)
                {
                    _sessions[work.Table]++;
                    if (work.Build != null && !work.Shared) _exclusive[work.Table]++;
                    return work;
                }
                if (_sessions.All(n => n == 0)) return null;
                changed = _changed.Task;
            }
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Queues a loaded table's builds; call before <see cref="Done"/> of its last file.</summary>
    public void AddBuilds(int table, IEnumerable<(string Line, bool Shared)> builds)
    {
        lock (_pieces)
            _builds[table].AddRange(builds.Select(b => new Work(table, -1, b.Line, b.Shared)));
    }

    /// <summary>Work taken by <see cref="TakeAsync"/> is finished.</summary>
    public void Done(Work work)
    {
        TaskCompletionSource changed;
        lock (_pieces)
        {
            _sessions[work.Table]--;
            if (work.Build != null && !work.Shared) _exclusive[work.Table]--;
            (changed, _changed) = (_changed, new(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        changed.SetResult();
    }

    private Work? Next()
    {
        int? idleData = null, joinData = null, joinBuild = null;
        foreach (var t in _order)
        {
            var builds = _builds[t];
            if (_sessions[t] == 0)
            {
                // Alone on the table: a key first, while nothing else can wait for it.
                if (builds.Count > 0) return Take(builds, builds.FindIndex(b => !b.Shared) is var key and >= 0 ? key : 0);
                if (_pieces[t].Count > 0) idleData ??= t;
            }
            else if (_pieces[t].Count > 0)
            {
                if (joinData == null || _sessions[t] < _sessions[joinData.Value]) joinData = t;
            }
            else if (joinBuild == null && _exclusive[t] == 0 && builds.Exists(b => b.Shared)) joinBuild = t;
        }
        // A second session builds beside another (no lock to wait for) rather than COPY beside another (extension lock).
        if (idleData is null && joinBuild is { } table) return Take(_builds[table], _builds[table].FindIndex(b => b.Shared));
        return (idleData ?? joinData) is { } data ? new Work(data, _pieces[data].Dequeue(), null) : null;
    }

    private static Work Take(List<Work> builds, int index)
    {
        var work = builds[index];
        builds.RemoveAt(index);
        return work;
    }
}
