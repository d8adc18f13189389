namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Hands a restore's work to its sessions: the data files of every table, and each loaded table's
/// early index and key builds (<see cref="PostgreSqlEarlyPostData"/>), one at a time. A session takes work of the
/// first table (in the caller's priority order) that no session is working on, a loaded table's builds before
/// another table's data; only when every table with work left has a session does a second one join a table.</summary>
/// <remarks>Measured on PostgreSQL 15 with pg_stat_activity sampled every 20 ms through a restore of the
/// benchmark data: two sessions COPYing into one table waited on its extension lock ("Lock: extend") 7 % of the
/// time, which no pg_restore session does (it loads a table in one COPY). One session per table also loads a
/// split table's pieces in their order, so the heap keeps the backup's row order. Builds handed out one by one
/// (not a table's whole list to one session) let the last table's indexes spread over every session at the end.</remarks>
internal sealed class PostgreSqlLoadQueue
{
    /// <summary>A data file (<see cref="Build"/> null) or one <c>pg_restore -l</c> line to build.</summary>
    public readonly record struct Work(int Table, int Piece, string? Build);

    private readonly Queue<Work>[] _work;
    private readonly int[] _sessions;
    private readonly int[] _order;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="pieceCounts">Per table, how many data files it has.</param>
    /// <param name="order">Table indexes, the most urgent first.</param>
    public PostgreSqlLoadQueue(IReadOnlyList<int> pieceCounts, IEnumerable<int> order)
    {
        _work = pieceCounts.Select((n, t) => new Queue<Work>(Enumerable.Range(0, n).Select(p => new Work(t, p, null)))).ToArray();
        _sessions = new int[pieceCounts.Count];
        _order = order.ToArray();
    }

    /// <summary>The next work, counted as the session's until <see cref="Done"/>; null once there is none and no
    /// session can add any. Waits while other sessions still work (a table's last file adds its builds).</summary>
    public async Task<Work?> TakeAsync(CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            lock (_work)
            {
                if (Next() is { } table)
                {
                    _sessions[table]++;
                    return _work[table].Dequeue();
                }
                if (_sessions.All(n => n == 0)) return null;
                changed = _changed.Task;
            }
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Queues a loaded table's builds; call before <see cref="Done"/> of its last file.</summary>
    public void AddBuilds(int table, IEnumerable<string> lines)
    {
        lock (_work)
            foreach (var line in lines) _work[table].Enqueue(new Work(table, -1, line));
    }

    /// <summary>Work taken by <see cref="TakeAsync"/> is finished.</summary>
    public void Done(int table)
    {
        TaskCompletionSource changed;
        lock (_work)
        {
            _sessions[table]--;
            (changed, _changed) = (_changed, new(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        changed.SetResult();
    }

    private int? Next()
    {
        int? idleData = null, busy = null;
        foreach (var t in _order)
        {
            if (_work[t].Count == 0) continue;
            if (_sessions[t] == 0)
            {
                if (_work[t].Peek().Build != null) return t;
                idleData ??= t;
            }
            else if (busy == null || _sessions[t] < _sessions[busy.Value]) busy = t;
        }
        return idleData ?? busy;
    }
}
