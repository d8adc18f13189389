using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Cli;

/// <summary>The CLI's exit-code contract for input the parser rejects: 2 (bad argument), never 1
/// ("the operation ended Failed"), with the problem on stderr and nothing on stdout.</summary>
public sealed class ParseErrorExitCodeTests
{
    [Theory]
    [InlineData("Unrecognized command or argument 'frob'", "frob")]
    [InlineData("Unrecognized command or argument '--bogus'", "list", "--bogus")]
    [InlineData("Option '--host' is required", "backup", "--engine", "postgresql", "--database", "d", "--user", "u")]
    [InlineData("Cannot parse argument 'x' for option '--first' as a whole number", "list", "--first", "x")]
    [InlineData("Required command was not provided")]
    public async Task Parser_errors_exit_2_with_the_problem_on_stderr(string expected, params string[] args)
    {
        var r = await CliRunner.RunAsync(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.StdOut);
        Assert.Contains("dbbackup: InvalidArgument: " + expected, r.StdErr);
        Assert.DoesNotContain("System.", r.StdErr);
        Assert.Contains("--help", r.StdErr);
    }

    [Theory]
    [InlineData("--password", "s3cr3t-pw")]
    [InlineData("--password=s3cr3t-pw")]
    public async Task A_password_on_the_command_line_is_never_echoed_and_the_error_says_how_to_give_one(params string[] password)
    {
        var r = await CliRunner.RunAsync(["backup", "--engine", "postgresql", "--host", "127.0.0.1", "--database", "d", "--user", "u", .. password]);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("s3cr3t-pw", r.StdErr + r.StdOut);
        Assert.Contains("dbbackup: InvalidArgument: Unrecognized command or argument", r.StdErr);
        Assert.Contains("PGPASSWORD", r.StdErr);
        Assert.Contains("--password-env NAME", r.StdErr);
    }

    [Fact]
    public async Task Help_still_exits_0()
    {
        var r = await CliRunner.RunAsync(["restore", "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--target-database", r.StdOut);
    }

    [Fact]
    public async Task Help_for_repository_names_the_object_storage_addresses_it_accepts()
    {
        var r = await CliRunner.RunAsync(["status", "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("s3://bucket/prefix", r.StdOut);
        Assert.Contains("azure://container/prefix", r.StdOut);
    }
}
