using System.Text;
using System.Text.Json;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>The intent record of a MySQL/MariaDB swap, kept in a table of the replacement database (so
/// it lives and dies with the server state it describes). Whoever finds a dead swap reads it to finish
/// the swap (when its RENAME TABLE had committed) or undo it.</summary>
internal sealed class MySqlSwapJournal
{
    /// <summary>The journal table's name inside the replacement database.</summary>
    public const string Table = "__dbbackup_swap_journal";

    /// <summary>Before the RENAME TABLE commit point: the original is untouched.</summary>
    public const string Prepared = "prepared";
    /// <summary>The RENAME TABLE committed: the swap is to be finished.</summary>
    public const string Forward = "forward";
    /// <summary>The views, triggers, routines and events are switched too: only dropping the original's
    /// renamed tables and the replacement is left.</summary>
    public const string Switched = "switched";
    /// <summary>A committed swap is being undone (after an error in the worker).</summary>
    public const string Back = "back";

    public string State { get; set; } = Prepared;
    public string Database { get; set; } = "";
    /// <summary>Each original table and the name it moves to, in <see cref="RetiredDatabase"/>.</summary>
    public List<string[]> Retired { get; set; } = [];
    /// <summary>The database the original's tables move to (foreign key names are unique per database, so
    /// they cannot stay beside the incoming tables' keys of the same names). Null in journals of earlier
    /// versions, which renamed them inside the database itself.</summary>
    public string? RetiredDatabase { get; set; }
    /// <summary>The replacement's tables (they move into the database).</summary>
    public List<string> Incoming { get; set; } = [];
    /// <summary>The original's views, triggers, routines and events as dump-tool SQL.</summary>
    public string OriginalScript { get; set; } = "";
    /// <summary>The replacement's views, triggers, routines and events as dump-tool SQL.</summary>
    public string IncomingScript { get; set; } = "";

    /// <summary>Writes the journal (creating its table) with <paramref name="state"/>.</summary>
    public async Task WriteAsync(ConnectionTarget server, string replacement, string state, CancellationToken cancellationToken)
    {
        State = state;
        var hex = Convert.ToHexString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this)));
        var table = MySqlSyntax.Qualified(replacement, Table);
        await MySqlConnections.QueryAsync(server, null,
            $"CREATE TABLE IF NOT EXISTS {table} (id INT PRIMARY KEY, body LONGBLOB NOT NULL) ENGINE=InnoDB; " +
            $"REPLACE INTO {table} (id, body) VALUES (1, X'{hex}');", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The journal in <paramref name="replacement"/>, or null when it has none.</summary>
    public static async Task<MySqlSwapJournal?> ReadAsync(ConnectionTarget server, string replacement, CancellationToken cancellationToken)
    {
        var exists = await MySqlConnections.QueryAsync(server, null,
            $"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = {MySqlSyntax.StringLiteral(replacement)} AND table_name = {MySqlSyntax.StringLiteral(Table)};",
            cancellationToken).ConfigureAwait(false);
        if (exists.Count == 0 || exists[0][0] == "0") return null;
        var rows = await MySqlConnections.QueryAsync(server, null, $"SELECT HEX(body) FROM {MySqlSyntax.Qualified(replacement, Table)} WHERE id = 1;", cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : JsonSerializer.Deserialize<MySqlSwapJournal>(MySqlSyntax.FromHex(rows[0][0]));
    }

    /// <summary>Removes the journal from <paramref name="replacement"/>.</summary>
    public static Task DeleteAsync(ConnectionTarget server, string replacement, CancellationToken cancellationToken)
        => MySqlConnections.QueryAsync(server, null, $"DROP TABLE IF EXISTS {MySqlSyntax.Qualified(replacement, Table)};", cancellationToken);
}
