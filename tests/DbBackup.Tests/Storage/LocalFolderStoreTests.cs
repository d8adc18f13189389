using System.Text;
using DbBackup.Engine;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests.Storage;

/// <summary>What the local folder driver does beyond the common store contract: the on-disk form
/// older DbBackup versions write and read (modes, temp-file names, the record lock files), and
/// living beside an older writer's files.</summary>
public sealed class LocalFolderStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dbbackup-local-" + Guid.NewGuid().ToString("N")[..10]);

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_conditional_create_never_replaces_a_file_another_writer_made_and_writes_owner_only_files()
    {
        var store = new LocalFolderStore(_root);
        Directory.CreateDirectory(Path.Combine(_root, "locks"));
        // As an older DbBackup takes a lock: CreateNew, then the bytes.
        await File.WriteAllTextAsync(Path.Combine(_root, "locks", "pg-shop-1.lock"), "{\"OperationId\":\"old\"}");

        Assert.Null(await store.TryWriteAsync("locks/pg-shop-1.lock", Bytes("{\"OperationId\":\"new\"}"), WriteCondition.IfAbsent, CancellationToken.None));
        Assert.Equal("{\"OperationId\":\"old\"}", await File.ReadAllTextAsync(Path.Combine(_root, "locks", "pg-shop-1.lock")));

        Assert.NotNull(await store.TryWriteAsync("backups/bk-1/manifest.json", Bytes("{}"), WriteCondition.IfAbsent, CancellationToken.None));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "backups", "bk-1", "manifest.json")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_root, "backups", "bk-1")));
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "backups", "bk-1"), "*.tmp"));
    }

    [Fact]
    public async Task A_compare_and_swap_refuses_a_version_that_was_replaced_on_disk_and_takes_the_records_old_lock_file()
    {
        var store = new LocalFolderStore(_root);
        const string key = "restores/rs-20261126000000000-abcdef/record.json";
        var v1 = await store.TryWriteAsync(key, Bytes("one"), WriteCondition.None, CancellationToken.None);
        // Someone (an older DbBackup) rewrites the file by rename.
        await File.WriteAllTextAsync(store.PathOf(key), "two");

        Assert.Null(await store.TryWriteAsync(key, Bytes("three"), WriteCondition.IfVersion(v1!), CancellationToken.None));
        var now = await store.TryReadAsync(key, CancellationToken.None);
        Assert.Equal("two", Encoding.UTF8.GetString(now!.Content));
        Assert.NotNull(await store.TryWriteAsync(key, Bytes("three"), WriteCondition.IfVersion(now.Version), CancellationToken.None));
        // The lock is the very file older versions flock for this record.
        Assert.True(File.Exists(Path.Combine(_root, "locks", "records", "rs-20261126000000000-abcdef.lock")));
    }

    [Fact]
    public async Task A_listing_hides_temp_files_and_removes_those_whose_writer_is_long_gone()
    {
        var store = new LocalFolderStore(_root);
        await store.TryWriteAsync("backups/bk-1/manifest.json", Bytes("{}"), WriteCondition.None, CancellationToken.None);
        var folder = Path.Combine(_root, "backups", "bk-1");
        var dead = Path.Combine(folder, "manifest.json.999999.0badc0de.tmp");
        var live = Path.Combine(folder, $"manifest.json.{Environment.ProcessId}.12345678.tmp");
        await File.WriteAllTextAsync(dead, "half");
        File.SetLastWriteTimeUtc(dead, DateTime.UtcNow - SecureFiles.TempMaxAge - TimeSpan.FromMinutes(1));
        await File.WriteAllTextAsync(live, "being written");

        var keys = await store.ListAsync("backups/", CancellationToken.None).Select(e => e.Key).ToListAsync();

        Assert.Equal(["backups/bk-1/manifest.json"], keys);
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
    }

    [Fact]
    public async Task An_upload_is_invisible_until_committed_and_an_abandoned_one_leaves_nothing()
    {
        var store = new LocalFolderStore(_root);
        await using (var abandoned = await store.CreateAsync("backups/bk-1/payload/a.gz", CancellationToken.None))
        {
            abandoned.Write([1, 2, 3]);
            Assert.False(File.Exists(store.PathOf("backups/bk-1/payload/a.gz")));
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "backups", "bk-1", "payload")));

        await using (var upload = await store.CreateAsync("backups/bk-1/payload/b.gz", CancellationToken.None))
        {
            upload.Write([4, 5]);
            await upload.CommitAsync(CancellationToken.None);
        }
        Assert.Equal([4, 5], await File.ReadAllBytesAsync(store.PathOf("backups/bk-1/payload/b.gz")));
    }

    [Fact]
    public async Task Deleting_the_last_object_of_a_backup_removes_its_empty_folders_but_keeps_the_top_level_ones()
    {
        var store = new LocalFolderStore(_root);
        await store.TryWriteAsync("backups/bk-1/payload/data/0001.gz", Bytes("x"), WriteCondition.None, CancellationToken.None);
        Assert.True(await store.DeleteAsync("backups/bk-1/payload/data/0001.gz", null, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_root, "backups", "bk-1")));
        Assert.True(Directory.Exists(Path.Combine(_root, "backups")));
        Assert.False(await store.DeleteAsync("backups/bk-1/payload/data/0001.gz", null, CancellationToken.None));
    }

    [Fact]
    public async Task Deleting_a_folder_prefix_takes_an_upload_still_in_progress_with_it_and_leaves_the_rest()
    {
        IRepositoryStore store = new LocalFolderStore(_root);
        await store.TryWriteAsync("backups/bk-1/manifest.json", Bytes("{}"), WriteCondition.None, CancellationToken.None);
        await using var stopped = await store.CreateAsync("backups/bk-1/payload/data/0001.gz", CancellationToken.None);
        stopped.Write([1, 2, 3]);
        await stopped.FlushAsync();

        await store.DeletePrefixAsync("backups/bk-1/payload/", CancellationToken.None);

        Assert.Equal(["manifest.json"], Directory.EnumerateFileSystemEntries(Path.Combine(_root, "backups", "bk-1")).Select(Path.GetFileName));
        Assert.Equal(["bk-1"], await store.ListFoldersAsync("backups/", CancellationToken.None).ToListAsync());
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("backups//x")]
    [InlineData("backups\\x")]
    public async Task A_key_that_could_leave_the_repository_is_refused(string key)
    {
        var store = new LocalFolderStore(_root);
        var e = await Assert.ThrowsAsync<DbBackupException>(() => store.TryReadAsync(key, CancellationToken.None));
        Assert.Equal("InvalidStoreKey", e.ErrorId);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
