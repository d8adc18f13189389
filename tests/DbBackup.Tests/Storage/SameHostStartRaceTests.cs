using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Blobs;
using DbBackup.Engine.Operations;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>Two starts of one target from two processes on this host at the same instant. s3rver ignores
/// If-None-Match, so both used to read "no lock", both create the lock object and both run (once in
/// three rounds). The first start is held, with this host's lock of the lock object taken, before it
/// reads or writes it; the second must then wait for that host lock, never reach the object meanwhile,
/// and be refused once the first holds the target.</summary>
public abstract class SameHostStartRaceTests : IDisposable
{
    private readonly string _pause = Directory.CreateTempSubdirectory("dbbackup-race-").FullName;
    private readonly List<string> _databases = [];

    /// <summary>A fresh repository address in the store.</summary>
    protected abstract Task<string> NewRepositoryAsync();

    /// <summary>The environment that reaches the store.</summary>
    protected abstract Dictionary<string, string?> StoreEnvironment();

    [StoreFact]
    public async Task A_second_start_on_this_host_waits_for_the_first_to_take_the_target_lock_and_is_refused()
    {
        var db = await TestSql.PgCreateAsync("samehost", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100);");
        _databases.Add(db);
        var pg = TestServers.Postgres();
        var env = StoreEnvironment();
        env["PGPASSWORD"] = pg.Password;
        env["DBBACKUP_REPOSITORY"] = await NewRepositoryAsync();
        string[] backup = ["backup", "--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName, "--database", db, "--json"];
        // The repository exists first, so a start locks before it connects (as every start after the first).
        Assert.Equal(0, (await CliRunner.RunAsync(["repository", "set", "--keep-last", "5"], env)).ExitCode);

        var first = CliRunner.RunAsync(backup, new Dictionary<string, string?>(env) { [WorkerPausePoints.StepsVariable] = "lock:taking", [WorkerPausePoints.FolderVariable] = _pause });
        var firstHeld = WorkerPausePoints.MarkerPath(_pause, "lock:taking");
        await UntilAsync(() => File.Exists(firstHeld) || first.IsCompleted);
        Assert.True(File.Exists(firstHeld), "the first start never reached the lock");

        var secondPause = Path.Combine(_pause, "second");
        Directory.CreateDirectory(secondPause);
        var second = CliRunner.RunAsync(backup, new Dictionary<string, string?>(env) { [WorkerPausePoints.StepsVariable] = "lock:host-wait,lock:taking", [WorkerPausePoints.FolderVariable] = secondPause });
        var secondWaits = WorkerPausePoints.MarkerPath(secondPause, "lock:host-wait");
        var secondInside = WorkerPausePoints.MarkerPath(secondPause, "lock:taking");
        await UntilAsync(() => File.Exists(secondWaits) || File.Exists(secondInside) || second.IsCompleted);
        Assert.False(second.IsCompleted, "the second start ran while the first was taking the lock: " + (second.IsCompleted ? second.Result.StdOut + second.Result.StdErr : ""));
        Assert.False(File.Exists(secondInside), "the second start reached the lock object while the first was taking it");
        Assert.True(File.Exists(secondWaits));

        File.Delete(secondWaits);
        File.Delete(firstHeld);
        var won = await first;
        Assert.True(won.ExitCode == 0, won.StdErr + won.StdOut);
        var id = JsonDocument.Parse(won.StdOut).RootElement.GetProperty("Id").GetString()!;
        // Released from the host lock, the second reads the first one's lock object and is refused naming it.
        await UntilAsync(() => File.Exists(secondInside) || second.IsCompleted);
        if (File.Exists(secondInside)) File.Delete(secondInside);
        var lost = await second;
        Assert.True(lost.ExitCode == 4, lost.StdErr + lost.StdOut);
        Assert.Contains("TargetBusy", lost.StdErr, StringComparison.Ordinal);
        Assert.Contains(id, lost.StdErr, StringComparison.Ordinal);

        var waited = await CliRunner.RunAsync(["wait", "--id", id, "--json"], env);
        Assert.True(waited.ExitCode == 0, waited.StdErr + waited.StdOut);
        var list = await CliRunner.RunAsync(["list", "--json"], env);
        Assert.Equal([id], JsonDocument.Parse(list.StdOut).RootElement.GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()));
    }

    /// <summary>Polls <paramref name="done"/> every 20 ms, 90 s at most.</summary>
    private static async Task UntilAsync(Func<bool> done)
    {
        var sw = Stopwatch.StartNew();
        while (!done() && sw.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(20);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        Directory.Delete(_pause, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary><see cref="SameHostStartRaceTests"/> on s3rver, which ignores If-None-Match.</summary>
public sealed class S3SameHostStartRaceTests : SameHostStartRaceTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => S3rver.SkipReason;

    protected override Task<string> NewRepositoryAsync() => S3rver.NewRepositoryAsync();

    protected override Dictionary<string, string?> StoreEnvironment() => S3rver.RepositoryEnvironment();
}

/// <summary><see cref="SameHostStartRaceTests"/> on Azurite (If-None-Match honoured: the host lock changes nothing there but order).</summary>
public sealed class AzureSameHostStartRaceTests : SameHostStartRaceTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    protected override Task<string> NewRepositoryAsync() => Azurite.NewRepositoryAsync();

    protected override Dictionary<string, string?> StoreEnvironment() => Azurite.RepositoryEnvironment();
}
