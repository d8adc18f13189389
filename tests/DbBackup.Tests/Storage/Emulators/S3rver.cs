using Amazon.S3;
using Amazon.S3.Model;

namespace DbBackup.Tests.Storage.Emulators;

/// <summary>The s3rver the S3 tests use: the one CI started (DBBACKUP_TEST_S3_ENDPOINT), else one started
/// here from the npm package s3rver, else none (skipped, saying why; under CI they fail instead).
/// s3rver accepts its own fixed key pair and ignores If-None-Match, which is what the probe must find.</summary>
internal static class S3rver
{
    private static readonly Lazy<string> Started = new(Start);

    /// <summary>Null when s3rver can be used here, else why not.</summary>
    public static string? SkipReason
        => Configured is not null || EmulatorProcess.UnderCi || EmulatorProcess.FindScript("s3rver") is not null ? null
            : "s3rver is not installed: run `npm install --prefix .ci/node azurite@3.37.0 s3rver@3.7.1`, or set DBBACKUP_TEST_S3_ENDPOINT to a running one.";

    /// <summary>The endpoint URL (starts s3rver on first use when needed).</summary>
    public static string Endpoint => Configured is not null ? CheckedConfigured.Value : Started.Value;

    private static readonly Lazy<string> CheckedConfigured = new(() => EmulatorProcess.CheckedConfigured("DBBACKUP_TEST_S3_ENDPOINT", Configured!));

    /// <summary>The access key id (s3rver's fixed pair unless DBBACKUP_TEST_S3_ACCESS_KEY_ID says otherwise).</summary>
    public static string AccessKeyId => Environment.GetEnvironmentVariable("DBBACKUP_TEST_S3_ACCESS_KEY_ID") is { Length: > 0 } id ? id : "S3RVER";

    /// <summary>The secret key.</summary>
    public static string SecretAccessKey => Environment.GetEnvironmentVariable("DBBACKUP_TEST_S3_SECRET_ACCESS_KEY") is { Length: > 0 } key ? key : "S3RVER";

    /// <summary>The environment a store is opened with: these keys and this endpoint, nothing from the process.</summary>
    public static Func<string, string?> StoreEnvironment(string? accessKeyId = null, string? secret = null) => name => name switch
    {
        "AWS_ENDPOINT_URL_S3" => Endpoint,
        "AWS_ACCESS_KEY_ID" => accessKeyId ?? AccessKeyId,
        "AWS_SECRET_ACCESS_KEY" => secret ?? SecretAccessKey,
        "AWS_REGION" => "us-east-1",
        _ => null,
    };

    private static string? Configured => Environment.GetEnvironmentVariable("DBBACKUP_TEST_S3_ENDPOINT") is { Length: > 0 } value ? value : null;

    private static string Start()
    {
        var script = EmulatorProcess.FindScript("s3rver")
            ?? throw new InvalidOperationException("s3rver is required under CI: DBBACKUP_TEST_S3_ENDPOINT is not set and s3rver is not installed (.ci/run installs it).");
        var s3rver = EmulatorProcess.Start(script, (port, data) => ["--address", "127.0.0.1", "--port", port.ToString(), "--directory", data, "--silent"]);
        return $"http://127.0.0.1:{s3rver.Port}";
    }

    /// <summary>Every key under <paramref name="prefix"/> of the repository s3://<paramref name="bucket"/>/… at
    /// <paramref name="repository"/>, relative to the repository, read directly from the emulator.</summary>
    public static async Task<List<string>> RepositoryKeysAsync(string bucket, string repository, string prefix)
    {
        var root = repository[$"s3://{bucket}/".Length..] + "/";
        using var client = new AmazonS3Client(AccessKeyId, SecretAccessKey, new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var listed = await client.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, Prefix = root + prefix });
        return (listed.S3Objects ?? []).Select(o => o.Key[root.Length..]).ToList();
    }

    /// <summary>A new repository address in <paramref name="bucket"/> (created if absent), unique per call.</summary>
    public static async Task<string> NewRepositoryAsync(string bucket = "lifecycle")
    {
        await S3StoreContractTests.CreateBucketAsync(bucket);
        return $"s3://{bucket}/{Guid.NewGuid():N}";
    }

    /// <summary>The environment a CLI or worker process needs to reach s3rver.</summary>
    public static Dictionary<string, string?> RepositoryEnvironment()
    {
        var from = StoreEnvironment();
        return new() { ["AWS_ENDPOINT_URL_S3"] = from("AWS_ENDPOINT_URL_S3"), ["AWS_ACCESS_KEY_ID"] = from("AWS_ACCESS_KEY_ID"), ["AWS_SECRET_ACCESS_KEY"] = from("AWS_SECRET_ACCESS_KEY"), ["AWS_REGION"] = "us-east-1" };
    }
}
