using Amazon.Runtime;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>How S3 reads survive a body that breaks after the answer's headers arrived, which the SDK's
/// own retries (they end with the headers) do not cover: a connection reset mid-body, a body shorter
/// than its Content-Length, or one whose MD5 does not match its ETag (the SDK checks it on whole-object
/// reads; an emulator that overwrites an object in place, as s3rver does, serves such torn bodies to a
/// reader racing the writer). The read is asked again, a few times with backoff.</summary>
internal static class S3BodyRetries
{
    /// <summary>Further attempts after the first.</summary>
    public const int MaxRetries = 4;

    /// <summary>The wait before retry <paramref name="attempt"/> (from 0): 0.25, 0.5, 1, 2 s.</summary>
    public static TimeSpan Delay(int attempt) => TimeSpan.FromMilliseconds(250 << attempt);

    /// <summary>True for what a broken body throws (never a refusal by the store: that is an
    /// AmazonServiceException, raised before any body is read).</summary>
    public static bool IsBodyFault(Exception e) => e is IOException or HttpRequestException || e is AmazonClientException || IsTornAnswer(e);

    /// <summary>True when the SDK's MD5 check could not even parse the ETag as hex: the answer of an
    /// emulator (s3rver) whose object and metadata files were being rewritten in place while it read them.
    /// Asked again, it answers whole.</summary>
    public static bool IsTornAnswer(Exception e) => e is ArgumentOutOfRangeException { ParamName: "hex" };

    /// <summary>The error once the retries are spent.</summary>
    public static DbBackupException GaveUp(string location, string key, long position, Exception e)
        => StoreFailures.Unavailable(location, $"the connection dropped while reading '{key}' at byte {position}, {MaxRetries + 1} times", e);
}
