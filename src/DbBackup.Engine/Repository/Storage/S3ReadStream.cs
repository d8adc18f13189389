using Amazon.S3;
using Amazon.S3.Model;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>A streaming read of one S3 object that survives a connection dropped mid-body, which the
/// SDK's retries do not cover (they end when the response headers arrive): it asks again for the rest
/// (Range from the current offset, If-Match the ETag first read, so a replaced object fails instead of
/// mixing two versions), a few times with backoff (<see cref="S3BodyRetries"/>).</summary>
internal sealed class S3ReadStream : Stream
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _objectKey;
    private readonly string _key;
    private readonly S3Errors _errors;
    private readonly string _location;
    private GetObjectResponse _response;
    private long _position;

    private S3ReadStream(IAmazonS3 client, string bucket, string objectKey, string key, S3Errors errors, GetObjectResponse first, string location)
    {
        (_client, _bucket, _objectKey, _key, _errors, _response, _location) = (client, bucket, objectKey, key, errors, first, location);
        Length = first.ContentLength;
    }

    /// <summary>Opens the object (throws the SDK's exception when it is missing).</summary>
    public static async Task<S3ReadStream> OpenAsync(IAmazonS3 client, string bucket, string objectKey, string key, S3Errors errors, string location, CancellationToken cancellationToken)
    {
        var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = objectKey }, cancellationToken).ConfigureAwait(false);
        return new S3ReadStream(client, bucket, objectKey, key, errors, response, location);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length { get; }
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var read = await _response.ResponseStream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0 && _position < Length) throw new IOException($"the body ended at {_position} of {Length} bytes");
                _position += read;
                return read;
            }
            catch (Exception e) when (S3BodyRetries.IsBodyFault(e) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt == S3BodyRetries.MaxRetries) throw S3BodyRetries.GaveUp(_location, _key, _position, e);
                await Task.Delay(S3BodyRetries.Delay(attempt), cancellationToken).ConfigureAwait(false);
                await ResumeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var etag = _response.ETag;
        _response.Dispose();
        try
        {
            _response = await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _bucket, Key = _objectKey, EtagToMatch = etag, ByteRange = new ByteRange(_position, Length - 1),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (_errors.Maps(e)) { throw _errors.Map(e, _key, StoreRight.Read); }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _response.Dispose();
        base.Dispose(disposing);
    }
}
