namespace DbBackup.Engine.Repository.Storage;

/// <summary>A part of one folder listing (<see cref="IRepositoryStore.ListFoldersAsync(string, FolderRange, CancellationToken)"/>),
/// so that a big listing can be split into parts listed at once. A folder <c>F</c> belongs to it when
/// its key segment <c>F + "/"</c> starts with <see cref="NamePrefix"/>, is at least <see cref="From"/>
/// and is below <see cref="Before"/> (ordinal). Comparing <c>F + "/"</c>, not <c>F</c>, is the order
/// the object stores list in, so ranges that meet (one's <see cref="Before"/> the next one's
/// <see cref="From"/>) cover every folder exactly once, whatever its name.</summary>
/// <param name="NamePrefix">What the folder names start with ("" for any).</param>
/// <param name="From">The lowest <c>F + "/"</c> in the range (inclusive), null for no lower bound.</param>
/// <param name="Before">The end of the range (exclusive), null for no upper bound.</param>
public sealed record FolderRange(string NamePrefix, string? From, string? Before)
{
    /// <summary>Whether the folder <paramref name="name"/> is in the range.</summary>
    public bool Contains(string name)
    {
        var segment = name + "/";
        return segment.StartsWith(NamePrefix, StringComparison.Ordinal) && !IsBelow(segment) && !IsPast(segment);
    }

    /// <summary>Whether <paramref name="segment"/> (<c>F + "/"</c>) sorts before the range.</summary>
    internal bool IsBelow(string segment) => From is not null && string.CompareOrdinal(segment, From) < 0;

    /// <summary>Whether <paramref name="segment"/> (<c>F + "/"</c>) sorts at or after the range's end, so
    /// that a listing in key order can stop there.</summary>
    internal bool IsPast(string segment) => Before is not null && string.CompareOrdinal(segment, Before) >= 0;
}
