using System.Diagnostics;
using System.Text.Json;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>A local repository shared through a group (the README's "Shared local repository"): its root
/// has the setgid bit, so everything the tool creates in it carries the root's group bits (2750 folders
/// and 0640 files for readers, 2770 and 0660 for writers) whatever the umask. A group reader, run as
/// another uid with setpriv, lists, verifies and downloads, and its backup and remove are refused as
/// StoreAccessDenied (exit 5) with the repository untouched; group writers back up and remove each
/// other's backups. Needs root (to run as other users).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SharedRepositoryTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("dbbackup-shared-").FullName;
    private readonly List<string> _databases = [];
    // Ids no account here uses: the group exists only as a number on the files, as setpriv allows.
    private readonly int _group = 47_000 + Random.Shared.Next(1000);
    private int Reader => _group + 1000;
    private int Writer => _group + 2000;

    [RootPostgresFact]
    public async Task A_group_reader_of_a_2750_repository_lists_verifies_and_saves_and_is_refused_backup_and_remove_with_nothing_changed()
    {
        var db = await NewDatabaseAsync();
        var repository = SharedRoot("readers", "2750");
        var id = await BackupAsync(repository, db, uid: null);
        AssertModes(repository, folder: "2750", file: "640");
        var before = Snapshot(repository);

        var listed = await RunAsync(Reader, repository, ["list", "--json"]);
        Assert.True(listed.ExitCode == 0, listed.StdErr);
        Assert.Contains(id, listed.StdOut);
        var verified = await RunAsync(Reader, repository, ["verify", "--id", id, "--json"]);
        Assert.True(verified.ExitCode == 0 && JsonDocument.Parse(verified.StdOut).RootElement.GetProperty("Passed").GetBoolean(), verified.StdErr + verified.StdOut);
        var bundle = Path.Combine(ReaderHome(), "download.dbbackup");
        var saved = await RunAsync(Reader, repository, ["save", "--id", id, "--path", bundle]);
        Assert.True(saved.ExitCode == 0 && File.Exists(bundle), saved.StdErr);

        var backup = await RunAsync(Reader, repository, ["backup", .. Server(), "--database", db]);
        Assert.True(backup.ExitCode == 5, backup.StdErr);
        Assert.StartsWith("dbbackup: StoreAccessDenied: ", backup.StdErr, StringComparison.Ordinal);
        Assert.Contains("may not write", backup.StdErr, StringComparison.Ordinal);
        var remove = await RunAsync(Reader, repository, ["remove", "--id", id, "--force"]);
        Assert.True(remove.ExitCode == 5, remove.StdErr);
        Assert.Contains("may not delete", remove.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(repository));
    }

    [RootPostgresFact]
    public async Task Group_writers_of_a_2770_repository_back_up_into_it_and_remove_each_others_backups()
    {
        var db = await NewDatabaseAsync();
        var repository = SharedRoot("writers", "2770");
        var owners = await BackupAsync(repository, db, uid: null);
        var writers = await BackupAsync(repository, db, uid: Writer);
        AssertModes(repository, folder: "2770", file: "660");

        var removeOwners = await RunAsync(Writer, repository, ["remove", "--id", owners, "--force"]);
        Assert.True(removeOwners.ExitCode == 0, removeOwners.StdErr);
        var removeWriters = await CliRunner.RunAsync(["remove", "--id", writers, "--force", "--repository", repository]);
        Assert.True(removeWriters.ExitCode == 0, removeWriters.StdErr);
        Assert.Empty(Directory.GetDirectories(Path.Combine(repository, "backups")));
    }

    private async Task<string> NewDatabaseAsync()
    {
        var db = await TestSql.PgCreateAsync("shared", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 100) g;");
        _databases.Add(db);
        return db;
    }

    /// <summary>An empty repository root owned by root, group <see cref="_group"/>, with <paramref name="mode"/>.</summary>
    private string SharedRoot(string name, string mode)
    {
        var root = Path.Combine(_scratch, name);
        Directory.CreateDirectory(root);
        Run("chgrp", _group.ToString(), root);
        Run("chmod", mode, root);
        Run("chmod", "0755", _scratch);
        return root;
    }

    /// <summary>A backup with --wait, as root (<paramref name="uid"/> null) or as a group member.</summary>
    private async Task<string> BackupAsync(string repository, string db, int? uid)
    {
        var result = uid is { } u
            ? await RunAsync(u, repository, ["backup", .. Server(), "--database", db, "--wait", "--json"])
            : await CliRunner.RunAsync(["backup", .. Server(), "--database", db, "--wait", "--json", "--repository", repository], new Dictionary<string, string?> { ["PGPASSWORD"] = TestServers.Postgres().Password });
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        return JsonDocument.Parse(result.StdOut).RootElement.GetProperty("Id").GetString()!;
    }

    /// <summary>Every folder has <paramref name="folder"/> and every file <paramref name="file"/> (octal), and the root's group.</summary>
    private void AssertModes(string repository, string folder, string file)
    {
        var wrong = Directory.GetDirectories(repository, "*", SearchOption.AllDirectories).Append(repository).Where(d => Octal(d) != folder)
            .Concat(Directory.GetFiles(repository, "*", SearchOption.AllDirectories).Where(f => Octal(f) != file))
            .Select(p => $"{Path.GetRelativePath(repository, p)} is {Octal(p)}").ToList();
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
        var groups = Run("stat", ["-c", "%g", .. Directory.GetFileSystemEntries(repository, "*", SearchOption.AllDirectories)]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct();
        Assert.Equal([_group.ToString()], groups);
    }

    private static string Octal(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

    /// <summary>Every path with its size and modification time: what "nothing changed" compares.</summary>
    private static List<string> Snapshot(string repository) => Directory.GetFileSystemEntries(repository, "*", SearchOption.AllDirectories)
        .Select(p => $"{Path.GetRelativePath(repository, p)} {(File.Exists(p) ? new FileInfo(p).Length : 0)} {File.GetLastWriteTimeUtc(p):O}").Order(StringComparer.Ordinal).ToList();

    private string ReaderHome()
    {
        var home = Path.Combine(_scratch, "home-" + Reader);
        Directory.CreateDirectory(home);
        Run("chown", $"{Reader}:{_group}", home);
        return home;
    }

    /// <summary>The CLI as uid <paramref name="uid"/> in group <see cref="_group"/> only (setpriv; no account needed).</summary>
    private async Task<CliRunner.Result> RunAsync(int uid, string repository, string[] args)
    {
        var home = uid == Reader ? ReaderHome() : Path.Combine(_scratch, "home-" + uid);
        Directory.CreateDirectory(home);
        Run("chown", $"{uid}:{_group}", home);
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { $"--reuid={uid}", $"--regid={_group}", "--clear-groups", "dotnet", TestRepository.CliDll }.Concat(args).Concat(["--repository", repository]))
            psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = home;
        psi.Environment["DOTNET_CLI_HOME"] = home;
        psi.Environment["PGPASSWORD"] = TestServers.Postgres().Password;
        psi.Environment.Remove("DBBACKUP_REPOSITORY");
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        return new CliRunner.Result(p.ExitCode, await o, await e);
    }

    private static string Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
        return output;
    }

    private static string[] Server()
    {
        var pg = TestServers.Postgres();
        return ["--engine", "postgresql", "--host", pg.Server, "--port", pg.Port.ToString(), "--user", pg.UserName];
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
