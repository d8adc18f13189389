using System.Globalization;
using System.Text;
using DbBackup.Engine.Artifacts;
using DbBackup.Model;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Per-table restore for MySQL/MariaDB: the backup is restored into a scratch database first
/// (the ordinary restore), then ONE <c>RENAME TABLE</c> statement (atomic) moves the old tables out to a
/// database of their own and the restored ones in; then the restored tables' triggers are created and
/// the old tables dropped. A failure before the old tables are dropped moves everything back. Views, routines and other tables refer to tables
/// by name, so they keep working on the restored tables.</summary>
public sealed partial class MySqlProvider
{
    /// <summary>Test hook: called with a step name during <see cref="ReplaceTablesAsync"/>; throwing from
    /// it simulates a failure at that step.</summary>
    internal Action<string>? TableReplaceFaultInjection { get; set; }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> FindTableReplaceBlockersAsync(ConnectionTarget target, IReadOnlyList<TableStat> tables, CancellationToken cancellationToken)
    {
        // A foreign key follows its parent through RENAME TABLE, so one from another table would end up
        // on the old table; it cannot be carried over atomically, so such a restore is refused.
        var rows = await MySqlConnections.QueryAsync(target, null,
            "SELECT HEX(constraint_schema), HEX(table_name), HEX(constraint_name), HEX(referenced_table_name) FROM information_schema.referential_constraints " +
            $"WHERE unique_constraint_schema = {MySqlSyntax.StringLiteral(target.Database)} AND referenced_table_name IN ({NameList(tables)}) " +
            $"AND NOT (constraint_schema = {MySqlSyntax.StringLiteral(target.Database)} AND table_name IN ({NameList(tables)})) ORDER BY 1, 2, 3;",
            cancellationToken).ConfigureAwait(false);
        return rows.Select(r => $"foreign key {MySqlSyntax.FromHex(r[2])} of table {MySqlSyntax.FromHex(r[0])}.{MySqlSyntax.FromHex(r[1])} (references {MySqlSyntax.FromHex(r[3])})").ToList();
    }

    /// <inheritdoc/>
    public async Task ReplaceTablesAsync(TableReplaceRequest request, IPayloadSource source, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
    {
        var target = request.Target;
        var db = target.Database;
        var scratch = request.ScratchDatabase;
        var names = request.Tables.Select(t => t.Name).ToList();
        if (request.CreateDatabase)
        {
            var toc = await ReadTocAsync(source, cancellationToken).ConfigureAwait(false);
            await MySqlConnections.QueryAsync(target, null, CreateDatabaseSql(db, toc), cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await RestoreAsync(new RestoreRequest(target.WithDatabase(scratch), request.Backup, request.Jobs), source, progress, cancellationToken).ConfigureAwait(false);
            try
            {
                await PrepareScratchTablesAsync(target, scratch, request.CreateDatabase ? null : db, names, cancellationToken).ConfigureAwait(false);
                await SwapTablesInAsync(target, scratch, db, names).ConfigureAwait(false);
            }
            finally
            {
                await DropDatabaseAsync(target, scratch, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch when (request.CreateDatabase)
        {
            try { await DropDatabaseAsync(target, db, CancellationToken.None).ConfigureAwait(false); }
            catch (DbBackupException) { /* the original error matters more */ }
            throw;
        }
    }

    /// <summary>Readies the restored tables in the scratch database to move: foreign keys to tables that
    /// are not moved are re-pointed at the target database's tables (a foreign key keeps the database it
    /// was created in), as are defaults taking a sequence's next or previous value, and their triggers
    /// are captured and dropped (a table with triggers cannot move to another database). With no <paramref name="db"/> (a new database, without those other tables)
    /// such keys are left out, as pg_restore -t leaves them.</summary>
    private static async Task PrepareScratchTablesAsync(ConnectionTarget server, string scratch, string? db, List<string> names, CancellationToken ct)
    {
        var fks = await MySqlConnections.QueryAsync(server, null,
            "SELECT HEX(rc.table_name), HEX(rc.constraint_name), HEX(rc.referenced_table_name), rc.update_rule, rc.delete_rule, " +
            "GROUP_CONCAT(HEX(k.column_name) ORDER BY k.ordinal_position), GROUP_CONCAT(HEX(k.referenced_column_name) ORDER BY k.ordinal_position) " +
            "FROM information_schema.referential_constraints rc JOIN information_schema.key_column_usage k " +
            "ON k.constraint_schema = rc.constraint_schema AND k.table_name = rc.table_name AND k.constraint_name = rc.constraint_name " +
            $"WHERE rc.constraint_schema = {MySqlSyntax.StringLiteral(scratch)} AND rc.table_name IN ({NameList(names)}) " +
            $"AND rc.unique_constraint_schema = {MySqlSyntax.StringLiteral(scratch)} AND rc.referenced_table_name NOT IN ({NameList(names)}) " +
            "GROUP BY rc.table_name, rc.constraint_name, rc.referenced_table_name, rc.update_rule, rc.delete_rule;", ct).ConfigureAwait(false);
        var sql = new StringBuilder("SET SESSION foreign_key_checks = 0;\n");
        foreach (var r in fks)
        {
            static string Columns(string hexList) => string.Join(", ", hexList.Split(',').Select(h => MySqlSyntax.Identifier(MySqlSyntax.FromHex(h))));
            var table = MySqlSyntax.Qualified(scratch, MySqlSyntax.FromHex(r[0]));
            var name = MySqlSyntax.Identifier(MySqlSyntax.FromHex(r[1]));
            sql.Append($"ALTER TABLE {table} DROP FOREIGN KEY {name};\n");
            if (db != null)
                sql.Append($"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({Columns(r[5])}) REFERENCES {MySqlSyntax.Qualified(db, MySqlSyntax.FromHex(r[2]))} ({Columns(r[6])}) ")
                   .Append(Rule("DELETE", r[4])).Append(Rule("UPDATE", r[3])).Append(";\n");
        }
        if (fks.Count > 0) await MySqlConnections.QueryAsync(server, null, sql.ToString(), ct).ConfigureAwait(false);
        if (db == null) return;
        // Likewise a NEXT/PREVIOUS VALUE FOR default keeps naming the scratch database's sequence.
        var reader = await MySqlSchemaReader.OpenAsync(server.WithDatabase(scratch), ct).ConfigureAwait(false);
        string defaults;
        try { defaults = await reader.SequenceDefaultsAsync(names, db, ct).ConfigureAwait(false); }
        finally { await reader.DisposeAsync().ConfigureAwait(false); }
        if (defaults.Length > 0) await MySqlScriptRunner.ApplyAsync(server, scratch, defaults, ct).ConfigureAwait(false);
    }

    /// <summary>An ON DELETE/UPDATE clause; none for RESTRICT, the default (MariaDB reports an explicit
    /// RESTRICT as NO ACTION afterwards).</summary>
    private static string Rule(string action, string rule) => rule switch
    {
        "RESTRICT" => "",
        "CASCADE" or "SET NULL" or "SET DEFAULT" or "NO ACTION" => $" ON {action} {rule}",
        _ => throw new DbBackupException(ErrorKind.ServerError, "MySqlUnexpectedAnswer", $"Unexpected foreign key rule '{rule}'."),
    };

    /// <summary>The swap proper. The old tables move to a database of their own rather than to other names
    /// in theirs: foreign key names are unique per database, so the restored tables' keys could not
    /// arrive while the old ones still held the names. A table with triggers cannot change database, so
    /// the old tables' triggers are dropped just before the RENAME (and put back if anything fails).
    /// From the RENAME on nothing is cancelled: the swap is finished or undone.</summary>
    private async Task SwapTablesInAsync(ConnectionTarget server, string scratch, string db, List<string> names)
    {
        var ct = CancellationToken.None;
        var newTriggers = await TriggersAsync(server, scratch, names, ct).ConfigureAwait(false);
        var oldTriggers = await TriggersAsync(server, db, names, ct).ConfigureAwait(false);
        if (newTriggers.Count > 0) await MySqlConnections.QueryAsync(server, null, DropTriggers(scratch, newTriggers), ct).ConfigureAwait(false);
        var existing = (await MySqlConnections.QueryAsync(server, null,
            $"SELECT HEX(table_name) FROM information_schema.tables WHERE table_schema = {MySqlSyntax.StringLiteral(db)} AND table_name IN ({NameList(names)});", ct).ConfigureAwait(false))
            .Select(r => MySqlSyntax.FromHex(r[0])).Where(names.Contains).ToList();
        var oldDb = "dbbackup_old_" + Guid.NewGuid().ToString("N")[..16];
        await MySqlConnections.QueryAsync(server, null, $"CREATE DATABASE {MySqlSyntax.Identifier(oldDb)};", ct).ConfigureAwait(false);
        static string Rename(IEnumerable<(string From, string To)> pairs) => "SET SESSION lock_wait_timeout = 60;\nRENAME TABLE " + string.Join(", ", pairs.Select(p => p.From + " TO " + p.To)) + ";";
        var renamed = false;
        try
        {
            TableReplaceFaultInjection?.Invoke("before-rename");
            if (oldTriggers.Count > 0) await MySqlConnections.QueryAsync(server, null, DropTriggers(db, oldTriggers), ct).ConfigureAwait(false);
            await MySqlConnections.QueryAsync(server, null, Rename(
                existing.Select(n => (MySqlSyntax.Qualified(db, n), MySqlSyntax.Qualified(oldDb, n)))
                    .Concat(names.Select(n => (MySqlSyntax.Qualified(scratch, n), MySqlSyntax.Qualified(db, n))))), ct).ConfigureAwait(false);
            renamed = true;
            TableReplaceFaultInjection?.Invoke("after-rename");
            if (newTriggers.Count > 0) await CreateTriggersAsync(server, db, newTriggers, ct).ConfigureAwait(false);
            TableReplaceFaultInjection?.Invoke("after-triggers");
        }
        catch (Exception failure)
        {
            try
            {
                var now = await TriggersAsync(server, db, names, ct).ConfigureAwait(false);
                if (now.Count > 0) await MySqlConnections.QueryAsync(server, null, DropTriggers(db, now), ct).ConfigureAwait(false);
                if (renamed)
                    await MySqlConnections.QueryAsync(server, null, Rename(
                        names.Select(n => (MySqlSyntax.Qualified(db, n), MySqlSyntax.Qualified(scratch, n)))
                            .Concat(existing.Select(n => (MySqlSyntax.Qualified(oldDb, n), MySqlSyntax.Qualified(db, n))))), ct).ConfigureAwait(false);
                if (oldTriggers.Count > 0) await CreateTriggersAsync(server, db, oldTriggers, ct).ConfigureAwait(false);
                await DropDatabaseAsync(server, oldDb, ct).ConfigureAwait(false);
            }
            catch (Exception undo)
            {
                throw new DbBackupException(ErrorKind.ServerError, "MySqlTableSwapUndoFailed",
                    $"Replacing tables {string.Join(", ", names)} of '{db}' failed ({failure.Message}) and undoing it failed too ({undo.Message}). " +
                    $"The old tables may be in database '{oldDb}'; inspect and move them back by hand.", failure);
            }
            if (failure is DbBackupException) throw;
            throw new DbBackupException(ErrorKind.ServerError, "MySqlTableSwapFailed", $"Replacing tables {string.Join(", ", names)} of '{db}' failed and was undone: {failure.Message}", failure);
        }
        await MySqlConnections.QueryAsync(server, null, $"SET SESSION foreign_key_checks = 0;\nDROP DATABASE {MySqlSyntax.Identifier(oldDb)};", ct).ConfigureAwait(false);
    }

    /// <summary>A trigger and the statement that created it, as SHOW CREATE TRIGGER gives it back (the text
    /// the source was written in, which the dump tools and a whole restore keep).</summary>
    private sealed record Trigger(string Name, string Original, string SqlMode, string ClientCharset, string Collation);

    /// <summary>The triggers on <paramref name="tables"/>, in their firing order.</summary>
    private static async Task<List<Trigger>> TriggersAsync(ConnectionTarget server, string database, List<string> tables, CancellationToken ct)
    {
        var rows = await MySqlConnections.QueryAsync(server, null,
            "SELECT HEX(trigger_name) " +
            $"FROM information_schema.triggers WHERE trigger_schema = {MySqlSyntax.StringLiteral(database)} AND event_object_table IN ({NameList(tables)}) " +
            "ORDER BY event_object_table, action_timing, event_manipulation, action_order;", ct).ConfigureAwait(false);
        var triggers = new List<Trigger>();
        foreach (var name in rows.Select(r => MySqlSyntax.FromHex(r[0])))
        {
            // Trigger, sql_mode, SQL Original Statement, character_set_client, collation_connection, …
            var show = await MySqlConnections.QueryAsync(server, null, $"SHOW CREATE TRIGGER {MySqlSyntax.Qualified(database, name)}", ct).ConfigureAwait(false);
            if (show.Count != 1 || show[0].Length < 5)
                throw new DbBackupException(ErrorKind.ServerError, "MySqlUnexpectedAnswer", $"SHOW CREATE TRIGGER of '{name}' in '{database}' gave {show.Count} rows; one was expected.");
            triggers.Add(new Trigger(name, show[0][2], show[0][1], show[0][3], show[0][4]));
        }
        return triggers;
    }

    private static string DropTriggers(string database, List<Trigger> triggers)
        => string.Concat(triggers.Select(t => $"DROP TRIGGER IF EXISTS {MySqlSyntax.Qualified(database, t.Name)};\n"));

    /// <summary>Creates the triggers as the dump tool writes them: each under its own sql_mode, definer,
    /// client character set and connection collation; one command each, so the server parses the body and
    /// no client delimiter is needed.</summary>
    private static async Task CreateTriggersAsync(ConnectionTarget server, string database, List<Trigger> triggers, CancellationToken ct)
    {
        await using var connection = await MySqlConnections.OpenAsync(server, database, ct).ConfigureAwait(false);
        foreach (var t in triggers)
        {
            // The original statement names its definer and, unqualified, its table: the connection's database.
            var create = t.Original;
            var charset = MySqlSyntax.ClientCharsetKeepsText(t.ClientCharset, create) ? $"character_set_client = {MySqlSyntax.StringLiteral(t.ClientCharset)}, " : "";
            await MySqlConnections.ExecuteAsync(connection, server,
                $"SET SESSION {charset}collation_connection = {MySqlSyntax.StringLiteral(t.Collation)}, sql_mode = {MySqlSyntax.StringLiteral(t.SqlMode)}", ct).ConfigureAwait(false);
            await MySqlConnections.ExecuteAsync(connection, server, create, ct).ConfigureAwait(false);
            await MySqlConnections.ExecuteAsync(connection, server, "SET NAMES utf8mb4", ct).ConfigureAwait(false);
        }
    }

    private static string NameList(IEnumerable<TableStat> tables) => NameList(tables.Select(t => t.Name));

    private static string NameList(IEnumerable<string> names)
    {
        var list = string.Join(", ", names.Select(MySqlSyntax.StringLiteral));
        return list.Length == 0 ? "NULL" : list;
    }
}
