using DbBackup.Engine.Providers;
using DbBackup.Engine.Repository;
using DbBackup.Model;

namespace DbBackup.Tests;

/// <summary>One server under its loopback spellings: filters, status and the target lock agree, so two
/// operations on one database cannot both run because they spelled the host differently.</summary>
public sealed class ServerNamesTests
{
    [Theory]
    [InlineData("localhost", "127.0.0.1")]
    [InlineData("LOCALHOST.", "::1")]
    [InlineData("[::1]", "localhost")]
    [InlineData("Db1.Example.COM", "db1.example.com.")]
    public void Spellings_of_one_server_are_the_same_server_and_share_a_target_lock(string a, string b)
    {
        Assert.True(ServerNames.Same(a, b));
        Assert.Equal(TargetLock.Key(DatabaseEngine.PostgreSql, a, 5432, "shop"), TargetLock.Key(DatabaseEngine.PostgreSql, b, 5432, "shop"));
    }

    [Fact]
    public void Different_servers_ports_or_databases_take_different_locks()
    {
        Assert.False(ServerNames.Same("db1", "db2"));
        var key = TargetLock.Key(DatabaseEngine.PostgreSql, "localhost", 5432, "shop");
        Assert.NotEqual(key, TargetLock.Key(DatabaseEngine.PostgreSql, "db2", 5432, "shop"));
        Assert.NotEqual(key, TargetLock.Key(DatabaseEngine.PostgreSql, "localhost", 5433, "shop"));
        Assert.NotEqual(key, TargetLock.Key(DatabaseEngine.PostgreSql, "localhost", 5432, "Shop"));
    }
}
