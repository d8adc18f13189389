using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DbBackup.Engine.Operations;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

namespace DbBackup.Tests.Storage;

/// <summary>The stored form of the catalog snapshot: format 2 (shared targets, one short row per entry)
/// holds exactly what the manifests say, a snapshot of the first format is still read and then rewritten,
/// and a format-2 snapshot whose rows are wrong (even under a matching hash) is rebuilt, never believed.</summary>
public sealed class CatalogFormatTests
{
    private const string SnapshotKey = "catalog/backups.json";

    private static (SpyStore Spy, BackupRepository Repo) Seeded(int count)
    {
        var spy = new SpyStore(new InMemoryStore());
        var repo = new BackupRepository(spy);
        for (var i = 0; i < count; i++) Assert.True(repo.WriteBackup(CatalogTests.NewBackup(i, i % 2 == 0 ? "shop" : "crm")));
        return (spy, repo);
    }

    private static byte[] Snapshot(IRepositoryStore store) => StoreSync.Run(() => store.TryReadAsync(SnapshotKey, CancellationToken.None))!.Content;

    private static void Put(IRepositoryStore store, byte[] bytes)
        => StoreSync.Run(() => store.TryWriteAsync(SnapshotKey, bytes, WriteCondition.None, CancellationToken.None));

    /// <summary>A snapshot with this body and a header that matches it (format, count, hash).</summary>
    private static byte[] WithHeader(int format, int count, byte[] body)
        => [.. Encoding.UTF8.GetBytes($"{{\"Format\":{format},\"Count\":{count},\"Sha256\":\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"}}\n"), .. body];

    private static string FirstLine(byte[] snapshot) => Encoding.UTF8.GetString(snapshot, 0, Array.IndexOf(snapshot, (byte)'\n'));

    [Fact]
    public void Every_field_of_backup_and_restore_entries_survives_the_snapshot_as_the_manifests_give_it()
    {
        var at = new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.FromHours(2));
        var held = CatalogTests.NewBackup(1);
        held.Hold = true;
        held.RetainedAs = ["daily", "weekly"];
        held.Policy = "nightly";
        held.Labels["team"] = "a=b \"quoted\"\n";
        var safety = CatalogTests.NewBackup(2, "crm", OperationState.Failed);
        safety.Kind = BackupKind.SafetyBeforeRestore;
        safety.CreatedAt = at;
        safety.Labels.Clear();
        var running = CatalogTests.NewBackup(3, "shop", OperationState.Running);
        var restore = new RestoreRecord
        {
            Id = Ids.NewRestoreId(at), Engine = DatabaseEngine.MySql, Server = "db2", Port = 3306, Database = "copy", State = OperationState.Cancelled,
            CreatedAt = at, BackupId = held.Id, SourceDatabase = "shop", Revision = 7,
        };
        var entries = new OperationRecord[] { held, safety, running, restore }.Select(CatalogEntry.From).ToList();

        var parsed = CatalogFile.TryRead(CatalogFile.Serialize(entries));

        Assert.NotNull(parsed);
        Assert.False(parsed.Outdated);
        Assert.Equal(entries.Select(Engine.Repository.Json.Write), parsed.Entries.Select(Engine.Repository.Json.Write));
        Assert.Equal(at, parsed.Entries[1].CreatedAt);
        Assert.Equal(at.Offset, parsed.Entries[1].CreatedAt.Offset);
    }

    [Fact]
    public void A_snapshot_of_the_first_format_is_read_as_it_is_without_reading_every_manifest_and_then_rewritten_in_the_current_one()
    {
        var (spy, repo) = Seeded(12);
        var engine = CatalogTests.EngineOver(repo);
        engine.ListBackups(new BackupQuery());
        var entries = CatalogFile.TryParse(Snapshot(spy))!;
        // As the first catalog wrote it: a header of format 1, then one JSON array of whole entries.
        Put(spy, WithHeader(1, entries.Count, JsonSerializer.SerializeToUtf8Bytes(entries, CatalogJsonContext.Default.ListCatalogEntry)));
        spy.Reads.Clear();

        var page = engine.ListBackups(new BackupQuery { First = 3 });

        Assert.Equal(3, spy.ManifestReads); // the page's, not all twelve: the old snapshot was trusted
        Assert.Equal(CatalogTests.FullRead(repo).Take(3), page.Items.Select(Engine.Repository.Json.Write));
        Assert.Equal(12, page.TotalCount);
        var rewritten = Snapshot(spy);
        Assert.Contains("\"Format\":2", FirstLine(rewritten));
        Assert.Equal(entries.Select(Engine.Repository.Json.Write), CatalogFile.TryParse(rewritten)!.Select(Engine.Repository.Json.Write));
    }

    [Fact]
    public void A_list_then_its_unreadable_backups_lists_the_folders_once_and_a_removal_since_is_seen()
    {
        var (spy, repo) = Seeded(6);
        var engine = CatalogTests.EngineOver(repo);
        var damaged = CatalogTests.NewBackup(50); // copied in by hand, damaged on the way: no entry, so read
        StoreSync.Run(() => spy.TryWriteAsync($"backups/{damaged.Id}/manifest.json", "{\"Id\": 1"u8.ToArray(), WriteCondition.None, CancellationToken.None));
        var before = spy.FolderListings;

        Assert.Equal(6, engine.ListBackups(new BackupQuery()).TotalCount);
        Assert.Contains(damaged.Id, Assert.Single(repo.DescribeUnreadableBackups()));
        Assert.Equal(1, spy.FolderListings - before);

        StoreSync.Run(() => engine.RemoveAsync(damaged.Id, force: true, CancellationToken.None));
        Assert.Empty(repo.DescribeUnreadableBackups());
    }

    [Theory]
    [InlineData("a row pointing at a target that is not there", "\"Succeeded\",0,", "\"Succeeded\",99,")]
    [InlineData("a state this build does not know", "\"Succeeded\"", "\"Sleeping\"")]
    [InlineData("a creation time that is not a time", "\"2026-01-01T00:", "\"yesterday")]
    [InlineData("an unsafe id", "[\"bk-", "[\"../bk-")]
    [InlineData("no targets", "{\"Targets\":", "{\"Other\":")]
    public void A_format_2_snapshot_whose_rows_are_wrong_under_a_matching_hash_is_rebuilt_from_the_manifests(string damage, string find, string replace)
    {
        var (spy, repo) = Seeded(12);
        var engine = CatalogTests.EngineOver(repo);
        engine.ListBackups(new BackupQuery());
        var snapshot = Snapshot(spy);
        var body = Encoding.UTF8.GetString(snapshot, Array.IndexOf(snapshot, (byte)'\n') + 1, snapshot.Length - Array.IndexOf(snapshot, (byte)'\n') - 1);
        var index = body.IndexOf(find, StringComparison.Ordinal);
        Assert.True(index >= 0, damage);
        Put(spy, WithHeader(2, 12, Encoding.UTF8.GetBytes(body[..index] + replace + body[(index + find.Length)..])));
        var expected = CatalogTests.FullRead(repo);
        spy.Reads.Clear();

        Assert.Equal(expected, engine.ListBackups(new BackupQuery()).Items.Select(Engine.Repository.Json.Write));

        Assert.Equal(12, spy.ManifestReads); // every manifest: nothing in the damaged snapshot was believed
        var rebuilt = CatalogFile.TryRead(Snapshot(spy));
        Assert.NotNull(rebuilt);
        Assert.Equal(repo.ReadAllBackups().Select(CatalogEntry.From).OrderBy(e => e.Id, StringComparer.Ordinal).Select(Engine.Repository.Json.Write),
            rebuilt.Entries.Select(Engine.Repository.Json.Write));
    }
}
