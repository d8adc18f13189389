using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace DbBackup.Tests.Storage.Emulators;

/// <summary>The Azurite blob service the Azure tests use: the one CI started
/// (DBBACKUP_TEST_AZURE_CONNECTION_STRING), else one started here from the npm package azurite, else
/// none (the tests are skipped, saying why; under CI they fail instead).</summary>
internal static class Azurite
{
    /// <summary>Azurite's well-known development account (public, the same in every Azurite).</summary>
    public const string Account = "devstoreaccount1";

    /// <summary>Its well-known key.</summary>
    public const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<string> Started = new(Start);

    /// <summary>Null when Azurite can be used here, else why not.</summary>
    public static string? SkipReason
        => Configured is not null || EmulatorProcess.UnderCi || EmulatorProcess.FindScript("azurite-blob") is not null ? null
            : "Azurite is not installed: run `npm install --prefix .ci/node azurite@3.37.0 s3rver@3.7.1`, or set DBBACKUP_TEST_AZURE_CONNECTION_STRING to a running one.";

    /// <summary>The connection string of the blob service (starts Azurite on first use when needed).</summary>
    public static string ConnectionString => Configured is { } configured ? CheckedConfigured.Value : Started.Value;

    private static readonly Lazy<string> CheckedConfigured = new(() =>
    {
        var endpoint = Configured!.Split(';').Single(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..];
        EmulatorProcess.CheckedConfigured("DBBACKUP_TEST_AZURE_CONNECTION_STRING", endpoint);
        return Configured!;
    });

    /// <summary>The blob endpoint, path-style: http://127.0.0.1:PORT/devstoreaccount1.</summary>
    public static string BlobEndpoint => ConnectionString.Split(';').Single(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..].TrimEnd('/');

    private static string? Configured => Environment.GetEnvironmentVariable("DBBACKUP_TEST_AZURE_CONNECTION_STRING") is { Length: > 0 } value ? value : null;

    private static string Start()
    {
        var script = EmulatorProcess.FindScript("azurite-blob")
            ?? throw new InvalidOperationException("Azurite is required under CI: DBBACKUP_TEST_AZURE_CONNECTION_STRING is not set and azurite-blob is not installed (.ci/run installs it).");
        // --skipApiVersionCheck: the SDK speaks a newer service version than Azurite 3.37 announces.
        var azurite = EmulatorProcess.Start(script, (port, data) => ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--location", data, "--skipApiVersionCheck", "--silent"]);
        return $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};BlobEndpoint=http://127.0.0.1:{azurite.Port}/{Account};";
    }

    /// <summary>Every blob name under <paramref name="prefix"/> of the repository azure://<paramref name="container"/>/…
    /// at <paramref name="repository"/>, relative to the repository, read directly from the emulator.</summary>
    /// <summary>A new repository address in <paramref name="container"/> (created if absent), unique per call.</summary>
    public static async Task<string> NewRepositoryAsync(string container = "lifecycle")
    {
        await new BlobContainerClient(ConnectionString, container).CreateIfNotExistsAsync();
        return $"azure://{container}/{Guid.NewGuid():N}";
    }

    /// <summary>The environment a CLI or worker process needs to reach Azurite.</summary>
    public static Dictionary<string, string?> RepositoryEnvironment() => new() { ["AZURE_STORAGE_CONNECTION_STRING"] = ConnectionString };

    public static async Task<List<string>> RepositoryKeysAsync(string container, string repository, string prefix)
    {
        var root = repository[$"azure://{container}/".Length..] + "/";
        var keys = new List<string>();
        await foreach (var b in new BlobContainerClient(ConnectionString, container).GetBlobsAsync(BlobTraits.None, BlobStates.None, root + prefix, CancellationToken.None))
            keys.Add(b.Name[root.Length..]);
        return keys;
    }
}
