using System.Text;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Makes the content of one database become another's, for servers without RENAME DATABASE,
/// all or nothing under a kill at any instant. The commit point is one multi-table RENAME TABLE, which
/// MariaDB applies atomically and crash-safely: the original's tables are renamed aside inside their own
/// database (so their triggers may stay with them) and the replacement's tables move in. Views,
/// triggers, routines and events cannot move, so they are captured first as dump-tool SQL (which omits
/// the database name) into an intent journal (<see cref="MySqlSwapJournal"/>, in the replacement
/// database) before anything changes.
/// <para>Foreign key names are unique per database, and InnoDB renames only the generated ones
/// (<c>t_ibfk_1</c>) with their table: where the two databases share a key name the schema chose (real
/// schemas name their keys, and a restored copy has the same names), the original's tables move to a
/// database of their own instead. A table with triggers cannot change database, so then the original's
/// triggers are dropped just before the commit; an undo, or whoever settles a swap killed there,
/// recreates them from the journal.</para> After the commit the swap is finished from the journal: the
/// original's objects dropped, the replacement's created, the original's tables dropped. Whoever finds
/// a dead swap (<see cref="RecoverAsync"/>) finishes it when the RENAME had committed and undoes it
/// otherwise. An error in this process after the commit undoes it in reverse (tables renamed back,
/// the original's objects recreated).
/// <para>Between the commit and the end of the objects step a client (sessions on the database are
/// killed first) may see the new tables with the old views and no triggers; events and routines are
/// recreated, so an event's last-run state is reset.</para></summary>
internal sealed class MySqlDatabaseSwap
{
    private readonly ConnectionTarget _server;
    private readonly string _database;
    private readonly string _replacement;
    private readonly Action<string>? _fault;

    /// <summary>Prepares a swap of <paramref name="replacement"/> into <paramref name="database"/>.</summary>
    public MySqlDatabaseSwap(ConnectionTarget server, string database, string replacement, Action<string>? fault)
    {
        _server = server;
        _database = database;
        _replacement = replacement;
        _fault = fault;
    }

    private sealed record Inventory(List<string> Tables, List<string> Views, List<string> Triggers, List<(string Name, string Type)> Routines, List<string> Events);

    /// <summary>Runs the swap.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (string.Equals(_database, _replacement, StringComparison.Ordinal))
            throw new DbBackupException(ErrorKind.InvalidArgument, "SwapSameDatabase", $"Cannot swap database '{_database}' with itself.");
        var original = await InventoryAsync(_database, cancellationToken).ConfigureAwait(false)
            ?? throw new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound", $"Database '{_database}' does not exist on {_server.Server}:{_server.Port}.") { TargetObject = _database };
        var incoming = await InventoryAsync(_replacement, cancellationToken).ConfigureAwait(false)
            ?? throw new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound", $"Database '{_replacement}' does not exist on {_server.Server}:{_server.Port}.") { TargetObject = _replacement };
        var taken = new HashSet<string>(original.Tables.Concat(original.Views).Concat(incoming.Tables).Concat(incoming.Views), StringComparer.OrdinalIgnoreCase);
        var journal = new MySqlSwapJournal
        {
            Database = _database,
            RetiredDatabase = await SharedKeyNamesAsync(cancellationToken).ConfigureAwait(false) ? "dbbackup_retired_" + Guid.NewGuid().ToString("N")[..16] : null,
            Retired = original.Tables.Select(t => new[] { t, RetiredName(taken) }).ToList(),
            Incoming = incoming.Tables,
            OriginalScript = await ObjectsScriptAsync(_database, original.Views, cancellationToken).ConfigureAwait(false),
            IncomingScript = await ObjectsScriptAsync(_replacement, incoming.Views, cancellationToken).ConfigureAwait(false),
        };
        await journal.WriteAsync(_server, _replacement, MySqlSwapJournal.Prepared, cancellationToken).ConfigureAwait(false);
        await KillSessionsAsync(cancellationToken).ConfigureAwait(false);

        // From here on no cancellation: a half-done swap must be finished or undone, never abandoned.
        try
        {
            // A table with triggers cannot move to another database, and views cannot move at all;
            // the journal holds the replacement's definitions.
            await DropObjectsAsync(_replacement, incoming, routines: false, CancellationToken.None).ConfigureAwait(false);
            if (journal.RetiredDatabase != null)
            {
                await ExecAsync($"CREATE DATABASE IF NOT EXISTS {MySqlSyntax.Identifier(journal.RetiredDatabase)};", CancellationToken.None).ConfigureAwait(false);
                await DropObjectsAsync(_database, original with { Views = [], Routines = [], Events = [] }, routines: false, CancellationToken.None).ConfigureAwait(false);
            }
            _fault?.Invoke("before-rename");
            await CommitAsync(journal, CancellationToken.None).ConfigureAwait(false);
            _fault?.Invoke("after-rename");
            await SwitchObjectsAsync(journal, CancellationToken.None).ConfigureAwait(false);
            _fault?.Invoke("after-objects");
            await journal.WriteAsync(_server, _replacement, MySqlSwapJournal.Switched, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            try
            {
                await UndoAsync(journal, CancellationToken.None).ConfigureAwait(false);
                var incomingNow = await InventoryAsync(_replacement, CancellationToken.None).ConfigureAwait(false);
                if (incomingNow != null) await DropObjectsAsync(_replacement, incomingNow, routines: true, CancellationToken.None).ConfigureAwait(false);
                await ApplyAsync(_replacement, journal.IncomingScript, CancellationToken.None).ConfigureAwait(false);
                await MySqlSwapJournal.DeleteAsync(_server, _replacement, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception undo)
            {
                throw new DbBackupException(ErrorKind.ServerError, "MySqlSwapUndoFailed",
                    $"Swapping '{_replacement}' into '{_database}' failed ({failure.Message}) and undoing it failed too ({undo.Message}). " +
                    $"The journal in '{_replacement}'.{MySqlSwapJournal.Table} lets the next backup or restore of '{_database}' finish undoing it.", failure);
            }
            if (failure is DbBackupException or OperationCanceledException) throw;
            throw new DbBackupException(ErrorKind.ServerError, "MySqlSwapFailed",
                $"Swapping '{_replacement}' into '{_database}' failed and was undone: {failure.Message}", failure);
        }
        try
        {
            await DropRetiredAsync(journal, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbBackupException e)
        {
            throw new DbBackupException(ErrorKind.ServerError, "SwapCleanupFailed",
                $"Database '{_database}' was replaced, but its previous tables or the emptied '{_replacement}' could not be dropped: {e.Message}. " +
                $"The next backup or restore of '{_database}' drops them.", e);
        }
    }

    /// <summary>Settles a swap whose process died: finishes it when its RENAME TABLE had committed,
    /// undoes it otherwise; then drops the replacement. Returns true when the database holds the
    /// replacement's content, false when it kept its own, null when there was no journal.</summary>
    public async Task<bool?> RecoverAsync(CancellationToken cancellationToken)
    {
        var journal = await MySqlSwapJournal.ReadAsync(_server, _replacement, cancellationToken).ConfigureAwait(false);
        if (journal == null || journal.Database != _database) return null;
        bool swappedIn;
        if (journal.State == MySqlSwapJournal.Back || !await CommittedAsync(journal, cancellationToken).ConfigureAwait(false))
        {
            // Uncommitted too: a swap into a retired database dropped the original's triggers just
            // before the RENAME, and only the undo recreates them from the journal.
            await UndoAsync(journal, cancellationToken).ConfigureAwait(false);
            swappedIn = false;
        }
        else
        {
            if (journal.State != MySqlSwapJournal.Switched) await SwitchObjectsAsync(journal, cancellationToken).ConfigureAwait(false);
            swappedIn = true;
        }
        await DropRetiredAsync(journal, cancellationToken).ConfigureAwait(false);
        return swappedIn;
    }

    /// <summary>Settles what a dead restore left: its copy <paramref name="aside"/> and, when it died
    /// swapping, its unfinished swap (see <see cref="RecoverAsync"/>).</summary>
    public static async Task<AbandonedRestoreCleanup> CleanUpAbandonedRestoreAsync(ConnectionTarget server, string database, string aside, bool swapStarted, CancellationToken cancellationToken)
    {
        var swap = new MySqlDatabaseSwap(server, database, aside, null);
        if (await swap.InventoryAsync(aside, cancellationToken).ConfigureAwait(false) == null)
            return new AbandonedRestoreCleanup(swapStarted ? true : null, null);
        switch (await swap.RecoverAsync(cancellationToken).ConfigureAwait(false))
        {
            case true:
                return new AbandonedRestoreCleanup(true, $"The swap had committed: finished it from its journal, so '{database}' holds the restored copy with its views, triggers, routines and events; dropped its previous tables and '{aside}'.");
            case false:
                return new AbandonedRestoreCleanup(false, $"The swap had not committed: '{database}' keeps its previous contents (views, triggers, routines and events recreated where the swap had removed them); dropped the restored copy '{aside}'.");
            default:
                await swap.ExecAsync($"DROP DATABASE IF EXISTS {MySqlSyntax.Identifier(aside)};", cancellationToken).ConfigureAwait(false);
                return new AbandonedRestoreCleanup(false, $"'{database}' was not changed; dropped the partly restored copy '{aside}'.");
        }
    }

    /// <summary>True when a foreign key name the schema chose (not InnoDB's generated <c>table_ibfk_N</c>)
    /// is in both databases: the RENAME could not bring the incoming key beside the original's.</summary>
    private async Task<bool> SharedKeyNamesAsync(CancellationToken ct)
    {
        var rows = await MySqlConnections.QueryAsync(_server, null,
            "SELECT 1 FROM information_schema.referential_constraints " +
            $"WHERE constraint_schema IN ({MySqlSyntax.StringLiteral(_database)}, {MySqlSyntax.StringLiteral(_replacement)}) " +
            "AND BINARY LEFT(constraint_name, CHAR_LENGTH(table_name) + 6) <> BINARY CONCAT(table_name, '_ibfk_') " +
            "GROUP BY LOWER(constraint_name) HAVING COUNT(DISTINCT constraint_schema) = 2;", ct).ConfigureAwait(false);
        return rows.Count > 0;
    }

    private static string RetiredName(HashSet<string> taken)
    {
        for (var n = 1; ; n++)
        {
            var name = $"__dbbackup_retired_{n}";
            if (taken.Add(name)) return name;
        }
    }

    /// <summary>The commit point: one RENAME TABLE moving every table at once.</summary>
    private async Task CommitAsync(MySqlSwapJournal journal, CancellationToken ct)
    {
        var pairs = journal.Retired.Select(p => (MySqlSyntax.Qualified(_database, p[0]), MySqlSyntax.Qualified(RetiredIn(journal), p[1])))
            .Concat(journal.Incoming.Select(t => (MySqlSyntax.Qualified(_replacement, t), MySqlSyntax.Qualified(_database, t)))).ToList();
        Operations.WorkerPausePoints.At("restore:mid-swap");
        if (pairs.Count > 0) await ExecAsync(RenameSql(pairs), ct).ConfigureAwait(false);
        Operations.WorkerPausePoints.At("restore:swap-committed");
        await journal.WriteAsync(_server, _replacement, MySqlSwapJournal.Forward, ct).ConfigureAwait(false);
    }

    /// <summary>Whether the RENAME TABLE committed, from the server's state.</summary>
    private async Task<bool> CommittedAsync(MySqlSwapJournal journal, CancellationToken ct)
    {
        if (journal.State is MySqlSwapJournal.Forward or MySqlSwapJournal.Switched) return true;
        if (journal.Retired.Count > 0)
            return (await InventoryAsync(RetiredIn(journal), ct).ConfigureAwait(false))?.Tables.Contains(journal.Retired[0][1], StringComparer.Ordinal) == true;
        if (journal.Incoming.Count > 0)
            return (await InventoryAsync(_replacement, ct).ConfigureAwait(false))?.Tables.Contains(journal.Incoming[0], StringComparer.Ordinal) == false;
        return false;
    }

    /// <summary>After the commit: the database's views, triggers, routines and events become the
    /// replacement's. Repeatable: whatever non-table objects are there (old, or new from an interrupted
    /// earlier run) are dropped and the replacement's are created.</summary>
    private async Task SwitchObjectsAsync(MySqlSwapJournal journal, CancellationToken ct)
    {
        var now = await InventoryAsync(_database, ct).ConfigureAwait(false);
        if (now != null) await DropObjectsAsync(_database, now, routines: true, ct).ConfigureAwait(false);
        Operations.WorkerPausePoints.At("restore:objects-dropped");
        await ApplyAsync(_database, journal.IncomingScript, ct).ConfigureAwait(false);
    }

    /// <summary>Undoes a swap (committed or not): tables renamed back, the original's objects recreated.
    /// Repeatable, like <see cref="SwitchObjectsAsync"/>.</summary>
    private async Task UndoAsync(MySqlSwapJournal journal, CancellationToken ct)
    {
        if (journal.State != MySqlSwapJournal.Back && !await CommittedAsync(journal, ct).ConfigureAwait(false))
        {
            // Not committed: only the original's triggers may be gone (dropped just before the commit).
            if (journal.RetiredDatabase != null) await RecreateOriginalObjectsAsync(journal, ct).ConfigureAwait(false);
            return;
        }
        await journal.WriteAsync(_server, _replacement, MySqlSwapJournal.Back, ct).ConfigureAwait(false);
        var now = await InventoryAsync(_database, ct).ConfigureAwait(false);
        var retired = journal.RetiredDatabase == null ? now : await InventoryAsync(journal.RetiredDatabase, ct).ConfigureAwait(false);
        if (journal.Retired.Count == 0 ? journal.Incoming.Count > 0 && now?.Tables.Contains(journal.Incoming[0], StringComparer.Ordinal) == true
                : retired?.Tables.Contains(journal.Retired[0][1], StringComparer.Ordinal) == true)
        {
            if (now != null) await DropObjectsAsync(_database, now, routines: false, ct).ConfigureAwait(false);
            var back = journal.Incoming.Select(t => (MySqlSyntax.Qualified(_database, t), MySqlSyntax.Qualified(_replacement, t)))
                .Concat(journal.Retired.Select(p => (MySqlSyntax.Qualified(RetiredIn(journal), p[1]), MySqlSyntax.Qualified(_database, p[0])))).ToList();
            await ExecAsync(RenameSql(back), ct).ConfigureAwait(false);
        }
        await RecreateOriginalObjectsAsync(journal, ct).ConfigureAwait(false);
    }

    /// <summary>The original's views, triggers, routines and events as the journal holds them, in place of
    /// whatever is there now; then the emptied retired database goes.</summary>
    private async Task RecreateOriginalObjectsAsync(MySqlSwapJournal journal, CancellationToken ct)
    {
        var now = await InventoryAsync(_database, ct).ConfigureAwait(false);
        if (now != null) await DropObjectsAsync(_database, now, routines: true, ct).ConfigureAwait(false);
        await ApplyAsync(_database, journal.OriginalScript, ct).ConfigureAwait(false);
        if (journal.RetiredDatabase != null && (await InventoryAsync(journal.RetiredDatabase, ct).ConfigureAwait(false))?.Tables.Count == 0)
            await ExecAsync($"DROP DATABASE IF EXISTS {MySqlSyntax.Identifier(journal.RetiredDatabase)};", ct).ConfigureAwait(false);
    }

    /// <summary>Where the original's tables go: their own database, or (journals of earlier versions) the database itself.</summary>
    private string RetiredIn(MySqlSwapJournal journal) => journal.RetiredDatabase ?? _database;

    /// <summary>The end of a swap, either way: the original's renamed tables (if the swap committed)
    /// and the replacement database (with the journal) dropped.</summary>
    private async Task DropRetiredAsync(MySqlSwapJournal journal, CancellationToken ct)
    {
        if (journal.Retired.Count > 0)
            await ExecAsync("SET foreign_key_checks = 0; DROP TABLE IF EXISTS " +
                string.Join(", ", journal.Retired.Select(p => MySqlSyntax.Qualified(RetiredIn(journal), p[1]))) + ";", ct).ConfigureAwait(false);
        if (journal.RetiredDatabase != null)
            await ExecAsync($"DROP DATABASE IF EXISTS {MySqlSyntax.Identifier(journal.RetiredDatabase)};", ct).ConfigureAwait(false);
        await ExecAsync($"DROP DATABASE IF EXISTS {MySqlSyntax.Identifier(_replacement)};", ct).ConfigureAwait(false);
    }

    private static string RenameSql(IEnumerable<(string From, string To)> pairs)
        => "RENAME TABLE " + string.Join(", ", pairs.Select(p => p.From + " TO " + p.To)) + ";";

    private async Task<Inventory?> InventoryAsync(string database, CancellationToken cancellationToken)
    {
        var db = MySqlSyntax.StringLiteral(database);
        var rows = await MySqlConnections.QueryAsync(_server, null,
            $"SELECT 'D', '', '' FROM information_schema.schemata WHERE schema_name = {db} " +
            $"UNION ALL SELECT IF(table_type = 'VIEW', 'V', 'T'), HEX(table_name), '' FROM information_schema.tables WHERE table_schema = {db} " +
            $"UNION ALL SELECT 'G', HEX(trigger_name), '' FROM information_schema.triggers WHERE trigger_schema = {db} " +
            $"UNION ALL SELECT 'R', HEX(routine_name), routine_type FROM information_schema.routines WHERE routine_schema = {db} " +
            $"UNION ALL SELECT 'E', HEX(event_name), '' FROM information_schema.events WHERE event_schema = {db};",
            cancellationToken).ConfigureAwait(false);
        if (!rows.Any(r => r[0] == "D")) return null;
        List<string> Names(string kind) => rows.Where(r => r[0] == kind).Select(r => MySqlSyntax.FromHex(r[1])).ToList();
        return new Inventory(Names("T"), Names("V"), Names("G"),
            rows.Where(r => r[0] == "R").Select(r => (MySqlSyntax.FromHex(r[1]), r[2] == "FUNCTION" ? "FUNCTION" : "PROCEDURE")).ToList(), Names("E"));
    }

    private async Task DropObjectsAsync(string database, Inventory inventory, bool routines, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder();
        foreach (var t in inventory.Triggers) sql.Append("DROP TRIGGER IF EXISTS ").Append(MySqlSyntax.Qualified(database, t)).Append(";\n");
        foreach (var v in inventory.Views) sql.Append("DROP VIEW IF EXISTS ").Append(MySqlSyntax.Qualified(database, v)).Append(";\n");
        if (routines)
        {
            foreach (var (name, type) in inventory.Routines) sql.Append("DROP ").Append(type).Append(" IF EXISTS ").Append(MySqlSyntax.Qualified(database, name)).Append(";\n");
            foreach (var e in inventory.Events) sql.Append("DROP EVENT IF EXISTS ").Append(MySqlSyntax.Qualified(database, e)).Append(";\n");
        }
        if (sql.Length > 0) await ExecAsync(sql.ToString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sequence defaults re-pointed at the database's own sequences, then routines, views
    /// (unqualified names, placeholders first), triggers and events as the schema scripts hold them, in
    /// that order: a view may call a function.</summary>
    private async Task<string> ObjectsScriptAsync(string database, List<string> views, CancellationToken cancellationToken)
    {
        // The database's own defaults and comment first: the swap keeps the database and moves tables, so
        // they must follow as its objects do (and go back on undo, from the original's script).
        var (charset, collation) = await MySqlProvider.DatabaseDefaultsAsync(_server, database, cancellationToken).ConfigureAwait(false);
        var comment = await MySqlProvider.DatabaseCommentAsync(_server, database, cancellationToken).ConfigureAwait(false);
        var own = $"{MySqlProvider.WithBackslashEscapes}\nALTER DATABASE {MySqlProvider.DatabaseOptionsSql(charset, collation, comment)};\n";
        var reader = await MySqlSchemaReader.OpenAsync(_server.WithDatabase(database), cancellationToken).ConfigureAwait(false);
        try
        {
            return own + await reader.SequenceDefaultsAsync(null, null, cancellationToken).ConfigureAwait(false)
                   + await reader.RoutinesAsync(cancellationToken).ConfigureAwait(false)
                   + await reader.ViewsAsync(views, cancellationToken).ConfigureAwait(false)
                   + await reader.PostAsync(null, cancellationToken).ConfigureAwait(false);
        }
        finally { await reader.DisposeAsync().ConfigureAwait(false); }
    }

    /// <summary>Applies a journal script (ours, or mariadb-dump's from a journal an older DbBackup wrote).</summary>
    private async Task ApplyAsync(string database, string script, CancellationToken cancellationToken)
    {
        if (script.Length == 0) return;
        await MySqlScriptRunner.ApplyAsync(_server, database, script, cancellationToken).ConfigureAwait(false);
    }

    private async Task ExecAsync(string sql, CancellationToken cancellationToken)
        => await MySqlConnections.QueryAsync(_server, null, sql, cancellationToken).ConfigureAwait(false);

    private async Task KillSessionsAsync(CancellationToken cancellationToken)
    {
        var rows = await MySqlConnections.QueryAsync(_server, null,
            $"SELECT id FROM information_schema.processlist WHERE db = {MySqlSyntax.StringLiteral(_database)} AND id <> CONNECTION_ID();",
            cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            if (!long.TryParse(row[0], out var id)) continue;
            try { await ExecAsync($"KILL CONNECTION {id};", cancellationToken).ConfigureAwait(false); }
            catch (DbBackupException) { /* the session ended by itself meanwhile */ }
        }
    }
}
