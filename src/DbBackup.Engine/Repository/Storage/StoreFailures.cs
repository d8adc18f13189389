namespace DbBackup.Engine.Repository.Storage;

/// <summary>The errors the object-store drivers raise for what the SDKs report, with stable ids. Messages
/// name the store, the key, the right or the credential's source (an environment variable's name),
/// never a credential's value; the SDK's own message is not passed on for that reason (its status and
/// error code are).</summary>
internal static class StoreFailures
{
    /// <summary>The credential works but does not grant <paramref name="right"/>.</summary>
    public static DbBackupException AccessDenied(string location, string key, StoreRight right, string credentialSource, string code, Exception inner)
        => new DbBackupException(ErrorKind.AuthenticationError, "StoreAccessDenied",
            $"The credential ({credentialSource}) may not {Verb(right)} '{key}' in the repository at {location}: it lacks the {Name(right)} right ({code}). " +
            $"Use a credential that grants {Name(right)} (an Azure SAS with '{SasLetter(right)}', an S3 policy with {S3Action(right)}).", inner)
        {
            TargetObject = key,
            Data = { [StoreErrors.DeniedRightKey] = right, [StoreErrors.CredentialSourceKey] = credentialSource },
        };

    /// <summary>A local folder's file system refused the user <paramref name="right"/> on <paramref name="key"/>
    /// (its modes or group; see SecureFiles for shared repositories).</summary>
    public static DbBackupException LocalAccessDenied(string location, string key, StoreRight right, Exception inner)
    {
        // A uid without a passwd entry (a container's, setpriv's) has no name.
        var user = Environment.UserName is { Length: > 0 } name ? $"user '{name}'" : "user running DbBackup";
        var source = $"the file permissions of the {user}";
        return new DbBackupException(ErrorKind.AuthenticationError, "StoreAccessDenied",
            $"The {user} may not {Verb(right)} '{key}' in the repository at {location}: the file system refuses it (permission denied). " +
            $"A repository shared by a group gives readers its group's read bits and writers its write bits (a setgid root, chmod 2750 or 2770).", inner)
        {
            TargetObject = key,
            Data = { [StoreErrors.DeniedRightKey] = right, [StoreErrors.CredentialSourceKey] = source },
        };
    }

    /// <summary>An operation refused before it changed anything, because the probe <paramref name="denial"/>
    /// (a StoreAccessDenied error) found the credential without <paramref name="right"/>.
    /// <paramref name="operation"/> names the command in both front ends' words ("dbbackup remove /
    /// Remove-DbBackup"); <paramref name="outcome"/> says what was left as it was.</summary>
    public static DbBackupException RightMissing(string location, StoreRight right, string operation, string outcome, DbBackupException denial)
    {
        var source = denial.Data[StoreErrors.CredentialSourceKey] as string ?? "the configured credential";
        return new DbBackupException(ErrorKind.AuthenticationError, "StoreRightMissing",
            $"{operation} needs the {Name(right)} right on the repository at {location}, and the credential ({source}) does not grant it. " +
            $"{outcome} Use a credential that grants {Name(right)} (an Azure SAS with '{SasLetter(right)}', an S3 policy with {S3Action(right)}).", denial)
        {
            TargetObject = location,
            Data = { [StoreErrors.DeniedRightKey] = right, [StoreErrors.CredentialSourceKey] = source },
        };
    }

    /// <summary>The store did not accept the credential at all (wrong key, expired SAS or token).</summary>
    public static DbBackupException AuthenticationFailed(string location, string credentialSource, string code, Exception inner)
        => new DbBackupException(ErrorKind.AuthenticationError, "StoreAuthenticationFailed",
            $"The repository at {location} refused the credential ({credentialSource}): {code}. Check the key, SAS token or identity that variable provides (it is not shown here).", inner) { TargetObject = location };

    /// <summary>No credential source is configured, or the one configured gave nothing.</summary>
    public static DbBackupException CredentialsMissing(string location, string what, Exception? inner = null)
        => new DbBackupException(ErrorKind.AuthenticationError, "StoreCredentialsMissing",
            $"No credential for the repository at {location}: {what}", inner) { TargetObject = location };

    /// <summary>The bucket or container does not exist (DbBackup never creates one: that needs rights a
    /// backup credential should not have).</summary>
    public static DbBackupException ContainerNotFound(string location, string container, string what, Exception inner, string? credentialSource = null)
        => new DbBackupException(ErrorKind.NotFound, "StoreContainerNotFound",
            $"The {what} '{container}' of the repository at {location} does not exist: DbBackup never creates one. Create it first ({HowToCreate(container, what, credentialSource)}), or check the address.", inner) { TargetObject = container };

    // Says how, so the person reading the error at 3 a.m. need not look it up; with the credential they
    // already use (az reads the same AZURE_STORAGE_* variables), not a login they may not have.
    private static string HowToCreate(string container, string what, string? credentialSource) => what == "bucket"
        ? $"aws s3 mb s3://{container}, or the S3 console's Create bucket"
        : credentialSource switch
        {
            "AZURE_STORAGE_CONNECTION_STRING" => $"az storage container create --name {container}, which reads the same AZURE_STORAGE_CONNECTION_STRING",
            "AZURE_STORAGE_KEY" => $"az storage container create --name {container} --account-name <account>, which reads the same AZURE_STORAGE_KEY",
            "AZURE_STORAGE_SAS_TOKEN" => $"az storage container create --name {container} --account-name <account> with the account key or --auth-mode login; a SAS token creates one only if it is an account SAS with the 'c' permission",
            _ => $"az storage container create --name {container} --account-name <account> --auth-mode login",
        } + ", or the portal's Storage account > Containers > + Container";

    /// <summary>The store could not be reached or kept failing after the retries.</summary>
    public static DbBackupException Unavailable(string location, string what, Exception inner)
        => new DbBackupException(ErrorKind.ConnectionError, "StoreUnavailable",
            $"The repository at {location} could not be reached or kept failing after retries: {what}.", inner) { TargetObject = location };

    /// <summary>Any other refusal by the store.</summary>
    public static DbBackupException RequestFailed(string location, string key, int status, string code, Exception inner)
        => new DbBackupException(ErrorKind.ServerError, "StoreRequestFailed",
            $"The repository at {location} refused a request on '{key}': HTTP {status} {code}.", inner) { TargetObject = key };

    /// <summary>The verb of <paramref name="right"/> ("read", "list", "write", "delete").</summary>
    internal static string Verb(StoreRight right) => right switch
    {
        StoreRight.Read => "read", StoreRight.List => "list", StoreRight.Write => "write", _ => "delete",
    };

    private static string Name(StoreRight right) => Verb(right);

    /// <summary>The Azure SAS permission letter that grants <paramref name="right"/>.</summary>
    internal static char SasLetter(StoreRight right) => right switch
    {
        StoreRight.Read => 'r', StoreRight.List => 'l', StoreRight.Write => 'w', _ => 'd',
    };

    /// <summary>The S3 policy action that grants <paramref name="right"/>.</summary>
    internal static string S3Action(StoreRight right) => right switch
    {
        StoreRight.Read => "s3:GetObject", StoreRight.List => "s3:ListBucket", StoreRight.Write => "s3:PutObject", _ => "s3:DeleteObject",
    };

    /// <summary>Whether <paramref name="e"/> is the file system saying its disk is full (ENOSPC 28 on
    /// Unix, ERROR_DISK_FULL 112 on Windows).</summary>
    public static bool IsDiskFull(IOException e)
        => (e.HResult & 0xFFFF) is 28 or 112 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    /// <summary>A write to <paramref name="path"/> failed because its disk is full. A DbBackupException, so
    /// whatever only tries to write (a list refreshing its catalog) goes on without it, and the user is
    /// told which disk and which file, not a bare IOException.</summary>
    public static DbBackupException DiskFull(string path, IOException inner)
        => new DbBackupException(ErrorKind.ServerError, "DiskFull",
            $"The disk is full: writing '{path}' failed ({inner.Message.Split(" : ")[0].Trim()}). Free space on the disk holding '{Path.GetDirectoryName(path)}' and try again.", inner)
        { TargetObject = path };
}
