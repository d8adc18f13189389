namespace DbBackup.Engine.Repository.Storage;

/// <summary>When a small-object write may happen: always, only when nothing is stored under the key
/// (locks, new manifests: Azure <c>If-None-Match: *</c>, S3 <c>If-None-Match</c>, O_EXCL locally), or
/// only while the stored version is still the one read (compare-and-swap of records: <c>If-Match</c>).</summary>
public readonly record struct WriteCondition
{
    private WriteCondition(WriteConditionKind kind, string? version)
    {
        Kind = kind;
        Version = version;
    }

    /// <summary>The kind of condition.</summary>
    public WriteConditionKind Kind { get; }

    /// <summary>The version that must still be stored, for <see cref="WriteConditionKind.IfVersion"/>.</summary>
    public string? Version { get; }

    /// <summary>Write whatever is stored.</summary>
    public static WriteCondition None => new(WriteConditionKind.None, null);

    /// <summary>Write only when the key holds nothing.</summary>
    public static WriteCondition IfAbsent => new(WriteConditionKind.IfAbsent, null);

    /// <summary>Write only while the stored version is <paramref name="version"/>.</summary>
    public static WriteCondition IfVersion(string version) => new(WriteConditionKind.IfVersion, version);
}

/// <summary>See <see cref="WriteCondition"/>.</summary>
public enum WriteConditionKind
{
    /// <summary>Unconditional.</summary>
    None,
    /// <summary>Only when absent.</summary>
    IfAbsent,
    /// <summary>Only while unchanged.</summary>
    IfVersion,
}
