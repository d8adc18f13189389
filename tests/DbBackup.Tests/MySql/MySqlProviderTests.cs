using DbBackup.Engine;
using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.MySql;

/// <summary>Filters, swap, refusals and failure handling of <see cref="MySqlProvider"/> against the real MariaDB.</summary>
public sealed class MySqlProviderTests
{
    [MySqlFact]
    public async Task Probe_reports_flavor_version_tool_and_whether_the_database_exists()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        var probe = await new MySqlProvider().ProbeAsync(db.Target, CancellationToken.None);
        Assert.Equal("MariaDB", probe.Flavor);
        Assert.StartsWith($"{probe.Version.Major}.{probe.Version.Minor}.{probe.Version.Build}", probe.ServerVersion, StringComparison.Ordinal);
        Assert.True(probe.Version.Major >= 10);
        // No client tool: the driver does all the work, and the record names it.
        Assert.Equal("MySqlConnector 2.6.2", probe.ToolVersion);
        Assert.True(probe.DatabaseExists);
        Assert.False((await new MySqlProvider().ProbeAsync(db.Target.WithDatabase(db.Name + "_missing"), CancellationToken.None)).DatabaseExists);
    }

    [MySqlFact]
    public async Task ListTables_returns_base_tables_with_their_date_columns_but_not_views()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE `b t` (id INT, created DATETIME, d DATE, ts TIMESTAMP NULL, tm TIME, n INT); CREATE TABLE a (id INT); CREATE VIEW v AS SELECT id FROM a;");
        var tables = await new MySqlProvider().ListTablesAsync(db.Target, CancellationToken.None);
        Assert.Equal(["a", "b t"], tables.Select(t => t.Name));
        Assert.Equal(["created", "d", "ts"], tables[1].DateColumns);
        Assert.Empty(tables[0].DateColumns);
        Assert.All(tables, t => Assert.Equal("", t.Schema));
    }

    [MySqlFact]
    public async Task A_table_subset_restores_only_those_tables_with_their_triggers()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("""
            CREATE TABLE keep_me (id INT PRIMARY KEY, v VARCHAR(10)); CREATE TABLE skip_me (id INT PRIMARY KEY);
            INSERT INTO keep_me VALUES (1, 'a'), (2, 'b'); INSERT INTO skip_me VALUES (9);
            CREATE TRIGGER keep_bi BEFORE INSERT ON keep_me FOR EACH ROW SET NEW.v = UPPER(NEW.v);
            CREATE TRIGGER skip_bi BEFORE INSERT ON skip_me FOR EACH ROW SET NEW.id = NEW.id + 1;
            """);
        var tables = (await new MySqlProvider().ListTablesAsync(db.Target, CancellationToken.None)).Where(t => t.Name == "keep_me").ToList();
        var (reader, result, _, _) = await db.DumpAsync(tables);
        Assert.Equal(["keep_me"], result.TableStats.Select(s => s.Name));
        var restored = await db.RestoreAsync(reader);
        var snapshot = await db.SnapshotAsync(restored);
        Assert.Equal(["keep_me"], snapshot.Keys);
        Assert.Equal((await db.SnapshotAsync(db.Name))["keep_me"], snapshot["keep_me"]);
        Assert.Equal(["trigger keep_bi"], (await db.InventoryAsync(restored)).Select(i => string.Join(' ', i.Split(' ').Take(2))));
    }

    [MySqlFact]
    public async Task The_since_filter_keeps_rows_at_or_after_the_instant_in_utc()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("""
            SET time_zone = '+00:00';
            CREATE TABLE events (id INT PRIMARY KEY, at TIMESTAMP(6) NULL, other DATETIME);
            INSERT INTO events VALUES (1, '2024-05-01 09:59:59.999999', '2030-01-01'), (2, '2024-05-01 10:00:00', '2000-01-01'),
              (3, '2024-06-01 00:00:00', NULL), (4, NULL, '2030-01-01');
            """);
        var since = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2)); // 10:00 UTC
        var (reader, result, _, _) = await db.DumpAsync(since: since, dateColumn: "at");
        Assert.Equal(2, result.TableStats.Single().Rows);
        var restored = await db.RestoreAsync(reader);
        var ids = await db.QueryAsync("SELECT id FROM events ORDER BY id", restored);
        Assert.Equal(["2", "3"], ids.Select(r => r[0]));

        var e = await Assert.ThrowsAsync<DbBackupException>(() => db.DumpAsync(since: since, dateColumn: "nope"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("nope", e.Message, StringComparison.Ordinal);
    }

    [MySqlFact]
    public async Task Restore_refuses_an_existing_database_and_leaves_it_alone()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1);");
        var (reader, _, _, _) = await db.DumpAsync();
        var existing = db.NewName();
        await MySqlTestDatabase.ExecAsync(null, $"CREATE DATABASE `{existing}`; CREATE TABLE `{existing}`.mine (x INT); INSERT INTO `{existing}`.mine VALUES (7);");
        var e = await Assert.ThrowsAsync<DbBackupException>(() => db.RestoreAsync(reader, existing));
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Contains(existing, e.Message, StringComparison.Ordinal);
        Assert.Equal(["mine"], (await db.SnapshotAsync(existing)).Keys);
        Assert.Equal("7", (await db.QueryAsync("SELECT x FROM mine", existing))[0][0]);
    }

    [MySqlFact]
    public async Task A_payload_without_its_toc_is_refused_alike_by_a_restore_and_a_table_replace_before_any_database_is_made()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1);");
        var (_, _, folder, files) = await db.DumpAsync();
        var withoutToc = new Engine.Artifacts.PayloadReader(folder, files.Where(f => !f.Name.StartsWith("toc.json", StringComparison.Ordinal)).ToList(), CompressionKind.Gzip);
        var restored = db.NewName();
        var replaced = db.NewName();

        var restore = await Assert.ThrowsAsync<DbBackupException>(() => db.RestoreAsync(withoutToc, restored));
        var replace = await Assert.ThrowsAsync<DbBackupException>(() => new MySqlProvider().ReplaceTablesAsync(
            new TableReplaceRequest(TestServers.MySql(replaced), new BackupRecord { Engine = DatabaseEngine.MySql }, [new TableStat { Name = "t" }],
                CreateDatabase: true, ScratchDatabase: db.NewName(), Jobs: 1), withoutToc, new Progress<OperationProgress>(), CancellationToken.None));
        foreach (var e in new[] { restore, replace })
        {
            Assert.Equal("MySqlPayloadIncomplete", e.ErrorId);
            Assert.Contains("'toc.json'", e.Message, StringComparison.Ordinal);
        }
        Assert.False(await db.ExistsAsync(restored));
        Assert.False(await db.ExistsAsync(replaced));
    }

    [MySqlFact]
    public async Task A_corrupted_data_file_fails_the_restore_and_drops_the_new_database()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY, v TEXT); INSERT INTO t SELECT seq, REPEAT('row', seq % 50) FROM seq_1_to_5000;");
        var (_, _, folder, files) = await db.DumpAsync();
        var data = Path.Combine(folder, files.Single(f => f.Name.StartsWith("data/", StringComparison.Ordinal)).Name);
        var bytes = await File.ReadAllBytesAsync(data);
        bytes[bytes.Length / 2] ^= 0x55;
        await File.WriteAllBytesAsync(data, bytes);
        var target = db.NewName();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => db.RestoreAsync(new Engine.Artifacts.PayloadReader(folder, files, CompressionKind.Gzip), target));
        Assert.True(e is DbBackupException or InvalidDataException, e.ToString());
        Assert.False(await db.ExistsAsync(target));
    }

    [MySqlFact]
    public async Task A_data_file_with_a_forged_value_is_refused_even_with_a_matching_checksum()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 2);");
        var (_, _, folder, files) = await db.DumpAsync();
        // Rewrite the payload uncompressed with an SQL injection attempt in an integer field.
        var source = new Engine.Artifacts.PayloadReader(folder, files, CompressionKind.Gzip);
        var forgedFolder = Path.Combine(folder, "forged");
        var writer = new Engine.Artifacts.PayloadWriter(forgedFolder, CompressionKind.None);
        foreach (var name in source.Names)
        {
            await using var input = source.Open(name);
            await using var output = writer.Create(name);
            if (name.StartsWith("data/", StringComparison.Ordinal))
                await output.WriteAsync("1\t2); DROP DATABASE mysql; --\n"u8.ToArray());
            else
                await input.CopyToAsync(output);
        }
        var target = db.NewName();
        var e = await Assert.ThrowsAsync<DbBackupException>(() => db.RestoreAsync(new Engine.Artifacts.PayloadReader(forgedFolder, writer.Files, CompressionKind.None), target));
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        Assert.False(await db.ExistsAsync(target));
    }

    [MySqlFact]
    public async Task A_value_larger_than_half_max_allowed_packet_round_trips_exactly()
    {
        // The client-tool path read values through HEX(), which doubles them and so refused (rightly,
        // rather than storing NULL) any value over half max_allowed_packet; the driver reads the bytes.
        await using var db = await MySqlTestDatabase.CreateAsync();
        var packet = long.Parse((await db.QueryAsync("SELECT @@max_allowed_packet"))[0][0]);
        await db.ExecAsync($"CREATE TABLE t (id INT PRIMARY KEY, b LONGBLOB); INSERT INTO t VALUES (1, REPEAT('x', {packet / 2 + 1000}));");
        var (reader, _, _, _) = await db.DumpAsync();
        var restored = await db.RestoreAsync(reader);
        var q = "SELECT LENGTH(b), MD5(b) FROM t";
        Assert.Equal((await db.QueryAsync(q))[0], (await db.QueryAsync(q, restored))[0]);
        Assert.Equal((packet / 2 + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), (await db.QueryAsync(q, restored))[0][0]);
    }

    [MySqlFact]
    public async Task Wrong_password_is_an_authentication_error_naming_the_user_but_not_the_password()
    {
        var target = TestServers.MySql() with { Password = "not-the-Secret-pw-4711" };
        var e = await Assert.ThrowsAsync<DbBackupException>(() => new MySqlProvider().ProbeAsync(target, CancellationToken.None));
        Assert.Equal(ErrorKind.AuthenticationError, e.Kind);
        Assert.Contains(target.UserName, e.Message, StringComparison.Ordinal);
        Assert.Contains(target.Server, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-Secret-pw-4711", e.ToString(), StringComparison.Ordinal);
    }

    [MySqlFact]
    public async Task An_unreachable_port_is_a_connection_error_naming_host_and_port()
    {
        var target = TestServers.MySql() with { Port = 1 };
        var e = await Assert.ThrowsAsync<DbBackupException>(() => new MySqlProvider().ProbeAsync(target, CancellationToken.None));
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Equal("MySqlConnectionFailed", e.ErrorId);
        Assert.Contains("Cannot connect", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{target.Server}:1", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(target.Password!, e.ToString(), StringComparison.Ordinal);
    }

    [MySqlFact]
    public async Task Cancelling_a_dump_stops_it_promptly()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(300)); INSERT INTO t SELECT seq, REPEAT(CHAR(65 + seq % 26), 250) FROM seq_1_to_400000;");
        using var cts = new CancellationTokenSource();
        var progressSeen = new TaskCompletionSource();
        var progress = new SyncProgress(p => { if (p.Phase == "Data" && p.BytesDone > 0) progressSeen.TrySetResult(); });
        var dump = db.DumpAsync(cancellationToken: cts.Token, progress: progress);
        await Task.WhenAny(progressSeen.Task, dump, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.False(dump.IsCompleted, "the dump finished before it could be cancelled");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dump);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {watch.Elapsed}");
        // No session of ours is still reading the table.
        await Task.Delay(500);
        var busy = await db.QueryAsync($"SELECT COUNT(*) FROM information_schema.processlist WHERE db IS NULL AND info LIKE '%FROM `{db.Name}`.`t`%' AND id <> CONNECTION_ID()");
        Assert.Equal("0", busy[0][0]);
    }

    [MySqlFact]
    public async Task A_dump_session_killed_on_the_server_is_reported_as_a_lost_connection_not_as_cannot_connect()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(300)); INSERT INTO t SELECT seq, REPEAT(CHAR(65 + seq % 26), 250) FROM seq_1_to_400000;");
        // On an idle machine the server may have sent every row before the kill lands; the dump then
        // rightly succeeds, and must hold every row. Up to three attempts catch the session mid-stream.
        for (var attempt = 1; ; attempt++)
        {
            var progressSeen = new TaskCompletionSource();
            var progress = new SyncProgress(p => { if (p.Phase == "Data" && p.BytesDone > 0) progressSeen.TrySetResult(); });
            var dump = db.DumpAsync(progress: progress);
            await Task.WhenAny(progressSeen.Task, dump, Task.Delay(TimeSpan.FromSeconds(60)));
            var sessions = dump.IsCompleted ? [] : await db.QueryAsync($"SELECT id FROM information_schema.processlist WHERE info LIKE '%FROM `{db.Name}`.`t`%' AND id <> CONNECTION_ID()");
            var killed = false;
            if (sessions.Count == 1)
            {
                try { await db.ExecAsync($"KILL CONNECTION {sessions[0][0]};"); killed = true; }
                catch (InvalidOperationException e) when (e.Message.Contains("Unknown thread id", StringComparison.Ordinal)) { }
            }
            DbBackupException? lost = null;
            try
            {
                var done = await dump;
                // Not interrupted in time: complete, never a silent truncation.
                Assert.Equal(400000, Assert.Single(done.Result.TableStats, t => t.Name == "t").Rows);
            }
            catch (DbBackupException e) { lost = e; }
            if (lost is not null)
            {
                Assert.True(killed, "the dump failed without its session being killed: " + lost.Message);
                Assert.Equal("MySqlConnectionLost", lost.ErrorId);
                Assert.Contains("was lost", lost.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("Cannot connect", lost.Message, StringComparison.Ordinal);
                // The driver's own words are kept.
                Assert.Contains("incomplete response", lost.Message, StringComparison.OrdinalIgnoreCase);
                return;
            }
            // Three dumps outran their kill (an idle machine): each held every row, which is what
            // matters most; the lost-connection wording is then left unexercised by this run.
            if (attempt == 3) return;
        }
    }

    [MySqlFact]
    public async Task A_restored_table_holding_other_than_the_recorded_rows_fails_naming_the_table()
    {
        await using var db = await MySqlTestDatabase.CreateAsync();
        await db.ExecAsync("CREATE TABLE t (id INT PRIMARY KEY); CREATE TABLE `u v` (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2); INSERT INTO `u v` VALUES (1), (2), (3);");
        MySqlTocTable[] recorded = [new() { Name = "t", Rows = 2 }, new() { Name = "u v", Rows = 4 }];
        var e = await Assert.ThrowsAsync<DbBackupException>(() => MySqlProvider.VerifyRestoredRowCountsAsync(db.Target, db.Name, recorded, CancellationToken.None));
        Assert.Equal("MySqlRestoredRowCountMismatch", e.ErrorId);
        Assert.Contains("'u v'", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 3 rows; the backup recorded 4", e.Message, StringComparison.Ordinal);
        recorded[1].Rows = 3;
        await MySqlProvider.VerifyRestoredRowCountsAsync(db.Target, db.Name, recorded, CancellationToken.None);
    }

    private sealed class SyncProgress(Action<OperationProgress> report) : IProgress<OperationProgress>
    {
        public void Report(OperationProgress value) => report(value);
    }
}
