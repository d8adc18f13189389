using DbBackup.Engine.Artifacts;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.PostgreSql;

/// <summary>The restore's overlapped start: the data sessions sign in while pg_restore runs the pre-data section,
/// so a cancellation or failure there must still leave no database, no session and no child process.</summary>
public sealed class PostgreSqlRestoreStartTests
{
    private readonly PostgreSqlProvider _provider = new();

    [PostgresFact]
    public async Task Cancellation_while_the_schema_loads_and_data_sessions_open_leaves_no_database_session_or_pg_restore()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgstart_src",
            "CREATE TABLE a (id int PRIMARY KEY, v text); INSERT INTO a SELECT i, md5(i::text) FROM generate_series(1, 2000) i; " +
            "CREATE TABLE b (id int PRIMARY KEY); INSERT INTO b SELECT generate_series(1, 100);");
        var restored = TestServers.UniqueName("pgstart_dst");
        try
        {
            using var payload = await DumpedPayload.DumpAsync(_provider, new DumpRequest(source.Target, null, null, null, 2));
            using var cts = new CancellationTokenSource();
            // The schema file is opened for the post-data plan, then piped to pg_restore's pre-data run: cancel in the
            // middle of that pipe, when the data connections opened ahead are signing in or signed in.
            var cancelling = new CancelOnSecondOpen(payload.Reader(), "schema.dump", cts);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                _provider.RestoreAsync(new RestoreRequest(TestServers.Postgres(restored), new BackupRecord(), 2), cancelling, new DumpedPayload.SyncProgress([]), cts.Token));

            Assert.True(cancelling.Cancelled);
            Assert.False(await PostgresTestDatabase.ExistsAsync(restored));
            Assert.Equal(0L, await PostgresTestDatabase.ScalarAsync("postgres", $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{restored}'"));
            Assert.Empty(ChildProcesses("pg_restore"));
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(restored);
        }
    }

    [PostgresFact]
    public async Task Restore_with_more_jobs_than_data_files_loads_every_row()
    {
        await using var source = await PostgresTestDatabase.CreateAsync("pgstart_one",
            "CREATE TABLE only_one (id int PRIMARY KEY, v text); INSERT INTO only_one SELECT i, md5(i::text) FROM generate_series(1, 500) i;");
        await using var copy = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, 4), "pgstart_one_dst");
        Assert.Equal(
            await PostgresTestDatabase.ColumnAsync(source.Name, "SELECT id || ':' || v FROM only_one ORDER BY id"),
            await PostgresTestDatabase.ColumnAsync(copy.Name, "SELECT id || ':' || v FROM only_one ORDER BY id"));
    }

    /// <summary>This test process's children running <paramref name="name"/> (Linux: /proc; elsewhere none are seen).</summary>
    private static List<int> ChildProcesses(string name)
    {
        var found = new List<int>();
        if (!OperatingSystem.IsLinux()) return found;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                if (comm == name && int.Parse(fields[1]) == Environment.ProcessId) found.Add(pid);
            }
            catch (IOException) { } // the process ended meanwhile
        }
        return found;
    }

    /// <summary>Serves the payload, and cancels once half of <paramref name="name"/>'s second opening has been read.</summary>
    private sealed class CancelOnSecondOpen(IPayloadSource inner, string name, CancellationTokenSource cts) : IPayloadSource
    {
        private int _opens;
        public bool Cancelled => cts.IsCancellationRequested;
        public IReadOnlyList<string> Names => inner.Names;
        public Stream Open(string n)
        {
            var stream = inner.Open(n);
            if (n != name || Interlocked.Increment(ref _opens) != 2) return stream;
            var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            stream.Dispose();
            return new CancellingStream(bytes.ToArray(), cts);
        }
    }

    private sealed class CancellingStream(byte[] content, CancellationTokenSource cts) : MemoryStream(content)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position >= Length / 2) cts.Cancel();
            return base.Read(buffer, offset, Math.Min(count, 512));
        }
        public override int Read(Span<byte> buffer)
        {
            var chunk = new byte[Math.Min(buffer.Length, 512)];
            var n = Read(chunk, 0, chunk.Length);
            chunk.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
