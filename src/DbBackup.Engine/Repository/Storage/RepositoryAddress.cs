using System.Net;
using System.Text.RegularExpressions;

namespace DbBackup.Engine.Repository.Storage;

/// <summary>Where a repository is, parsed from <c>--repository</c> / <c>-Repository</c> /
/// <c>DBBACKUP_REPOSITORY</c>: a local folder, <c>s3://bucket/prefix</c>, <c>azure://container/prefix</c>
/// (WAL-G's forms), or a blob URL (<c>https://account.blob.core.windows.net/container/prefix</c>, or an
/// emulator's path-style <c>http://127.0.0.1:10000/devstoreaccount1/container/prefix</c>).
/// Anything else that carries a scheme is refused: it is never taken as a relative folder (which once
/// made <c>azure:/…</c> a folder named "azure:" in the current directory). Credentials never come from
/// the address: a URL with a query (a SAS) or a user name is refused.</summary>
public sealed partial record RepositoryAddress
{
    private RepositoryAddress(RepositoryStoreKind kind, string location) { Kind = kind; Location = location; }

    /// <summary>Which driver serves it.</summary>
    public RepositoryStoreKind Kind { get; }

    /// <summary>The address in its canonical form, for messages and records (never a credential).</summary>
    public string Location { get; }

    /// <summary>The folder, for <see cref="RepositoryStoreKind.Local"/>.</summary>
    public string? LocalPath { get; private init; }

    /// <summary>The bucket (S3) or container (Azure).</summary>
    public string? Container { get; private init; }

    /// <summary>The key prefix inside the bucket or container: empty, or segments joined by '/' and
    /// ending with '/'.</summary>
    public string Prefix { get; private init; } = "";

    /// <summary>The blob service endpoint named by a URL address (<c>https://account.blob.core.windows.net/</c>,
    /// <c>http://127.0.0.1:10000/devstoreaccount1/</c>); null for <c>azure://</c>, whose account comes from
    /// the environment.</summary>
    public Uri? AzureServiceUri { get; private init; }

    /// <summary>The storage account named by a URL address.</summary>
    public string? AzureAccount { get; private init; }

    /// <summary>The forms accepted, for error messages.</summary>
    public const string AcceptedForms = "a local folder, s3://bucket/prefix, azure://container/prefix, https://account.blob.core.windows.net/container/prefix, or an emulator URL such as http://127.0.0.1:10000/devstoreaccount1/container/prefix";

    /// <summary>Parses an address; throws <c>RepositoryAddressInvalid</c> naming the value and the forms accepted.</summary>
    public static RepositoryAddress Parse(string value) => Parse(value, OperatingSystem.IsWindows());

    /// <summary>Parses as on Windows (<paramref name="windows"/>: a drive letter is not a scheme) or elsewhere.</summary>
    internal static RepositoryAddress Parse(string value, bool windows)
    {
        if (string.IsNullOrWhiteSpace(value)) throw Invalid(value ?? "", "it is empty");
        if (DriveLetter().IsMatch(value))
            return windows ? Local(value) : throw Invalid(value, $"'{value[..2]}' is a Windows drive letter and this is not Windows");
        var scheme = Scheme().Match(value);
        if (!scheme.Success) return Local(value);

        return scheme.Groups["scheme"].Value.ToLowerInvariant() switch
        {
            "s3" => ParseBucketForm(value, RepositoryStoreKind.S3, "s3", "bucket", S3Bucket()),
            "azure" => ParseBucketForm(value, RepositoryStoreKind.Azure, "azure", "container", AzureContainer()),
            "https" or "http" => ParseBlobUrl(value),
            var other => throw Invalid(value, $"the scheme '{other}:' is not one DbBackup can store to (a local folder whose name holds a colon is written ./{value})"),
        };
    }

    private static RepositoryAddress Local(string path)
        => new(RepositoryStoreKind.Local, Path.GetFullPath(path)) { LocalPath = Path.GetFullPath(path) };

    private static RepositoryAddress ParseBucketForm(string value, RepositoryStoreKind kind, string scheme, string what, Regex validName)
    {
        if (!value.StartsWith(scheme + "://", StringComparison.OrdinalIgnoreCase)) throw Invalid(value, $"{scheme}: addresses are written {scheme}://{what}/prefix");
        var rest = value[(scheme.Length + 3)..];
        if (rest.IndexOfAny(['?', '#', '@']) >= 0) throw Invalid(value, "credentials and options never go in the address; they come from the environment (see the README's 'Object storage')");
        var slash = rest.IndexOf('/');
        var name = slash < 0 ? rest : rest[..slash];
        if (!validName.IsMatch(name)) throw Invalid(value, $"'{name}' is not a valid {what} name (3-63 lower-case letters, digits{(kind == RepositoryStoreKind.S3 ? ", dots" : "")} and hyphens)");
        var prefix = NormalisePrefix(value, slash < 0 ? "" : rest[(slash + 1)..]);
        return new RepositoryAddress(kind, $"{scheme}://{name}/{prefix}") { Container = name, Prefix = prefix };
    }

    private static RepositoryAddress ParseBlobUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Host.Length == 0) throw Invalid(value, "it is not a valid URL");
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw Invalid(value, "credentials (a SAS token, a user name) never go in the address: set AZURE_STORAGE_SAS_TOKEN or another credential variable instead");
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var authority = uri.GetLeftPart(UriPartial.Authority);
        string account;
        if (uri.Host.Contains(".blob.", StringComparison.OrdinalIgnoreCase))
        {
            // https://account.blob.core.windows.net/… (and the sovereign clouds, private endpoints, Azure Stack).
            if (uri.Scheme != Uri.UriSchemeHttps) throw Invalid(value, "an Azure storage account is reached over https");
            account = uri.Host[..uri.Host.IndexOf('.')];
        }
        else if (IsEmulatorHost(uri.Host))
        {
            // Path-style, as Azurite serves it: the account is the first path segment.
            if (segments.Count == 0) throw Invalid(value, "an emulator URL names the account first: http://127.0.0.1:10000/devstoreaccount1/container/prefix");
            account = segments[0];
            segments.RemoveAt(0);
            authority += "/" + account;
        }
        else throw Invalid(value, $"'{uri.Host}' is not an Azure blob endpoint (account.blob.core.windows.net) or an emulator (an IP address, localhost or a one-word host name)");

        if (segments.Count == 0 || !AzureContainer().IsMatch(segments[0])) throw Invalid(value, $"'{(segments.Count == 0 ? "" : segments[0])}' is not a valid container name (3-63 lower-case letters, digits and hyphens)");
        var prefix = NormalisePrefix(value, string.Join('/', segments.Skip(1)));
        return new RepositoryAddress(RepositoryStoreKind.Azure, $"{authority}/{segments[0]}/{prefix}")
        {
            Container = segments[0], Prefix = prefix, AzureAccount = account, AzureServiceUri = new Uri(authority + "/"),
        };
    }

    private static bool IsEmulatorHost(string host)
        => IPAddress.TryParse(host.Trim('[', ']'), out _) || host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || !host.Contains('.');

    private static string NormalisePrefix(string value, string prefix)
    {
        var segments = prefix.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".." || s.Contains('\\'))) throw Invalid(value, "the prefix may not contain '.', '..' or '\\' segments");
        return segments.Length == 0 ? "" : string.Join('/', segments) + "/";
    }

    private static DbBackupException Invalid(string value, string why)
        => new DbBackupException(ErrorKind.InvalidArgument, "RepositoryAddressInvalid",
            $"The repository address '{Shown(value)}' is not understood: {why}. Accepted: {AcceptedForms}.") { TargetObject = Shown(value) };

    /// <summary>The value as shown in a message: anything after '?' (a SAS would be there) is cut.</summary>
    private static string Shown(string value)
    {
        var query = value.IndexOf('?');
        var shown = query < 0 ? value : value[..query] + "?…";
        return AtSign().Replace(shown, "//…@");
    }

    [GeneratedRegex(@"^[A-Za-z]:([\\/]|$)")]
    private static partial Regex DriveLetter();

    // A URI scheme (RFC 3986) followed by ':'; a one-letter "scheme" is a drive letter, handled above.
    [GeneratedRegex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*):")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")]
    private static partial Regex S3Bucket();

    [GeneratedRegex(@"^(?!.*--)[a-z0-9][a-z0-9\-]{1,61}[a-z0-9]$")]
    private static partial Regex AzureContainer();

    [GeneratedRegex(@"//[^/@]*@")]
    private static partial Regex AtSign();
}
