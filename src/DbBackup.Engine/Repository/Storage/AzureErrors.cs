using Azure;
using Azure.Identity;
using Azure.Storage.Blobs.Models;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>Maps what the Azure SDK throws (after its own retries) to the store errors: the right a SAS
/// lacks, a refused key, a missing container, an unreachable endpoint. Never copies the SDK's message,
/// which may quote request headers.</summary>
internal sealed class AzureErrors(string location, string container, string credentialSource)
{
    /// <summary>True for the exceptions <see cref="Map"/> translates. A connection lost mid-body (a download
    /// past the SDK's retries) surfaces as a bare IOException.</summary>
    public bool Maps(Exception e) => e is RequestFailedException or AuthenticationFailedException or CredentialUnavailableException or IOException
        || (e is AggregateException a && a.InnerExceptions.All(Maps));

    /// <summary>The store error for <paramref name="e"/> on <paramref name="key"/> while needing <paramref name="right"/>.</summary>
    public DbBackupException Map(Exception e, string key, StoreRight right)
    {
        if (e is AggregateException aggregate) return Map(aggregate.InnerExceptions[0], key, right);
        if (e is CredentialUnavailableException or AuthenticationFailedException)
            return StoreFailures.CredentialsMissing(location,
                "DefaultAzureCredential found no usable identity (no managed identity, workload identity or Azure CLI login here). Set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT with AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, or run where an identity is assigned.", e);
        if (e is IOException) return StoreFailures.Unavailable(location, "the connection to the blob endpoint kept breaking mid-request", e);
        var failure = (RequestFailedException)e;
        var code = failure.ErrorCode ?? "";
        if (failure.Status == 0)
            return StoreFailures.Unavailable(location, "no answer from the blob endpoint", e);
        // A credential that works but lacks a right (a SAS without 'd', an RBAC role without write) gets
        // a *Mismatch code; any other 403 (a wrong key or signature, an expired SAS, a network rule)
        // refused the credential itself.
        if (failure.Status == 403 && code is "AuthorizationPermissionMismatch" or "AuthorizationResourceTypeMismatch" or "AuthorizationServiceMismatch")
            return StoreFailures.AccessDenied(location, key, right, credentialSource, code, e);
        if (failure.Status is 401 or 403)
            return StoreFailures.AuthenticationFailed(location, credentialSource, code.Length > 0 ? code : $"HTTP {failure.Status}", e);
        if (failure.Status == 404 && code == BlobErrorCode.ContainerNotFound)
            return StoreFailures.ContainerNotFound(location, container, "container", e, credentialSource);
        if (failure.Status is 408 or 429 or >= 500)
            return StoreFailures.Unavailable(location, $"HTTP {failure.Status} {code}", e);
        return StoreFailures.RequestFailed(location, key, failure.Status, code, e);
    }
}
