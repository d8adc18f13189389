using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>One record as a catalog read found it: its entry, and its manifest when the read had to
/// read it (the entry was missing, marked changing, active, or not trusted).</summary>
internal sealed class CatalogItem<T>(CatalogEntry entry, T? record) where T : OperationRecord
{
    /// <summary>What lists filter and sort on (from <see cref="Record"/> when that was read).</summary>
    public CatalogEntry Entry { get; set; } = entry;

    /// <summary>The manifest, when it was read.</summary>
    public T? Record { get; set; } = record;
}
