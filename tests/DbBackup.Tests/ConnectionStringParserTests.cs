using DbBackup.Engine;
using DbBackup.Engine.Providers;
using DbBackup.Model;

namespace DbBackup.Tests;

public sealed class ConnectionStringParserTests
{
    [Theory]
    [InlineData("postgresql://app@db1.example.com:6543/sales", DatabaseEngine.PostgreSql, "db1.example.com", 6543, "app", "sales")]
    [InlineData("postgres://app@db1/sales", DatabaseEngine.PostgreSql, "db1", null, "app", "sales")]
    [InlineData("mysql://root@127.0.0.1:3307/shop", DatabaseEngine.MySql, "127.0.0.1", 3307, "root", "shop")]
    [InlineData("mariadb://db2/shop", DatabaseEngine.MySql, "db2", null, null, "shop")]
    [InlineData("postgresql://app@[::1]:5433/x", DatabaseEngine.PostgreSql, "::1", 5433, "app", "x")]
    [InlineData("postgresql://ad%40corp@h/my%20db", DatabaseEngine.PostgreSql, "h", null, "ad@corp", "my db")]
    [InlineData("postgresql://h", DatabaseEngine.PostgreSql, "h", null, null, null)]
    public void Uri_form_yields_engine_server_port_user_and_database(string text, DatabaseEngine engine, string server, int? port, string? user, string? database)
    {
        var parts = ConnectionStringParser.Parse(text);
        Assert.Equal(new ConnectionStringParts(engine, server, port, user, database), parts);
    }

    [Theory]
    [InlineData("Host=db1;Port=5433;Username=app;Database=sales", "db1", 5433, "app", "sales")]
    [InlineData("server = db1 ; user id = app ; initial catalog = sales", "db1", null, "app", "sales")]
    [InlineData("Host=db1;Database=\"a;b\"", "db1", null, null, "a;b")]
    public void Key_value_form_yields_its_parts_and_no_engine(string text, string server, int? port, string? user, string database)
    {
        var parts = ConnectionStringParser.Parse(text);
        Assert.Equal(new ConnectionStringParts(null, server, port, user, database), parts);
    }

    [Theory]
    [InlineData("postgresql://app:s3cr3t-Pw@db1/sales")]
    [InlineData("mysql://app:s3cr3t-Pw@db1:3306/shop")]
    [InlineData("postgresql://app@db1/sales?password=s3cr3t-Pw")]
    [InlineData("Host=db1;Username=app;Password=s3cr3t-Pw;Database=sales")]
    [InlineData("Host=db1;PWD=s3cr3t-Pw")]
    public void A_password_is_refused_and_never_repeated_in_the_message(string text)
    {
        var e = Assert.Throws<DbBackupException>(() => ConnectionStringParser.Parse(text));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("PasswordInConnectionString", e.ErrorId);
        Assert.DoesNotContain("s3cr3t-Pw", e.Message);
        Assert.Contains("-Credential", e.Message);
    }

    [Theory]
    [InlineData("oracle://u@h/db", "UnknownConnectionStringScheme", "postgresql://")]
    [InlineData("Host=h;Timeout=5", "UnknownConnectionStringKey", "timeout")]
    [InlineData("Host=h;Port=99999", "InvalidPort", "65535")]
    [InlineData("Host=h;Port=abc", "InvalidPort", "abc")]
    [InlineData("postgresql://u@h/db?sslmode=require", "UnsupportedConnectionStringOption", "'?'")]
    [InlineData("postgresql://u@h/db/extra", "InvalidConnectionString", "single database")]
    [InlineData("   ", "EmptyConnectionString", "postgresql://")]
    [InlineData("Host=h;=x", "InvalidConnectionString", "key=value")]
    public void A_bad_string_names_the_problem_and_what_is_accepted(string text, string errorId, string mentioned)
    {
        var e = Assert.Throws<DbBackupException>(() => ConnectionStringParser.Parse(text));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(mentioned, e.Message);
    }
}
