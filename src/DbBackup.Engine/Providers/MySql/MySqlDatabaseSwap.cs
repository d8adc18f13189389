using System.Text;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>Makes the content of one database become another's, for servers without RENAME DATABASE.
/// Tables move with one multi-table RENAME TABLE statement, which the server applies atomically (all
/// or nothing). Views, triggers, routines and events cannot move between databases, so they are
/// captured first as dump-tool SQL (which omits the database name) and recreated.
/// <para>Not atomic, honestly: between dropping the original's views/triggers and recreating the
/// replacement's, a client connecting in that window (sessions on the database are killed first)
/// can see the tables without their triggers or views; and routines/events are recreated, so an
/// event's last-run state is reset. On any failure every step is undone in reverse: tables renamed
/// back, the original's objects recreated from their captured definitions.</para></summary>
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

        var originalViews = await ViewsScriptAsync(_database, original.Views, cancellationToken).ConfigureAwait(false);
        var originalObjects = await ObjectsScriptAsync(_database, cancellationToken).ConfigureAwait(false);
        var incomingViews = await ViewsScriptAsync(_replacement, incoming.Views, cancellationToken).ConfigureAwait(false);
        var incomingObjects = await ObjectsScriptAsync(_replacement, cancellationToken).ConfigureAwait(false);

        var aside = "dbbackup_aside_" + Guid.NewGuid().ToString("N")[..16];
        await KillSessionsAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync($"CREATE DATABASE {MySqlSyntax.Identifier(aside)};", CancellationToken.None).ConfigureAwait(false);

        // From here on no cancellation: a half-done swap must be finished or undone, never abandoned.
        var renamed = false;
        try
        {
            // RENAME TABLE refuses to move a table with triggers to another database, and views
            // cannot move at all.
            await DropObjectsAsync(_database, original, routines: true, CancellationToken.None).ConfigureAwait(false);
            await DropObjectsAsync(_replacement, incoming, routines: false, CancellationToken.None).ConfigureAwait(false);
            _fault?.Invoke("before-rename");
            var pairs = original.Tables.Select(t => (MySqlSyntax.Qualified(_database, t), MySqlSyntax.Qualified(aside, t)))
                .Concat(incoming.Tables.Select(t => (MySqlSyntax.Qualified(_replacement, t), MySqlSyntax.Qualified(_database, t)))).ToList();
            if (pairs.Count > 0)
                await ExecAsync("RENAME TABLE " + string.Join(", ", pairs.Select(p => p.Item1 + " TO " + p.Item2)) + ";", CancellationToken.None).ConfigureAwait(false);
            renamed = true;
            _fault?.Invoke("after-rename");
            await ApplyAsync(_database, incomingViews + incomingObjects, CancellationToken.None).ConfigureAwait(false);
            _fault?.Invoke("after-objects");
        }
        catch (Exception failure)
        {
            try
            {
                var now = await InventoryAsync(_database, CancellationToken.None).ConfigureAwait(false);
                if (now != null) await DropObjectsAsync(_database, now, routines: true, CancellationToken.None).ConfigureAwait(false);
                if (renamed)
                {
                    var back = incoming.Tables.Select(t => (MySqlSyntax.Qualified(_database, t), MySqlSyntax.Qualified(_replacement, t)))
                        .Concat(original.Tables.Select(t => (MySqlSyntax.Qualified(aside, t), MySqlSyntax.Qualified(_database, t)))).ToList();
                    if (back.Count > 0)
                        await ExecAsync("RENAME TABLE " + string.Join(", ", back.Select(p => p.Item1 + " TO " + p.Item2)) + ";", CancellationToken.None).ConfigureAwait(false);
                }
                await ApplyAsync(_database, originalViews + originalObjects, CancellationToken.None).ConfigureAwait(false);
                var incomingNow = await InventoryAsync(_replacement, CancellationToken.None).ConfigureAwait(false);
                if (incomingNow != null) await DropObjectsAsync(_replacement, incomingNow, routines: true, CancellationToken.None).ConfigureAwait(false);
                await ApplyAsync(_replacement, incomingViews + incomingObjects, CancellationToken.None).ConfigureAwait(false);
                await ExecAsync($"DROP DATABASE IF EXISTS {MySqlSyntax.Identifier(aside)};", CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception undo)
            {
                throw new DbBackupException(ErrorKind.ServerError, "MySqlSwapUndoFailed",
                    $"Swapping '{_replacement}' into '{_database}' failed ({failure.Message}) and undoing it failed too ({undo.Message}). " +
                    $"The original tables may be in database '{aside}'; inspect and move them back by hand.", failure);
            }
            if (failure is DbBackupException or OperationCanceledException) throw;
            throw new DbBackupException(ErrorKind.ServerError, "MySqlSwapFailed",
                $"Swapping '{_replacement}' into '{_database}' failed and was undone: {failure.Message}", failure);
        }
        await ExecAsync($"DROP DATABASE {MySqlSyntax.Identifier(aside)}; DROP DATABASE {MySqlSyntax.Identifier(_replacement)};", CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<Inventory?> InventoryAsync(string database, CancellationToken cancellationToken)
    {
        var db = MySqlSyntax.StringLiteral(database);
        var rows = await MySqlClientTools.QueryAsync(_server, null,
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

    /// <summary>Views as the dump tool writes them: unqualified names, dependency-safe order.</summary>
    private async Task<string> ViewsScriptAsync(string database, List<string> views, CancellationToken cancellationToken)
    {
        if (views.Count == 0) return "";
        return await DumpAsync(["--no-data", "--skip-triggers", "--skip-dump-date", "--no-create-db", "--no-tablespaces", "--", database, .. views], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Triggers, routines and events as the dump tool writes them.</summary>
    private Task<string> ObjectsScriptAsync(string database, CancellationToken cancellationToken)
        => DumpAsync(["--no-data", "--no-create-info", "--triggers", "--routines", "--events", "--skip-dump-date", "--no-create-db", "--no-tablespaces", "--", database], cancellationToken);

    private async Task<string> DumpAsync(List<string> args, CancellationToken cancellationToken)
    {
        var dump = MySqlClientTools.Dump;
        using var options = MySqlOptionsFile.Create(_server);
        args.InsertRange(0, [options.Argument, "--default-character-set=utf8mb4"]);
        return await MySqlClientTools.RunAsync(_server, dump, args, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task ApplyAsync(string database, string script, CancellationToken cancellationToken)
    {
        if (script.Length == 0) return;
        var client = MySqlClientTools.Client;
        using var options = MySqlOptionsFile.Create(_server);
        await MySqlClientTools.RunAsync(_server.WithDatabase(database), client, MySqlClientTools.ScriptArgs(options, database), script, cancellationToken).ConfigureAwait(false);
    }

    private async Task ExecAsync(string sql, CancellationToken cancellationToken)
        => await MySqlClientTools.QueryAsync(_server, null, sql, cancellationToken).ConfigureAwait(false);

    private async Task KillSessionsAsync(CancellationToken cancellationToken)
    {
        var rows = await MySqlClientTools.QueryAsync(_server, null,
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
