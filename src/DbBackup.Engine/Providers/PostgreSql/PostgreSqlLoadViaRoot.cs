using System.Buffers.Binary;
using System.Globalization;
using DbBackup.Model;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Per-table figures of a dump when some partitions' rows are loaded through their partition
/// root (see PostgreSqlCatalog.LoadViaRoot). Which partition such a row lands in differs between the
/// source and the restored database, so their rows are counted and checksummed per root, not per
/// partition: a restored database can then be compared with the backup (verify).</summary>
internal static class PostgreSqlLoadViaRoot
{
    /// <summary>One stat per table, except that partitions loaded through a root are summed into one stat
    /// named after the root. RowSetChecksum is a sum modulo 2^128, so the root's checksum is the sum of
    /// its partitions' checksums: the checksum of all their rows.</summary>
    public static List<TableStat> Stats(IEnumerable<PostgreSqlTocTable> tables)
        => tables.GroupBy(t => (t.LoadViaSchema ?? t.Schema, t.LoadViaName ?? t.Name))
            .Select(g => new TableStat
            {
                Schema = g.Key.Item1,
                Name = g.Key.Item2,
                Rows = g.Sum(t => t.Rows),
                ContentChecksum = g.Count() == 1 ? g.First().ContentChecksum : Sum(g.Select(t => t.ContentChecksum)),
            })
            .ToList();

    /// <summary>The sum of RowSetChecksums: the checksum of all their rows.</summary>
    public static string Sum(IEnumerable<string> checksums)
    {
        UInt128 sum = 0;
        foreach (var c in checksums) sum += UInt128.Parse(c, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, sum);
        return Convert.ToHexStringLower(bytes);
    }
}
