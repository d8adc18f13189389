using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using DbBackup.Engine;
using DbBackup.Engine.Repository.Storage;
using DbBackup.Tests.Storage.Emulators;

namespace DbBackup.Tests.Storage;

/// <summary>Azure credentials from the standard variables only, against Azurite: SAS tokens with fewer
/// rights are refused naming the right that is missing (issue 8 §7), a refused key is reported without
/// the key, and no credential at all names the variables to set.</summary>
public sealed class AzureCredentialTests
{
    /// <summary>Why the tests are skipped here, if they are.</summary>
    public static string? SkipReason => Azurite.SkipReason;

    private const string ContainerName = "rights";
    private static readonly Lazy<Task> Container = new(() => new BlobContainerClient(Azurite.ConnectionString, ContainerName).CreateIfNotExistsAsync());
    private static CancellationToken None => CancellationToken.None;

    [StoreFact]
    public async Task A_container_SAS_with_read_and_list_reads_and_lists_but_a_write_is_refused_naming_the_write_right()
    {
        var (address, key) = await SeededRepositoryAsync();
        var sas = ContainerSas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List);
        var store = StoreFactory.Open(address, Env(("AZURE_STORAGE_SAS_TOKEN", sas)));

        Assert.Equal("seed", System.Text.Encoding.UTF8.GetString((await store.TryReadAsync(key, None))!.Content));
        Assert.Single(await ListAsync(store));
        var error = await Assert.ThrowsAsync<DbBackupException>(() => store.TryWriteAsync("new", "x"u8.ToArray(), WriteCondition.None, None));

        Assert.Equal("StoreAccessDenied", error.ErrorId);
        Assert.Contains("write right", error.Message, StringComparison.Ordinal);
        Assert.Contains("AZURE_STORAGE_SAS_TOKEN", error.Message, StringComparison.Ordinal);
        AssertSecretAbsent(error, SasSignature(sas));
        var probe = await Assert.ThrowsAsync<DbBackupException>(() => StoreFactory.OpenForWritingAsync(address, Env(("AZURE_STORAGE_SAS_TOKEN", sas)), None));
        Assert.Equal("StoreAccessDenied", probe.ErrorId);
    }

    [StoreFact]
    public async Task An_account_SAS_without_delete_opens_for_writing_and_writes_but_a_delete_is_refused_naming_the_delete_right()
    {
        var (address, key) = await SeededRepositoryAsync();
        var sas = AccountSas(AccountSasPermissions.Read | AccountSasPermissions.Write | AccountSasPermissions.List);
        // Opening for writing probes (create, create again, delete): without 'd' the probe still answers.
        var store = await StoreFactory.OpenForWritingAsync(address, Env(("AZURE_STORAGE_SAS_TOKEN", sas)), None);

        Assert.True(store.Features.ConditionalWrites);
        Assert.NotNull(await store.TryWriteAsync("written", "x"u8.ToArray(), WriteCondition.IfAbsent, None));
        var error = await Assert.ThrowsAsync<DbBackupException>(() => store.DeleteAsync(key, null, None));

        Assert.Equal("StoreAccessDenied", error.ErrorId);
        Assert.Contains("delete right", error.Message, StringComparison.Ordinal);
        Assert.Contains("'d'", error.Message, StringComparison.Ordinal);
        AssertSecretAbsent(error, SasSignature(sas));
        Assert.NotNull(await store.TryReadAsync(key, None));
    }

    [StoreFact]
    public async Task A_full_SAS_reads_writes_lists_and_deletes_and_the_probe_finds_conditional_writes()
    {
        var (address, key) = await SeededRepositoryAsync();
        var sas = ContainerSas(BlobContainerSasPermissions.All);
        var store = await StoreFactory.OpenForWritingAsync(address, Env(("AZURE_STORAGE_SAS_TOKEN", "?" + sas)), None);

        Assert.True(store.Features.ConditionalWrites);
        Assert.True(await store.DeleteAsync(key, null, None));
        Assert.Empty(await ListAsync(store));
    }

    [StoreFact]
    public async Task A_refused_account_key_fails_naming_the_variable_and_never_the_key()
    {
        var (address, key) = await SeededRepositoryAsync();
        var wrongKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        var store = StoreFactory.Open(address, Env(("AZURE_STORAGE_ACCOUNT", Azurite.Account), ("AZURE_STORAGE_KEY", wrongKey)));

        var error = await Assert.ThrowsAsync<DbBackupException>(() => store.TryReadAsync(key, None));

        Assert.Equal(("StoreAuthenticationFailed", ErrorKind.AuthenticationError), (error.ErrorId, error.Kind));
        Assert.Contains("AZURE_STORAGE_KEY", error.Message, StringComparison.Ordinal);
        AssertSecretAbsent(error, wrongKey);
        var right = StoreFactory.Open(address, Env(("AZURE_STORAGE_ACCOUNT", Azurite.Account), ("AZURE_STORAGE_KEY", Azurite.Key)));
        Assert.NotNull(await right.TryReadAsync(key, None));
    }

    [StoreFact]
    public void An_azure_address_with_no_account_or_credential_in_the_environment_names_the_variables_to_set()
    {
        var error = Assert.Throws<DbBackupException>(() => StoreFactory.Open(RepositoryAddress.Parse("azure://backups/x"), _ => null));
        Assert.Equal("StoreCredentialsMissing", error.ErrorId);
        foreach (var variable in new[] { "AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_CONNECTION_STRING" })
            Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_malformed_connection_string_is_refused_without_repeating_it()
    {
        var connection = "DefaultEndpointsProtocol=http;AccountName=x;AccountKey=NOT-BASE64-SECRET!!;BlobEndpoint=nope";
        var error = Assert.Throws<DbBackupException>(() => StoreFactory.Open(RepositoryAddress.Parse("azure://backups/x"), Env(("AZURE_STORAGE_CONNECTION_STRING", connection))));
        Assert.Equal("StoreCredentialsMissing", error.ErrorId);
        AssertSecretAbsent(error, "NOT-BASE64-SECRET");
        await Task.CompletedTask;
    }

    [StoreFact]
    public async Task A_write_into_a_container_that_does_not_exist_says_so_and_a_read_finds_an_empty_repository()
    {
        var address = RepositoryAddress.Parse($"{Azurite.BlobEndpoint}/missing-{Guid.NewGuid():N}");
        var store = StoreFactory.Open(address, Env(("AZURE_STORAGE_CONNECTION_STRING", Azurite.ConnectionString)));

        Assert.Null(await store.TryReadAsync("repository.json", None));
        Assert.Empty(await ListAsync(store));
        var error = await Assert.ThrowsAsync<DbBackupException>(() => store.TryWriteAsync("repository.json", "{}"u8.ToArray(), WriteCondition.IfAbsent, None));
        Assert.Equal("StoreContainerNotFound", error.ErrorId);
        Assert.Contains(address.Container!, error.Message, StringComparison.Ordinal);
        Assert.Contains($"az storage container create --name {address.Container}", error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task The_missing_container_hint_creates_it_with_the_credential_in_use_not_a_login()
    {
        var address = RepositoryAddress.Parse($"{Azurite.BlobEndpoint}/missing-{Guid.NewGuid():N}");
        var byConnection = StoreFactory.Open(address, Env(("AZURE_STORAGE_CONNECTION_STRING", Azurite.ConnectionString)));
        var byKey = StoreFactory.Open(address, Env(("AZURE_STORAGE_ACCOUNT", Azurite.Account), ("AZURE_STORAGE_KEY", Azurite.Key)));

        var connectionError = await Assert.ThrowsAsync<DbBackupException>(() => byConnection.TryWriteAsync("repository.json", "{}"u8.ToArray(), WriteCondition.IfAbsent, None));
        var keyError = await Assert.ThrowsAsync<DbBackupException>(() => byKey.TryWriteAsync("repository.json", "{}"u8.ToArray(), WriteCondition.IfAbsent, None));

        Assert.DoesNotContain("--auth-mode login", connectionError.Message, StringComparison.Ordinal);
        Assert.Contains("reads the same AZURE_STORAGE_CONNECTION_STRING", connectionError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--auth-mode login", keyError.Message, StringComparison.Ordinal);
        Assert.Contains("reads the same AZURE_STORAGE_KEY", keyError.Message, StringComparison.Ordinal);
    }

    private static async Task<(RepositoryAddress Address, string Key)> SeededRepositoryAsync()
    {
        await Container.Value;
        var address = RepositoryAddress.Parse($"{Azurite.BlobEndpoint}/{ContainerName}/{Guid.NewGuid():N}");
        var owner = StoreFactory.Open(address, Env(("AZURE_STORAGE_CONNECTION_STRING", Azurite.ConnectionString)));
        await owner.TryWriteAsync("backups/b1/manifest.json", "seed"u8.ToArray(), WriteCondition.None, None);
        return (address, "backups/b1/manifest.json");
    }

    private static string ContainerSas(BlobContainerSasPermissions permissions)
    {
        var builder = new BlobSasBuilder { BlobContainerName = ContainerName, Resource = "c", ExpiresOn = DateTimeOffset.UtcNow.AddHours(1) };
        builder.SetPermissions(permissions);
        return builder.ToSasQueryParameters(new StorageSharedKeyCredential(Azurite.Account, Azurite.Key)).ToString();
    }

    private static string AccountSas(AccountSasPermissions permissions)
    {
        var builder = new AccountSasBuilder { Services = AccountSasServices.Blobs, ResourceTypes = AccountSasResourceTypes.All, ExpiresOn = DateTimeOffset.UtcNow.AddHours(1) };
        builder.SetPermissions(permissions);
        return builder.ToSasQueryParameters(new StorageSharedKeyCredential(Azurite.Account, Azurite.Key)).ToString();
    }

    private static string SasSignature(string sas)
        => Uri.UnescapeDataString(sas.Split('&').Single(p => p.StartsWith("sig=", StringComparison.Ordinal))[4..]);

    /// <summary>The secret appears nowhere in the error: message, target, or any inner exception's text.</summary>
    internal static void AssertSecretAbsent(Exception error, string secret)
    {
        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(secret), error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, (error as DbBackupException)?.TargetObject?.ToString() ?? "", StringComparison.Ordinal);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
        => name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static async Task<List<StoreEntry>> ListAsync(IRepositoryStore store)
    {
        var entries = new List<StoreEntry>();
        await foreach (var entry in store.ListAsync("", None)) entries.Add(entry);
        return entries;
    }
}
