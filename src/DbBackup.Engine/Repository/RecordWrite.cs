namespace DbBackup.Engine.Repository;

/// <summary>Outcome of a compare-and-swap record write.</summary>
internal enum RecordWrite
{
    /// <summary>Written.</summary>
    Written,
    /// <summary>Not written: the stored record moved on (another writer, or it is unreadable).</summary>
    Conflict,
    /// <summary>Not written: the record's lock stayed busy.</summary>
    Busy,
}
