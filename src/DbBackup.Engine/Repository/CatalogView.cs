using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>The records of one kind that a catalog read found: one item per folder with a readable
/// record, and why each unreadable one was skipped.</summary>
internal sealed class CatalogView<T> where T : OperationRecord
{
    /// <summary>One item per readable record, in no particular order.</summary>
    public List<CatalogItem<T>> Items { get; } = [];

    /// <summary>The errors of the records that could not be read (damaged, altered, foreign), in id order.</summary>
    public List<string> Problems { get; } = [];
}
