using Amazon.S3;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests.Storage;

/// <summary>Where the S3 client's endpoint, region and addressing come from: the standard AWS variables
/// only, an S3-compatible endpoint reached path-style.</summary>
public sealed class S3ClientFactoryTests
{
    [Fact]
    public void The_service_specific_endpoint_wins_over_the_general_one_and_is_reached_path_style()
    {
        var (client, _, custom) = S3ClientFactory.Create(Env(("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"), ("AWS_ENDPOINT_URL", "http://other:1"), ("AWS_ACCESS_KEY_ID", "k"), ("AWS_SECRET_ACCESS_KEY", "s")));
        var config = (AmazonS3Config)client.Config;

        Assert.True(custom);
        Assert.StartsWith("http://127.0.0.1:9000", config.ServiceURL, StringComparison.Ordinal);
        Assert.True(config.ForcePathStyle);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
    }

    [Fact]
    public void The_general_endpoint_and_the_region_are_used_when_no_service_endpoint_is_set()
    {
        var (client, source, custom) = S3ClientFactory.Create(Env(("AWS_ENDPOINT_URL", "http://minio:9000"), ("AWS_REGION", "eu-west-3"), ("AWS_ACCESS_KEY_ID", "k"), ("AWS_SECRET_ACCESS_KEY", "s"), ("AWS_SESSION_TOKEN", "t")));
        var config = (AmazonS3Config)client.Config;

        Assert.True(custom);
        Assert.StartsWith("http://minio:9000", config.ServiceURL, StringComparison.Ordinal);
        Assert.Equal("eu-west-3", config.AuthenticationRegion);
        Assert.Equal("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN", source);
    }

    [Fact]
    public void Without_an_endpoint_AWS_itself_is_addressed_in_the_region_virtual_host_style()
    {
        var (client, _, custom) = S3ClientFactory.Create(Env(("AWS_REGION", "eu-central-1"), ("AWS_ACCESS_KEY_ID", "k"), ("AWS_SECRET_ACCESS_KEY", "s")));
        var config = (AmazonS3Config)client.Config;

        Assert.False(custom);
        Assert.Equal("eu-central-1", config.RegionEndpoint?.SystemName);
        Assert.False(config.ForcePathStyle);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
        => name => variables.FirstOrDefault(v => v.Name == name).Value;
}
