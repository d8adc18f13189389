using DbBackup.Engine;
using DbBackup.Engine.Repository.Storage;

namespace DbBackup.Tests.Storage;

/// <summary>The repository address forms (issue 8 §2): what each parses to, and that anything with a
/// scheme DbBackup does not know is refused, never taken as a relative folder.</summary>
public sealed class RepositoryAddressTests
{
    [Theory]
    [InlineData("s3://backups", "backups", "", "s3://backups/")]
    [InlineData("s3://my.bucket-1/prod/db/", "my.bucket-1", "prod/db/", "s3://my.bucket-1/prod/db/")]
    [InlineData("S3://backups//a///b", "backups", "a/b/", "s3://backups/a/b/")]
    public void An_s3_address_names_the_bucket_and_a_normalised_prefix(string value, string bucket, string prefix, string location)
    {
        var address = RepositoryAddress.Parse(value);
        Assert.Equal((RepositoryStoreKind.S3, bucket, prefix, location), (address.Kind, address.Container, address.Prefix, address.Location));
        Assert.Null(address.AzureServiceUri);
    }

    [Fact]
    public void An_azure_address_names_the_container_and_leaves_the_account_to_the_environment()
    {
        var address = RepositoryAddress.Parse("azure://backups/x/y");
        Assert.Equal((RepositoryStoreKind.Azure, "backups", "x/y/", "azure://backups/x/y/"), (address.Kind, address.Container, address.Prefix, address.Location));
        Assert.Null(address.AzureAccount);
        Assert.Null(address.AzureServiceUri);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/backups/prod", "acct", "https://acct.blob.core.windows.net/", "backups", "prod/")]
    [InlineData("https://acct.blob.core.usgovcloudapi.net/backups", "acct", "https://acct.blob.core.usgovcloudapi.net/", "backups", "")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/backups/a/b", "devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1/", "backups", "a/b/")]
    [InlineData("http://localhost:10000/devstoreaccount1/backups", "devstoreaccount1", "http://localhost:10000/devstoreaccount1/", "backups", "")]
    [InlineData("http://azurite:10000/devstoreaccount1/backups/p", "devstoreaccount1", "http://azurite:10000/devstoreaccount1/", "backups", "p/")]
    public void A_blob_url_names_the_account_endpoint_container_and_prefix(string value, string account, string service, string container, string prefix)
    {
        var address = RepositoryAddress.Parse(value);
        Assert.Equal(RepositoryStoreKind.Azure, address.Kind);
        Assert.Equal((account, service, container, prefix), (address.AzureAccount, address.AzureServiceUri!.ToString(), address.Container, address.Prefix));
        Assert.Equal(service + container + "/" + prefix, address.Location);
    }

    [Theory]
    [InlineData("backups")]
    [InlineData("./azure:backups")]
    [InlineData("/var/lib/dbbackup")]
    [InlineData("../repo with spaces")]
    public void A_path_is_a_local_folder_made_absolute(string value)
    {
        var address = RepositoryAddress.Parse(value, windows: false);
        Assert.Equal(RepositoryStoreKind.Local, address.Kind);
        Assert.Equal(Path.GetFullPath(value), address.LocalPath);
    }

    [Theory]
    [InlineData(@"C:\backups")]
    [InlineData("D:/backups")]
    [InlineData("E:")]
    public void A_drive_letter_is_a_local_path_on_Windows_and_not_a_scheme(string value)
    {
        Assert.Equal(RepositoryStoreKind.Local, RepositoryAddress.Parse(value, windows: true).Kind);
        var elsewhere = Assert.Throws<DbBackupException>(() => RepositoryAddress.Parse(value, windows: false));
        Assert.Contains("drive letter", elsewhere.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gs://bucket/prefix", "'gs:'")]
    [InlineData("azur://backups/x", "'azur:'")]
    [InlineData("ftp://host/backups", "'ftp:'")]
    [InlineData("azure:backups/x", "azure://container/prefix")]
    [InlineData("azure:", "azure://container/prefix")]
    [InlineData("s3:/bucket", "s3://bucket/prefix")]
    [InlineData("file:///var/backups", "'file:'")]
    [InlineData("s3://Bad_Bucket/x", "'Bad_Bucket' is not a valid bucket name")]
    [InlineData("azure://ab/x", "'ab' is not a valid container name")]
    [InlineData("s3://bucket/../x", "'..'")]
    [InlineData("https://example.com/backups/x", "'example.com' is not an Azure blob endpoint")]
    [InlineData("http://acct.blob.core.windows.net/backups", "https")]
    [InlineData("", "empty")]
    public void An_address_that_is_not_understood_is_refused_naming_the_value_and_the_accepted_forms(string value, string why)
    {
        var error = Assert.Throws<DbBackupException>(() => RepositoryAddress.Parse(value, windows: false));
        Assert.Equal(("RepositoryAddressInvalid", ErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Contains("s3://bucket/prefix, azure://container/prefix", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/backups/x?sv=2024-01-01&sig=SECRETSIGNATURE", "SECRETSIGNATURE")]
    [InlineData("http://user:SECRETPASSWORD@127.0.0.1:10000/devstoreaccount1/backups", "SECRETPASSWORD")]
    [InlineData("s3://bucket/x?X-Amz-Signature=SECRETSIGNATURE", "SECRETSIGNATURE")]
    public void A_credential_in_the_address_is_refused_and_not_repeated_in_the_message(string value, string secret)
    {
        var error = Assert.Throws<DbBackupException>(() => RepositoryAddress.Parse(value));
        Assert.Equal("RepositoryAddressInvalid", error.ErrorId);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.TargetObject?.ToString() ?? "", StringComparison.Ordinal);
        Assert.Contains("credential", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
