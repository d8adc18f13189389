// Fills a repository with backup records for bench/catalog.sh, without running backups: each manifest
// is the sealed bytes a record write stores (RecordFile.Serialize), at backups/<id>/manifest.json:
//   CatalogBench seed REPOSITORY COUNT [--catalog]  COUNT Succeeded records (every 10th of database "crm", every
//                                         97th Failed); --catalog also writes the snapshot a list would build from them
//   CatalogBench measure REPOSITORY       times, in this process, each part of a warm list (MeasureList.cs)
//   CatalogBench drop-catalog REPOSITORY  deletes catalog/ (the next list rebuilds it from the manifests)
//   CatalogBench drop-container REPOSITORY  deletes an Azure repository's whole container (Azurite deletes a
//                                           container at once, but thousands of blobs one by one only slowly)
// An Azure repository's container is created first (DbBackup itself never creates one).
using System.Diagnostics;
using Azure.Storage.Blobs;
using DbBackup.Engine.Repository;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Model;

if (args.Length < 2 || args[0] is not ("seed" or "drop-catalog" or "drop-container" or "measure"))
{
    Console.Error.WriteLine("usage: CatalogBench seed REPOSITORY COUNT [--catalog] | measure REPOSITORY | drop-catalog REPOSITORY | drop-container REPOSITORY");
    return 2;
}
var address = RepositoryAddress.Parse(args[1]);
if (args[0] == "drop-container")
{
    if (address.Kind != RepositoryStoreKind.Azure || Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is not { } azure) return 2;
    await new BlobContainerClient(azure, address.Container).DeleteIfExistsAsync();
    return 0;
}
if (address.Kind == RepositoryStoreKind.Azure && Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { } connection)
    await new BlobContainerClient(connection, address.Container).CreateIfNotExistsAsync();
var store = await StoreFactory.OpenForWritingAsync(address, CancellationToken.None);
var clock = Stopwatch.StartNew();
if (args[0] == "measure")
{
    await MeasureList.RunAsync(store);
    if (address.Kind == RepositoryStoreKind.Azure && Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { } account)
        await MeasureList.RequestsAsync(new BlobContainerClient(account, address.Container), address.Prefix + "backups/");
    return 0;
}
if (args[0] == "drop-catalog")
{
    var keys = new List<string>();
    await foreach (var e in store.ListAsync("catalog/", CancellationToken.None)) keys.Add(e.Key);
    await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (k, ct) => await store.DeleteAsync(k, null, ct));
    Console.WriteLine($"dropped {keys.Count} catalog objects in {clock.Elapsed.TotalSeconds:0.0} s");
    return 0;
}
var count = int.Parse(args[2]);
var repo = new BackupRepository(store);
await repo.EnsureCreatedAsync(CancellationToken.None);
var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
var written = 0;
var entries = new CatalogEntry[count];
await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = store is LocalFolderStore ? 4 : 64 }, async (i, ct) =>
{
    var created = start.AddMinutes(i * 5);
    var record = new BackupRecord
    {
        Id = Ids.NewBackupId(created),
        Name = created.ToString("yyyyMMddHHmmss"),
        Engine = DatabaseEngine.PostgreSql,
        Server = "db1",
        Port = 5432,
        Database = i % 10 == 0 ? "crm" : "shop",
        UserName = "backup",
        State = i % 97 == 0 ? OperationState.Failed : OperationState.Succeeded,
        StatusMessage = i % 97 == 0 ? "The server closed the connection." : "OK",
        Kind = BackupKind.Manual,
        CreatedBy = "bench@host",
        CreatedAt = created,
        StartedAt = created.AddSeconds(1),
        CompletedAt = created.AddSeconds(30),
        Duration = TimeSpan.FromSeconds(29),
        Jobs = 2,
        Revision = 4,
        Labels = new LabelSet { ["env"] = "prod", ["tier"] = (i % 3).ToString() },
        SizeBytes = 52_400 + i,
        Compression = CompressionKind.Zstd,
        FormatVersion = 1,
        ServerVersion = "15.10",
        // A realistic manifest: a toc, a schema and three tables' data files with their checksums.
        Files = new[] { "toc.json", "schema.dump", "data/0001.copy.zst", "data/0002.copy.zst", "data/0003.copy.zst" }
            .Select(n => new BackupFile { Name = "payload/" + n, Size = 1000 + i, Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i * 31 + n.Length))) }).ToList(),
    };
    // The manifest alone, as a DbBackup without the catalog (or a folder copied in) leaves it: no
    // journal entry, so dropping the catalog afterwards is one delete (deleting 10,000 journal objects
    // kept Azurite busy for minutes).
    entries[i] = CatalogEntry.From(record);
    var key = BackupRepository.BackupPrefix(record.Id) + "manifest.json";
    var bytes = RecordFile.Serialize(record);
    if (store is LocalFolderStore local)
    {
        // The same bytes, created exclusively, but without the product's fsync per file: that fsync
        // held a seed of 100,000 to ~20 records/s on this VM, and a benchmark folder needs no durability.
        var path = local.PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: false);
        await file.WriteAsync(bytes, ct);
    }
    else if (await store.TryWriteAsync(key, bytes, WriteCondition.IfAbsent, ct) == null)
        throw new InvalidOperationException($"id {record.Id} taken");
    if (Interlocked.Increment(ref written) % 10_000 == 0) Console.Error.WriteLine($"  {written} records, {clock.Elapsed.TotalSeconds:0.0} s");
});
// The snapshot a list would write after reading every manifest (CatalogFile is the product's own
// writer), so a warm list can be measured without first waiting for a cold one.
if (args.Contains("--catalog"))
    await store.TryWriteAsync("catalog/backups.json", CatalogFile.Serialize(entries.OrderBy(e => e.Id, StringComparer.Ordinal).ToList()), WriteCondition.None, CancellationToken.None);
Console.WriteLine($"seeded {count} records in {clock.Elapsed.TotalSeconds:0.0} s");
return 0;
