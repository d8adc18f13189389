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

    private static string Printable(string? s) => s == null ? "(none)" : new(s.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
