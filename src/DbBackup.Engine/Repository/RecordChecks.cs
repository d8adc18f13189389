using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>What a record read from the repository must satisfy beyond its JSON shape. Entries are
/// keyed by their folder name: a record naming another id is damage, never a second key.</summary>
internal static class RecordChecks
{
    public static void Validate(OperationRecord r, string folderId, string path)
    {
        if (!string.Equals(r.Id, folderId, StringComparison.Ordinal))
            throw new DbBackupException(ErrorKind.InvalidData, "RecordIdMismatch",
                $"'{path}' holds record id '{Printable(r.Id)}', not its folder's name '{folderId}'; the entry is damaged (a copied or edited folder?).") { TargetObject = folderId };
        if (r is BackupRecord b && (b.Files.Any(f => f is null) || b.TableStats.Any(t => t is null) || b.Tables.Any(t => t is null) || b.Labels.Values.Any(v => v is null)))
            throw RecordFile.Damaged(path, "it holds a null where a file, table or label is expected");
    }

    /// <summary>Whether <paramref name="r"/> is an older copy than the catalog's entry <paramref name="entry"/>
    /// of an ended record says exists: active again, or at an earlier revision (writers write the manifest
    /// before its entry, so a current manifest is never behind its entry).</summary>
    public static bool IsRolledBack(OperationRecord r, CatalogEntry entry)
        => entry.IsFinal && (r.IsActive || r.Revision < entry.Revision);

    /// <summary>An active record (Pending, Running) whose catalog says it had ended: records never go
    /// back from ended to active, so the file is an older copy put back (a restored snapshot of the
    /// folder, a sync tool). Its worker must not be found gone and its payload deleted: that would
    /// destroy a finished backup to "repair" a file that is only out of date.</summary>
    public static DbBackupException RolledBack(string path, OperationRecord r, CatalogEntry ended)
        => new DbBackupException(ErrorKind.InvalidData, "RecordRolledBack",
            $"'{path}' is an older copy of record {r.Id}: it says {r.State} (revision {r.Revision}), but the repository's catalog recorded it {ended.State} at revision {ended.Revision}. " +
            "Nothing was changed or deleted. Put the current file back (from a copy of the repository), or remove the record with --force / -Force.") { TargetObject = r.Id };

    private static string Printable(string? s) => s == null ? "(none)" : new(s.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
