using DbBackup.Engine.Policies;

namespace DbBackup.Tests.Policies;

/// <summary>The engines' own password stores, read as libpq and the MySQL client tools read them.</summary>
public sealed class PasswordFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dbbackup-pw-").FullName;

    private string File(string name, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void Pgpass_matches_as_libpq_does_with_escapes_wildcards_comments_and_the_first_match_winning()
    {
        var path = File("pgpass", string.Join("\n",
            "# comment line: 127.0.0.1:5432:*:app:not-this",
            @"db\:host:5432:*:app:colon\:pw",                 // an escaped ':' in the host
            "127.0.0.1:5432:sales:app:sales-pw",
            "127.0.0.1:*:*:app:first-wildcard",
            "127.0.0.1:5432:*:app:second-wildcard",
            @"127.0.0.1:5432:b\\s:app:back\\slash\:end",       // '\\' is one backslash, also in the password
            "localhost:5432:*:app:socket-pw",
            "*:*:*:other:*:with:colons",                        // the password is everything after the fourth ':'
            ""));
        Assert.Equal("colon:pw", PgPassFile.Find("db:host", 5432, "x", "app", path));
        Assert.Equal("sales-pw", PgPassFile.Find("127.0.0.1", 5432, "sales", "app", path));
        Assert.Equal("first-wildcard", PgPassFile.Find("127.0.0.1", 5432, "other", "app", path));
        Assert.Equal("first-wildcard", PgPassFile.Find("127.0.0.1", 5432, @"b\s", "app", path));
        Assert.Equal("socket-pw", PgPassFile.Find("/var/run/postgresql", 5432, "x", "app", path));
        Assert.Equal("*:with:colons", PgPassFile.Find("anywhere", 1, "x", "other", path));
        Assert.Null(PgPassFile.Find("127.0.0.2", 5432, "x", "app", path));
        Assert.Null(PgPassFile.Find("127.0.0.1", 5432, "x", "APP", path)); // user names compare exactly
    }

    [Fact]
    public void Pgpass_escaped_backslash_in_the_database_field_and_password_is_one_backslash()
    {
        var path = File("pgpass2", @"127.0.0.1:5432:b\\s:app:back\\slash\:end" + "\n");
        Assert.Equal(@"back\slash:end", PgPassFile.Find("127.0.0.1", 5432, @"b\s", "app", path));
    }

    [Fact]
    public void A_pgpass_readable_by_group_or_others_is_ignored_as_libpq_ignores_it()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = File("pgpass-open", "*:*:*:*:pw\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.Null(PgPassFile.Find("h", 5432, "d", "u", path));
    }

    [Fact]
    public void My_cnf_client_password_is_read_with_quotes_escapes_comments_groups_includes_and_the_last_value_winning()
    {
        var included = File("extra.cnf", "[client-mariadb]\npassword = 'from include # not a comment'\n");
        var first = File("first.cnf", "[client]\npassword=first\n");
        var second = File("second.cnf", string.Join("\n",
            "; a comment",
            "[mysqld]",
            "password = server-side-not-client",
            "[client]",
            "user = app",
            "password = \"with \\\"quotes\\\" and\\ttab\\s\"   # trailing comment",
            ""));
        Assert.Equal("with \"quotes\" and\ttab ", MySqlOptionFile.FindPassword([first, second]));
        Assert.Equal("first", MySqlOptionFile.FindPassword([first, Path.Combine(_folder, "missing.cnf")]));
        var withInclude = File("third.cnf", $"[client]\npassword=plain#comment\n!include {included}\n");
        Assert.Equal("from include # not a comment", MySqlOptionFile.FindPassword([withInclude]));
        Assert.Equal("plain", MySqlOptionFile.FindPassword([File("fourth.cnf", "[client]\npassword=plain#comment\n")]));
        Assert.Equal(@"unknown\qescape", MySqlOptionFile.FindPassword([File("fifth.cnf", "[client]\npassword=unknown\\qescape\n")]));
        Assert.Null(MySqlOptionFile.FindPassword([File("prompt.cnf", "[client]\npassword\n")]));
    }

    [Fact]
    public void A_world_writable_option_file_is_ignored_as_the_client_tools_ignore_it()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = File("open.cnf", "[client]\npassword=x\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        Assert.Null(MySqlOptionFile.FindPassword([path]));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
