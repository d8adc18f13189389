using System.Globalization;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The rows of a table stored in heap blocks [<see cref="First"/>, <see cref="End"/>): one piece
/// of a table split across dump jobs. The last piece has no end, so rows in blocks added since the size
/// was read are still copied (under the snapshot no row of a later transaction is visible anyway).</summary>
/// <param name="First">First block.</param>
/// <param name="End">Block after the last, or null for "to the end of the table".</param>
internal readonly record struct PostgreSqlBlockRange(long First, long? End)
{
    /// <summary>The condition on ctid; PostgreSQL 14 and newer run it as a TID range scan reading only these blocks.</summary>
    public string Condition => "ctid >= " + Tid(First) + (End is { } end ? " AND ctid < " + Tid(end) : "");

    private static string Tid(long block) => "'(" + block.ToString(CultureInfo.InvariantCulture) + ",0)'::tid";
}
