using DbBackup.Engine.Repository;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Lifecycle;

/// <summary>Restore records name their source and the database they wrote; records written before
/// SourceDatabase existed still read that way.</summary>
public sealed class RestoreRecordTests : IDisposable
{
    private readonly TestRepository _repo = new();

    private RestoreRecord WriteLegacy(string id, string database, string targetDatabase, bool swap)
    {
        // The JSON an earlier version wrote: no SourceDatabase, no Tables; Database was the backup's
        // database when restoring into a new one (-TargetDatabase).
        _repo.Engine.Repository.WriteRestore(new RestoreRecord { Id = id, BackupId = "bk-20260101000000000-abcdef", Engine = DatabaseEngine.PostgreSql,
            Server = "db1", Port = 5432, State = OperationState.Succeeded, CreatedAt = DateTimeOffset.UtcNow, CompletedAt = DateTimeOffset.UtcNow });
        var path = Path.Combine(_repo.Engine.Repository.RestoreFolder(id), "record.json");
        var json = File.ReadAllText(path)
            .Replace("\"SourceDatabase\": null,", "", StringComparison.Ordinal)
            .Replace("\"Database\": \"\"", $"\"Database\": \"{database}\"", StringComparison.Ordinal)
            .Replace("\"TargetDatabase\": \"\"", $"\"TargetDatabase\": \"{targetDatabase}\"", StringComparison.Ordinal)
            .Replace("\"Swap\": false", $"\"Swap\": {(swap ? "true" : "false")}", StringComparison.Ordinal);
        // Earlier versions wrote no seal either.
        json = System.Text.RegularExpressions.Regex.Replace(json, @",\s*""Seal""\s*:\s*""[^""]*""", "");
        Assert.DoesNotContain("SourceDatabase", json);
        Assert.DoesNotContain("Seal", json);
        File.WriteAllText(path, json);
        // An earlier version kept no catalog either: the record is read as it is, not as written above.
        Directory.Delete(Path.Combine(_repo.Path, "catalog"), recursive: true);
        return _repo.Engine.GetRestore(id);
    }

    [Fact]
    public void An_old_record_of_a_restore_into_a_new_database_reads_as_written_into_that_database()
    {
        var r = WriteLegacy("rs-20260101000000000-aaaaaa", "shop", "shop_copy", swap: false);
        Assert.Equal("shop_copy", r.Database);
        Assert.Equal("shop", r.SourceDatabase);
        Assert.Equal("rs-20260101000000000-aaaaaa", _repo.Engine.GetStatus(DatabaseEngine.PostgreSql, "db1", 5432, "shop_copy").Restore?.Id);
        Assert.Null(_repo.Engine.GetStatus(DatabaseEngine.PostgreSql, "db1", 5432, "shop").Restore);
    }

    [Fact]
    public void An_old_record_of_a_replacing_restore_keeps_its_database()
    {
        var r = WriteLegacy("rs-20260101000000000-bbbbbb", "shop", "shop", swap: true);
        Assert.Equal("shop", r.Database);
        Assert.Null(r.SourceDatabase);
        Assert.Equal("rs-20260101000000000-bbbbbb", _repo.Engine.GetStatus(DatabaseEngine.PostgreSql, "db1", 5432, "shop").Restore?.Id);
    }

    [Fact]
    public void A_new_record_round_trips_source_tables_and_database_written()
    {
        var record = new RestoreRecord { Id = "rs-20260101000000000-cccccc", BackupId = "bk-20260101000000000-abcdef", Database = "shop_copy", TargetDatabase = "shop_copy",
            SourceDatabase = "shop", Tables = ["public.orders"], ReplacesTables = true, CreatedAt = DateTimeOffset.UtcNow };
        var back = System.Text.Json.JsonSerializer.Deserialize<RestoreRecord>(Json.Write(record), Json.Indented)!;
        Assert.Equal(("shop_copy", "shop", "public.orders", true), (back.Database, back.SourceDatabase, back.Tables.Single(), back.ReplacesTables));
    }

    public void Dispose() => _repo.Dispose();
}
