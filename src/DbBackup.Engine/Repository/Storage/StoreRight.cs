namespace DbBackup.Engine.Repository.Storage;

/// <summary>The rights a store's credential can grant, as the stores name them (an Azure SAS's r, l, w,
/// d; S3 policy actions s3:GetObject, s3:ListBucket, s3:PutObject, s3:DeleteObject). An operation the
/// credential does not allow is refused naming the one it needed.</summary>
public enum StoreRight
{
    /// <summary>Read an object (SAS 'r', s3:GetObject).</summary>
    Read,
    /// <summary>List objects (SAS 'l', s3:ListBucket).</summary>
    List,
    /// <summary>Create or change objects (SAS 'w'/'c'/'a', s3:PutObject).</summary>
    Write,
    /// <summary>Delete objects (SAS 'd', s3:DeleteObject).</summary>
    Delete,
}
