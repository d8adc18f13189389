using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>The whole lifecycle through the CLI with the repository in an object store, as a runbook
/// whose disk vanishes would use it: backup in a detached worker, list, restore, verify, remove; the
/// credentials only in the SDK's standard environment variables.</summary>
public abstract class ObjectStoreLifecycleTests : IDisposable
{
    private readonly List<string> _databases = [];

    /// <summary>False for a store that ignores conditional writes (s3rver): the tool then warns.</summary>
    protected abstract bool HonoursConditionalWrites { get; }

    /// <summary>A fresh repository address in the store.</summary>
    protected abstract Task<string> NewRepositoryAsync();

    /// <summary>The environment that reaches the store.</summary>
    protected abstract Dictionary<string, string?> StoreEnvironment();

    /// <summary>Every object key under <paramref name="prefix"/> of the repository (relative to the repository).</summary>
    protected abstract Task<List<string>> KeysAsync(string repository, string prefix);

    /// <summary>The secret part of the credential <see cref="StoreEnvironment"/> gives (a key, never an id).</summary>
    protected abstract string Secret { get; }

    [StoreFact]
    public async Task Backup_list_restore_verify_and_remove_work_with_the_repository_in_the_store()
    {
        var (db, repository, env, server) = await SetUpAsync("objstore", "CREATE TABLE t (id int PRIMARY KEY, v text, at timestamptz); INSERT INTO t SELECT g, md5(g::text), timestamptz '2026-01-01' + g * interval '1 hour' FROM generate_series(1, 5000) g;");

        var started = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--json"], env);
        Assert.True(started.ExitCode == 0, started.StdErr);
        var id = JsonDocument.Parse(started.StdOut).RootElement.GetProperty("Id").GetString()!;
        // A store that ignores conditional writes is found by the probe and said, never silently trusted.
        Assert.Equal(!HonoursConditionalWrites, started.StdErr.Contains("Cross-host locking is unavailable", StringComparison.Ordinal));
        if (!HonoursConditionalWrites)
        {
            // It names the store and says what it does instead, and what to do about it.
            Assert.Contains($"warning: Cross-host locking is unavailable on this store: {repository}/", started.StdErr, StringComparison.Ordinal);
            Assert.Contains("checks each lock there by reading it first", started.StdErr, StringComparison.Ordinal);
            Assert.Contains("Run the backups and restores of each database from one host", started.StdErr, StringComparison.Ordinal);
        }
        var waited = await CliRunner.RunAsync(["wait", "--id", id, "--json"], env);
        Assert.True(waited.ExitCode == 0, waited.StdErr + waited.StdOut);
        Assert.Equal("Succeeded", JsonDocument.Parse(waited.StdOut).RootElement.GetProperty("State").GetString());

        // The bytes are in the store, not on this disk.
        var keys = await KeysAsync(repository, $"backups/{id}/");
        Assert.Contains($"backups/{id}/manifest.json", keys);
        Assert.Contains(keys, k => k.StartsWith($"backups/{id}/payload/", StringComparison.Ordinal));

        var listed = await CliRunner.RunAsync(["list", "--database", db, "--json"], env);
        Assert.True(listed.ExitCode == 0, listed.StdErr);
        Assert.Contains(id, listed.StdOut);

        var copy = db + "_copy";
        _databases.Add(copy);
        var restored = await CliRunner.RunAsync(["restore", "--id", id, .. server, "--target-database", copy, "--wait", "--json"], env);
        Assert.True(restored.ExitCode == 0, restored.StdErr + restored.StdOut);
        const string rows = "SELECT string_agg(id || ':' || v || ':' || at, ',' ORDER BY id) FROM t";
        Assert.Equal(await TestSql.PgColumnAsync(db, rows), await TestSql.PgColumnAsync(copy, rows));

        var verified = await CliRunner.RunAsync(["verify", "--id", id, "--json"], env);
        Assert.True(verified.ExitCode == 0, verified.StdErr + verified.StdOut);
        Assert.True(JsonDocument.Parse(verified.StdOut).RootElement.GetProperty("Passed").GetBoolean());

        var removed = await CliRunner.RunAsync(["remove", "--id", id, "--force"], env);
        Assert.True(removed.ExitCode == 0, removed.StdErr);
        Assert.Empty(await KeysAsync(repository, $"backups/{id}/"));
    }

    // The stored object is written again with one byte changed, as bit rot or a tampering hand would:
    // verify names it, and a restore over an existing database fails before the swap, leaving it as it was.
    [StoreFact]
    public async Task A_payload_byte_flipped_in_the_store_fails_verify_and_restore_before_the_target_is_touched()
    {
        var (db, repository, env, server) = await SetUpAsync("objflip", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 5000) g;");
        var backedUp = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--wait", "--json"], env);
        Assert.True(backedUp.ExitCode == 0, backedUp.StdErr + backedUp.StdOut);
        var id = JsonDocument.Parse(backedUp.StdOut).RootElement.GetProperty("Id").GetString()!;
        await TestSql.PgExecAsync(db, "UPDATE t SET v = 'changed' WHERE id = 1");

        var store = OpenStore(repository, env);
        var payloadKeys = new List<(string Key, long Size)>();
        await foreach (var entry in store.ListAsync("", CancellationToken.None))
            if (entry.Key.Contains($"backups/{id}/payload/", StringComparison.Ordinal)) payloadKeys.Add((entry.Key, entry.Size));
        var largest = payloadKeys.OrderByDescending(k => k.Size).First().Key;
        byte[] bytes;
        await using (var read = await store.OpenReadAsync(largest, CancellationToken.None))
        using (var copy = new MemoryStream()) { await read.CopyToAsync(copy); bytes = copy.ToArray(); }
        bytes[bytes.Length / 2] ^= 0xFF;
        Assert.NotNull(await store.TryWriteAsync(largest, bytes, WriteCondition.None, CancellationToken.None));
        var fileName = largest[(largest.LastIndexOf('/') + 1)..];

        var verified = await CliRunner.RunAsync(["verify", "--id", id, "--json"], env);
        Assert.NotEqual(0, verified.ExitCode);
        Assert.Contains(fileName, verified.StdOut + verified.StdErr);

        var restored = await CliRunner.RunAsync(["restore", "--id", id, .. server, "--database", db, "--force", "--wait", "--json"], env);
        Assert.Equal(1, restored.ExitCode);
        Assert.Equal("Failed", JsonDocument.Parse(restored.StdOut).RootElement.GetProperty("State").GetString());
        Assert.Equal("5000", (await TestSql.PgColumnAsync(db, "SELECT count(*) FROM t")).Single());
        Assert.Equal("changed", (await TestSql.PgColumnAsync(db, "SELECT v FROM t WHERE id = 1")).Single());
        Assert.Empty(await TestSql.PgColumnAsync("postgres", $"SELECT datname FROM pg_database WHERE datname LIKE '{db}__restore%'"));
    }

    [StoreFact]
    public async Task A_second_start_on_a_running_target_is_refused_naming_it_and_a_killed_worker_ends_Failed_at_once_and_frees_the_target()
    {
        var (db, repository, env, server) = await SetUpAsync("objkill", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;");
        var pause = Directory.CreateTempSubdirectory("dbbackup-objkill-").FullName;
        try
        {
            string[] backup = ["backup", .. server, "--database", db, "--json"];
            var pausing = PausingAt(env, pause, "backup:data");

            var started = await CliRunner.RunAsync(backup, pausing);
            Assert.True(started.ExitCode == 0, started.StdErr);
            var id = JsonDocument.Parse(started.StdOut).RootElement.GetProperty("Id").GetString()!;
            var pid = await Hostile.PausingWorkers.ReachedAsync(pause, "backup:data");

            // Another process (in a runbook, on another host) starting the same target is refused, naming the running backup.
            var second = await CliRunner.RunAsync(backup, env);
            Assert.Equal(4, second.ExitCode);
            Assert.Contains("TargetBusy", second.StdErr, StringComparison.Ordinal);
            Assert.Contains(id, second.StdErr, StringComparison.Ordinal);

            // kill -9 mid-data: the worker ran in this pid space, so its death is seen at once (not after
            // the two-minute heartbeat age that judges workers on other hosts).
            await Hostile.PausingWorkers.KillAsync(pid);
            var status = await CliRunner.RunAsync(["status", "--id", id, "--json"], env);
            Assert.True(status.ExitCode is 0 or 1, status.StdErr);
            var record = JsonDocument.Parse(status.StdOut).RootElement;
            Assert.Equal("Failed", record.GetProperty("State").GetString());
            Assert.Contains($"process {pid}", record.GetProperty("StatusMessage").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(await KeysAsync(repository, $"backups/{id}/"), k => k.Contains("/payload/", StringComparison.Ordinal));

            // The target is free again: the next backup runs to the end.
            var next = await CliRunner.RunAsync([.. backup, "--wait"], env);
            Assert.True(next.ExitCode == 0, next.StdErr + next.StdOut);
            Assert.Equal("Succeeded", JsonDocument.Parse(next.StdOut).RootElement.GetProperty("State").GetString());
        }
        finally { Directory.Delete(pause, recursive: true); }
    }

    /// <summary>Uploads begun but never committed under <paramref name="prefix"/> that the store can show
    /// (Azure's uncommitted blocks); none where it cannot (s3rver has no ListMultipartUploads).</summary>
    protected virtual Task<List<string>> UncommittedAsync(string repository, string prefix) => Task.FromResult(new List<string>());

    [StoreFact]
    public async Task A_worker_killed_mid_upload_ends_Failed_leaves_no_object_of_its_payload_and_the_retry_succeeds()
    {
        // About 10 MB that does not compress: one payload file of several blocks (4 MiB) or parts (8 MiB).
        var db = await TestSql.PgCreateAsync("objmidup", "CREATE TABLE t (id int PRIMARY KEY, b bytea); INSERT INTO t SELECT g, decode(repeat(md5(random()::text), 1) || md5(random()::text) || md5(random()::text) || md5(random()::text), 'hex') || decode(md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text), 'hex') FROM generate_series(1, 160000) g;");
        _databases.Add(db);
        var repository = await NewRepositoryAsync();
        var pg = TestServers.Postgres();
        var pause = Directory.CreateTempSubdirectory("dbbackup-objmidup-").FullName;
        try
        {
            var env = StoreEnvironment();
            env["PGPASSWORD"] = pg.Password;
            env["DBBACKUP_REPOSITORY"] = repository;
            string[] backup = ["backup", "--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName, "--database", db, "--jobs", "1", "--json"];
            var started = await CliRunner.RunAsync(backup, new Dictionary<string, string?>(env) { [WorkerPausePoints.StepsVariable] = "upload:part-sent", [WorkerPausePoints.FolderVariable] = pause });
            Assert.True(started.ExitCode == 0, started.StdErr);
            var id = JsonDocument.Parse(started.StdOut).RootElement.GetProperty("Id").GetString()!;
            var marker = WorkerPausePoints.MarkerPath(pause, "upload:part-sent");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(marker) && sw.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(20);
            Assert.True(File.Exists(marker), "no part was ever sent");
            var pid = int.Parse(await File.ReadAllTextAsync(marker), System.Globalization.CultureInfo.InvariantCulture);
            await Hostile.PausingWorkers.KillAsync(pid);

            var status = await CliRunner.RunAsync(["status", "--id", id, "--json"], env);
            var record = JsonDocument.Parse(status.StdOut).RootElement;
            Assert.Equal("Failed", record.GetProperty("State").GetString());
            Assert.Contains($"process {pid}", record.GetProperty("StatusMessage").GetString(), StringComparison.Ordinal);
            Assert.Equal([$"backups/{id}/manifest.json"], await KeysAsync(repository, $"backups/{id}/"));
            Assert.Empty(await UncommittedAsync(repository, $"backups/{id}/"));
            var listed = await CliRunner.RunAsync(["list", "--json"], env);
            Assert.Equal("Failed", JsonDocument.Parse(listed.StdOut).RootElement.GetProperty("Items").EnumerateArray().Single(i => i.GetProperty("Id").GetString() == id).GetProperty("State").GetString());

            var retry = await CliRunner.RunAsync([.. backup, "--wait"], env);
            Assert.True(retry.ExitCode == 0, retry.StdErr + retry.StdOut);
            var removed = await CliRunner.RunAsync(["remove", "--id", id, "--force"], env);
            Assert.True(removed.ExitCode == 0, removed.StdErr);
            Assert.Empty(await KeysAsync(repository, $"backups/{id}/"));
            Assert.Empty(await UncommittedAsync(repository, $"backups/{id}/"));
        }
        finally { Directory.Delete(pause, recursive: true); }
    }

    [StoreFact]
    public async Task The_store_credential_is_in_no_stored_object_output_or_worker_command_line()
    {
        var (db, repository, env, server) = await SetUpAsync("objsecret", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;");
        var pause = Directory.CreateTempSubdirectory("dbbackup-objsecret-").FullName;
        try
        {
            var outputs = new List<string>();

            // The detached worker, held mid-data: its command line and its client tools' carry no credential.
            var pausing = PausingAt(env, pause, "backup:data");
            var started = await CliRunner.RunAsync(["backup", .. server, "--database", db, "--json", "--note", "secret test"], pausing);
            Assert.True(started.ExitCode == 0, started.StdErr);
            outputs.Add(started.StdOut + started.StdErr);
            var id = JsonDocument.Parse(started.StdOut).RootElement.GetProperty("Id").GetString()!;
            var worker = await Hostile.PausingWorkers.ReachedAsync(pause, "backup:data");
            var commandLines = ProcessTree.CommandLines(worker);
            Assert.Contains(commandLines, c => c.Contains(" worker ", StringComparison.Ordinal));
            File.Delete(WorkerPausePoints.MarkerPath(pause, "backup:data"));

            _databases.Add(db + "_copy");
            string[][] commands =
            [
                ["wait", "--id", id, "--json"], ["list", "--json"], ["verify", "--id", id, "--json"], ["log", "--json"],
                ["restore", "--id", id, .. server, "--target-database", db + "_copy", "--wait", "--json"],
                // A refusal's message names the repository, never the credential.
                ["remove", "--id", "bk-20200101000000000-000000", "--force"],
            ];
            foreach (var args in commands)
            {
                var run = await CliRunner.RunAsync(args, env);
                outputs.Add(run.StdOut + run.StdErr);
            }
            Assert.Contains("Succeeded", outputs[1], StringComparison.Ordinal);

            Assert.DoesNotContain(commandLines, c => c.Contains(Secret, StringComparison.Ordinal));
            Assert.DoesNotContain(outputs, o => o.Contains(Secret, StringComparison.Ordinal));
            // Every byte the tool stored: records, manifests, locks, the activity log, the catalog, payload.
            var store = OpenStore(repository, env);
            var secret = System.Text.Encoding.UTF8.GetBytes(Secret);
            var read = 0;
            await foreach (var entry in store.ListAsync("", CancellationToken.None))
            {
                await using var stream = await store.OpenReadAsync(entry.Key, CancellationToken.None);
                using var bytes = new MemoryStream();
                await stream.CopyToAsync(bytes);
                Assert.True(bytes.ToArray().AsSpan().IndexOf(secret) < 0, $"the credential is in {entry.Key}");
                read++;
            }
            Assert.True(read >= 8, $"only {read} objects were read");
        }
        finally { Directory.Delete(pause, recursive: true); }
    }

    /// <summary>What every test here starts from: a PostgreSQL database of its own (dropped on dispose), a fresh
    /// repository in the store, the environment that reaches both, and the CLI's options naming the server.</summary>
    private async Task<(string Db, string Repository, Dictionary<string, string?> Env, string[] Server)> SetUpAsync(string prefix, string sql)
    {
        var db = await TestSql.PgCreateAsync(prefix, sql);
        _databases.Add(db);
        var repository = await NewRepositoryAsync();
        var pg = TestServers.Postgres();
        var env = StoreEnvironment();
        env["PGPASSWORD"] = pg.Password;
        env["DBBACKUP_REPOSITORY"] = repository;
        return (db, repository, env, ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName]);
    }

    /// <summary><paramref name="env"/> with detached workers pausing at <paramref name="step"/>, their markers in <paramref name="folder"/>.</summary>
    private static Dictionary<string, string?> PausingAt(Dictionary<string, string?> env, string folder, string step)
        => new(env) { [WorkerPausePoints.StepsVariable] = step, [WorkerPausePoints.FolderVariable] = folder };

    /// <summary>The repository's store, opened with the credentials of the test's environment only.</summary>
    private static IRepositoryStore OpenStore(string repository, Dictionary<string, string?> env)
        => StoreFactory.Open(RepositoryAddress.Parse(repository), name => env.GetValueOrDefault(name));

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The lifecycle with the repository in Azure Blob (Azurite), through an azure:// address and
/// AZURE_STORAGE_CONNECTION_STRING.</summary>
public sealed class AzureLifecycleTests : ObjectStoreLifecycleTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private const string Container = "lifecycle";

    protected override bool HonoursConditionalWrites => true;

    protected override async Task<string> NewRepositoryAsync()
    {
        await new BlobContainerClient(Azurite.ConnectionString, Container).CreateIfNotExistsAsync();
        return $"azure://{Container}/{Guid.NewGuid():N}";
    }

    protected override Dictionary<string, string?> StoreEnvironment() => Azurite.RepositoryEnvironment();

    protected override Task<List<string>> KeysAsync(string repository, string prefix) => Azurite.RepositoryKeysAsync(Container, repository, prefix);

    protected override async Task<List<string>> UncommittedAsync(string repository, string prefix)
    {
        var root = repository[$"azure://{Container}/".Length..] + "/";
        var names = new List<string>();
        // BlobStates.Uncommitted lists committed blobs too; a blob with only uncommitted blocks has no committed length.
        var committed = (await KeysAsync(repository, prefix)).Select(k => root + k).ToHashSet();
        await foreach (var b in new BlobContainerClient(Azurite.ConnectionString, Container).GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, root + prefix, CancellationToken.None))
            if (!committed.Contains(b.Name)) names.Add(b.Name[root.Length..]);
        return names;
    }

    protected override string Secret => Azurite.Key;
}

/// <summary>The lifecycle with the repository in S3 (s3rver), through an s3:// address and the AWS
/// environment variables (AWS_ENDPOINT_URL_S3 for the emulator).</summary>
public sealed class S3LifecycleTests : ObjectStoreLifecycleTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    private const string Bucket = "lifecycle";

    protected override bool HonoursConditionalWrites => false;

    protected override async Task<string> NewRepositoryAsync()
    {
        await S3StoreContractTests.CreateBucketAsync(Bucket);
        return $"s3://{Bucket}/{Guid.NewGuid():N}";
    }

    protected override Dictionary<string, string?> StoreEnvironment() => S3rver.RepositoryEnvironment();

    protected override Task<List<string>> KeysAsync(string repository, string prefix) => S3rver.RepositoryKeysAsync(Bucket, repository, prefix);

    protected override string Secret => S3rver.SecretAccessKey;
}

/// <summary>An address the tool does not understand is refused, never taken as a relative folder (it
/// once silently created a local 'azure:' folder and the user believed the backup was off the machine).</summary>
public sealed class RepositoryAddressCliTests : IDisposable
{
    private readonly string _workDir = Path.Combine(Path.GetTempPath(), "dbbackup-address-" + Guid.NewGuid().ToString("N")[..8]);

    [Theory]
    [InlineData("azur://backups/x")]
    [InlineData("gs://bucket/prefix")]
    [InlineData("azure:backups")]
    [InlineData("ftp://host/backups")]
    public async Task An_address_the_tool_does_not_understand_is_refused_and_creates_no_folder(string address)
    {
        Directory.CreateDirectory(_workDir);
        var source = Path.Combine(_workDir, "source");
        Directory.CreateDirectory(source);
        var pg = TestServers.Postgres();
        // As --repository, as DBBACKUP_REPOSITORY (for a read and for a backup, which would write), and as a copy's --to.
        var runs = new[]
        {
            await CliRunner.RunAsync(["list", "--repository", address, "--json"], new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = null }, workingDirectory: _workDir),
            await CliRunner.RunAsync(["list", "--json"], new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = address }, workingDirectory: _workDir),
            await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName, "--database", "postgres"],
                new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = address, ["PGPASSWORD"] = pg.Password }, workingDirectory: _workDir),
            await CliRunner.RunAsync(["copy", "--id", "bk-20260101000000000-abcdef", "--to", address], new Dictionary<string, string?> { ["DBBACKUP_REPOSITORY"] = source }, workingDirectory: _workDir),
        };
        foreach (var run in runs)
        {
            Assert.True(run.ExitCode == 2, run.StdErr);
            Assert.Contains("RepositoryAddressInvalid", run.StdErr);
            Assert.Contains(address, run.StdErr);
        }
        Assert.Equal([source], Directory.EnumerateFileSystemEntries(_workDir));
        Assert.Empty(Directory.EnumerateFileSystemEntries(source));
    }

    public void Dispose()
    {
        try { Directory.Delete(_workDir, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
