using DbBackup.Engine.Artifacts;
using DbBackup.Model;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Per-table restore: some tables of a database replaced by their backup copies in ONE
/// transaction (drop, create from the archive's SQL for those tables, COPY, sequences, indexes and
/// constraints, foreign keys of other tables into them put back), so a failure, a cancellation or a
/// kill at any instant leaves the old tables, and every other object stays as it was.</summary>
public sealed partial class PostgreSqlProvider
{
    /// <summary>Test hook: called with a step name during <see cref="ReplaceTablesAsync"/>, inside the
    /// transaction; throwing from it simulates a failure at that step.</summary>
    internal Action<string>? TableReplaceFaultInjection { get; set; }

    /// <summary>What DROP TABLE … RESTRICT of these tables would refuse: objects outside them that depend
    /// on them (views, materialized views, rules, other tables' defaults on their sequences, functions
    /// with their row type, inheritance and partitions). Foreign keys of other tables into them are
    /// not listed: the replacement drops and re-adds them, re-checked against the restored rows.</summary>
    private const string BlockersSql = """
        WITH r AS (
            SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN unnest($1::text[], $2::text[]) AS t(s, name) ON n.nspname = t.s AND c.relname = t.name
            WHERE c.relkind IN ('r', 'p')),
        dropped AS (
            SELECT 'pg_class'::regclass AS classid, oid AS objid FROM r
            UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t WHERE t.typrelid IN (SELECT oid FROM r)
            UNION ALL SELECT 'pg_class'::regclass, d.objid FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid IN (SELECT oid FROM r) AND d.deptype IN ('a', 'i'))
        SELECT DISTINCT coalesce(
                   (SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' ELSE 'rule ' || quote_ident(w.rulename) || ' on table ' END || c.oid::regclass::text
                    FROM pg_rewrite w JOIN pg_class c ON c.oid = w.ev_class WHERE d.classid = 'pg_rewrite'::regclass AND w.oid = d.objid),
                   pg_describe_object(d.classid, d.objid, d.objsubid))
               || ' (depends on ' || pg_describe_object(d.refclassid, d.refobjid, 0) || ')'
        FROM pg_depend d JOIN dropped o ON d.refclassid = o.classid AND d.refobjid = o.objid
        WHERE d.deptype = 'n'
          AND NOT (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT objid FROM dropped WHERE classid = 'pg_class'::regclass))
          AND NOT (d.classid = 'pg_type'::regclass AND d.objid IN (SELECT objid FROM dropped WHERE classid = 'pg_type'::regclass))
          AND NOT (d.classid = 'pg_constraint'::regclass AND EXISTS (SELECT 1 FROM pg_constraint k WHERE k.oid = d.objid AND (k.contype = 'f' OR k.conrelid IN (SELECT oid FROM r))))
          AND NOT (d.classid = 'pg_rewrite'::regclass AND EXISTS (SELECT 1 FROM pg_rewrite w WHERE w.oid = d.objid AND w.ev_class IN (SELECT oid FROM r)))
          AND NOT (d.classid = 'pg_trigger'::regclass AND EXISTS (SELECT 1 FROM pg_trigger g WHERE g.oid = d.objid AND g.tgrelid IN (SELECT oid FROM r)))
          AND NOT (d.classid = 'pg_attrdef'::regclass AND EXISTS (SELECT 1 FROM pg_attrdef a WHERE a.oid = d.objid AND a.adrelid IN (SELECT oid FROM r)))
          AND NOT (d.classid = 'pg_policy'::regclass AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.oid = d.objid AND p.polrelid IN (SELECT oid FROM r)))
        UNION
        SELECT 'table ' || c.oid::regclass::text || ' (a partitioned table, partition or inheritance parent or child whose tree is not replaced whole)'
        FROM r JOIN pg_class c ON c.oid = r.oid
        WHERE EXISTS (SELECT 1 FROM pg_inherits i WHERE (i.inhrelid = c.oid AND i.inhparent NOT IN (SELECT oid FROM r))
                                                     OR (i.inhparent = c.oid AND i.inhrelid NOT IN (SELECT oid FROM r)))
        ORDER BY 1
        """;

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> FindTableReplaceBlockersAsync(ConnectionTarget target, IReadOnlyList<TableStat> tables, CancellationToken cancellationToken)
    {
        await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        return await Guard(target, "checking what depends on the tables to replace", async () =>
        {
            // Empty search_path: every name in the answer comes schema-qualified.
            await ExecuteAsync(conn, "SELECT pg_catalog.set_config('search_path', '', false)", cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand(BlockersSql, conn) { Parameters = { new() { Value = tables.Select(t => t.Schema).ToArray() }, new() { Value = tables.Select(t => t.Name).ToArray() } } };
            var list = new List<string>();
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(r.GetString(0));
            return (IReadOnlyList<string>)list;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string Parent, string Partition)>> PartitionsInAsync(ConnectionTarget target, IPayloadSource source, CancellationToken cancellationToken)
    {
        PostgreSqlToc toc;
        await using (var tocStream = OpenPayload(source, PostgreSqlToc.FileName))
            toc = await PostgreSqlToc.ReadAsync(tocStream, cancellationToken).ConfigureAwait(false);
        PostgreSqlTools tools;
        await using (var admin = await PostgreSqlConnector.OpenMaintenanceAsync(target, cancellationToken).ConfigureAwait(false))
        {
            var (_, version) = await ServerVersionAsync(admin, target, cancellationToken).ConfigureAwait(false);
            tools = await _tools.LocateAsync(version.Major, cancellationToken).ConfigureAwait(false);
        }
        var pre = PostgreSqlRestoreScript.Parse(await PgRestoreTextAsync(tools, target, "pre-data", source, toc.SchemaFile, cancellationToken).ConfigureAwait(false));
        return PostgreSqlRestoreScript.Partitions([pre]).Select(p => ($"{p.Parent.Schema}.{p.Parent.Name}", $"{p.Partition.Schema}.{p.Partition.Name}")).ToList();
    }

    /// <inheritdoc />
    public async Task ReplaceTablesAsync(TableReplaceRequest request, IPayloadSource source, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
    {
        var target = request.Target;
        var report = new ProgressThrottle(progress);
        report.Phase("Schema", request.Tables.Count, 0);
        PostgreSqlToc toc;
        await using (var tocStream = OpenPayload(source, PostgreSqlToc.FileName))
            toc = await PostgreSqlToc.ReadAsync(tocStream, cancellationToken).ConfigureAwait(false);
        var names = request.Tables.Select(t => (t.Schema, t.Name)).ToList();
        var data = names.Select(n => toc.Tables.FirstOrDefault(t => t.Schema == n.Schema && t.Name == n.Name)
            ?? throw new DbBackupException(ErrorKind.InvalidData, "TableNotInBackup", $"The backup's {PostgreSqlToc.FileName} has no data file for table {n.Schema}.{n.Name}.") { TargetObject = $"{n.Schema}.{n.Name}" }).ToList();

        PostgreSqlTools tools;
        await using (var admin = await PostgreSqlConnector.OpenMaintenanceAsync(target, cancellationToken).ConfigureAwait(false))
        {
            var (_, version) = await ServerVersionAsync(admin, target, cancellationToken).ConfigureAwait(false);
            tools = await _tools.LocateAsync(version.Major, cancellationToken).ConfigureAwait(false);
        }
        // Every script is read and the selection checked before the database is touched.
        var pre = PostgreSqlRestoreScript.Parse(await PgRestoreTextAsync(tools, target, "pre-data", source, toc.SchemaFile, cancellationToken).ConfigureAwait(false));
        var post = PostgreSqlRestoreScript.Parse(await PgRestoreTextAsync(tools, target, "post-data", source, toc.SchemaFile, cancellationToken).ConfigureAwait(false));
        var selected = PostgreSqlRestoreScript.Select([pre, post], names, keysToOtherTables: !request.CreateDatabase, theirDependencies: request.CreateDatabase);
        // All the partitions of a partitioned table bring the table itself: dropped (with any partition the
        // target has beyond the backup's, which the planner refused) and recreated with them.
        var replaced = PostgreSqlRestoreScript.WithWholeTrees(PostgreSqlRestoreScript.Partitions([pre]), names).ToList();
        var sequences = pre.Entries.Where(e => e.Type == "SEQUENCE" && selected.Contains(e.Id))
            .Select(e => toc.Sequences.FirstOrDefault(s => s.Schema == e.Schema && s.Name == e.Name)).OfType<PostgreSqlTocSequence>().ToList();

        if (request.CreateDatabase)
            await CreateDatabaseForAsync(target, toc, request.UseServerLocale, cancellationToken).ConfigureAwait(false);
        try
        {
            await Guard(target, $"replacing tables {string.Join(", ", request.Tables)}", async () =>
            {
                await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
                await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                // Names printed below are schema-qualified whatever the caller's search_path.
                await ExecuteAsync(conn, "SELECT pg_catalog.set_config('search_path', '', true); SET LOCAL lock_timeout = '30s'", cancellationToken).ConfigureAwait(false);
                // The tables' schemas, and those of the types, sequences and functions they need in a new database.
                foreach (var schema in replaced.Select(n => n.Schema).Concat(pre.Entries.Where(e => selected.Contains(e.Id) && e.Type != "EXTENSION").Select(e => e.Schema))
                             .Where(s => s is not ("" or "-")).Distinct(StringComparer.Ordinal))
                    await ExecuteAsync(conn, "CREATE SCHEMA IF NOT EXISTS " + PostgreSqlSyntax.Identifier(schema), cancellationToken).ConfigureAwait(false);
                var foreignKeys = await ForeignKeysIntoAsync(conn, replaced, cancellationToken).ConfigureAwait(false);
                foreach (var fk in foreignKeys)
                    await ExecuteAsync(conn, $"ALTER TABLE {fk.Table} DROP CONSTRAINT {fk.Name}", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(conn, "DROP TABLE IF EXISTS " + string.Join(", ", replaced.Select(n => PostgreSqlSyntax.Qualified(n.Schema, n.Name))), cancellationToken).ConfigureAwait(false);
                TableReplaceFaultInjection?.Invoke("after-drop");
                cancellationToken.ThrowIfCancellationRequested();
                await ExecuteAsync(conn, pre.SqlFor(selected), cancellationToken).ConfigureAwait(false);
                TableReplaceFaultInjection?.Invoke("after-pre-data");

                report.Phase("Data", data.Count, data.Sum(t => t.Bytes));
                foreach (var t in data)
                {
                    var display = t.Schema + "." + t.Name;
                    report.TableStarted(display);
                    foreach (var piece in t.DataFiles())
                    {
                        var rows = await LoadFileAsync(conn, t.Schema, t.Name, t.Columns, display, piece, source, report, cancellationToken).ConfigureAwait(false);
                        if (rows != piece.Rows)
                            throw new DbBackupException(ErrorKind.InvalidData, "RowCountMismatch", $"{piece.File} holds {rows} rows of {display}, but the backup recorded {piece.Rows}.") { TargetObject = display };
                    }
                    report.TableDone();
                    TableReplaceFaultInjection?.Invoke("after-table " + display);
                }
                report.Phase("PostData", data.Count, data.Sum(t => t.Bytes));
                foreach (var s in sequences)
                {
                    await using var cmd = new NpgsqlCommand("SELECT pg_catalog.setval($1::regclass, $2, $3)", conn)
                    { Parameters = { new() { Value = PostgreSqlSyntax.Qualified(s.Schema, s.Name) }, new() { Value = s.LastValue }, new() { Value = s.IsCalled } } };
                    await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                await ExecuteAsync(conn, post.SqlFor(selected), cancellationToken).ConfigureAwait(false);
                // Re-adding validates every row of the other tables against the restored ones.
                foreach (var fk in foreignKeys)
                    await ExecuteAsync(conn, $"ALTER TABLE {fk.Table} ADD CONSTRAINT {fk.Name} {fk.Definition}", cancellationToken).ConfigureAwait(false);
                TableReplaceFaultInjection?.Invoke("before-commit");
                Operations.WorkerPausePoints.At("restore:replace-before-commit");
                cancellationToken.ThrowIfCancellationRequested();
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (request.CreateDatabase) await FinishRestoreDatabaseAsync(target, toc, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            report.Complete();
        }
        catch when (request.CreateDatabase)
        {
            await DropDatabaseAsync(target, target.Database, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private sealed record ForeignKey(string Table, string Name, string Definition);

    /// <summary>Foreign keys of other tables that reference the tables being replaced, with their
    /// definitions (NOT VALID, actions and deferrability included), to drop and re-add.</summary>
    private static async Task<List<ForeignKey>> ForeignKeysIntoAsync(NpgsqlConnection conn, List<(string Schema, string Name)> tables, CancellationToken ct)
    {
        const string sql = """
            WITH r AS (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       JOIN unnest($1::text[], $2::text[]) AS t(s, name) ON n.nspname = t.s AND c.relname = t.name)
            SELECT k.conrelid::regclass::text, quote_ident(k.conname), pg_get_constraintdef(k.oid)
            FROM pg_constraint k WHERE k.contype = 'f' AND k.confrelid IN (SELECT oid FROM r) AND k.conrelid NOT IN (SELECT oid FROM r)
            ORDER BY 1, 2
            """;
        await using var cmd = new NpgsqlCommand(sql, conn) { Parameters = { new() { Value = tables.Select(t => t.Schema).ToArray() }, new() { Value = tables.Select(t => t.Name).ToArray() } } };
        var list = new List<ForeignKey>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false)) list.Add(new ForeignKey(r.GetString(0), r.GetString(1), r.GetString(2)));
        return list;
    }

    /// <summary>Creates the new database a per-table restore into a new database fills, as a whole restore would.</summary>
    private static async Task CreateDatabaseForAsync(ConnectionTarget target, PostgreSqlToc toc, bool serverLocale, CancellationToken ct)
    {
        await using var admin = await PostgreSqlConnector.OpenMaintenanceAsync(target, ct).ConfigureAwait(false);
        await Guard(target, "creating the database", async () =>
        {
            await CreateRestoreDatabaseAsync(admin, target, toc, serverLocale, ct).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>pg_restore's verbose SQL for one section of the schema archive, fed on stdin (no temp file).</summary>
    private static async Task<string> PgRestoreTextAsync(PostgreSqlTools tools, ConnectionTarget target, string section, IPayloadSource source, string schemaFile, CancellationToken ct)
    {
        using var p = ToolRunner.Start(tools.PgRestore, ["--section=" + section, "--verbose", "--file=-"], ToolEnvironment(target), redirectStdin: true);
        await using var reg = ct.Register(() => ToolRunner.Kill(p));
        var stderr = ToolRunner.CollectStderrAsync(p);
        var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            await using (var input = OpenPayload(source, schemaFile))
            {
                try { await input.CopyToAsync(p.StandardInput.BaseStream, ct).ConfigureAwait(false); }
                catch (IOException) when (p.HasExited)
                {
                    // Its exit code says why, unless the archive is damaged: that is checked first.
                    await CheckedPayloadStream.VerifyRestAsync(input, ct).ConfigureAwait(false);
                }
            }
            try { p.StandardInput.Close(); } catch (IOException) { }
        }
        catch
        {
            ToolRunner.Kill(p);
            throw;
        }
        finally
        {
            await p.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        var text = await stdout.ConfigureAwait(false);
        var err = await stderr.ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (p.ExitCode != 0) throw ToolRunner.ToolFailed(tools.PgRestore, p.ExitCode, err);
        return text;
    }
}
