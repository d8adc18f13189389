using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using DbBackup.Engine.Artifacts;
using DbBackup.Model;
using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>PostgreSQL (12 and newer): the schema through pg_dump/pg_restore (custom format, pre-data and
/// post-data sections), the rows through parallel COPY in text format, all from one exported snapshot.</summary>
/// <remarks>Owners and privileges are kept. A backup records every role that owns an object or holds a
/// privilege; a restore onto a server missing any of them is refused before anything is created, naming
/// the roles, instead of failing halfway or silently dropping grants.</remarks>
public sealed partial class PostgreSqlProvider : IDatabaseProvider
{
    private const int MinimumServerMajor = 12;
    private readonly PostgreSqlToolLocator _tools;

    /// <summary>A provider using the default tool search (see <see cref="PostgreSqlToolLocator"/>).</summary>
    public PostgreSqlProvider() : this(new PostgreSqlToolLocator()) { }

    /// <summary>A provider using the given tool locator.</summary>
    public PostgreSqlProvider(PostgreSqlToolLocator tools) => _tools = tools;

    /// <inheritdoc />
    public DatabaseEngine Engine => DatabaseEngine.PostgreSql;

    /// <summary>The largest piece a big table is dumped in by all jobs at once (see <see cref="PostgreSqlTableSplit"/>,
    /// which picks smaller pieces for smaller databases). 64 MB: small enough that the largest tables of the
    /// benchmark spread over the jobs, large enough that a piece's COPY and count(*) cost nothing next to its data.</summary>
    public long SplitTableBytes { get; init; } = 64L << 20;

    /// <summary>The size from which a table's indexes and keys are built as soon as its data is in, while other
    /// tables still load (see <see cref="PostgreSqlEarlyPostData"/>). 4 MB: below it a build takes less than the
    /// pg_restore process that would run it early.</summary>
    public long EarlyPostDataTableBytes { get; init; } = 4L << 20;

    /// <inheritdoc />
    public async Task<ServerProbe> ProbeAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        var exists = true;
        NpgsqlConnection conn;
        _tools.StartReadingVersions();
        try
        {
            conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (DbBackupException e) when (e.ErrorId == "DatabaseNotFound")
        {
            exists = false;
            conn = await PostgreSqlConnector.OpenMaintenanceAsync(target, cancellationToken).ConfigureAwait(false);
        }
        await using (conn)
        {
            var (text, version) = await ServerVersionAsync(conn, target, cancellationToken).ConfigureAwait(false);
            var tools = await _tools.LocateAsync(version.Major, cancellationToken).ConfigureAwait(false);
            return new ServerProbe(text, version, "PostgreSQL", tools.Version, exists);
        }
    }

    /// <inheritdoc />
    /// <remarks>Through the maintenance database, which a restore into a new database signs in to anyway: a sign-in to
    /// the missing database first cost a TLS handshake and a refusal, twice per restore (planning and worker). Where
    /// the maintenance databases refuse the account (a hardened server), as <see cref="ProbeAsync"/>.</remarks>
    public async Task<ServerProbe> ProbeForNewDatabaseAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        NpgsqlConnection conn;
        _tools.StartReadingVersions();
        try
        {
            conn = await PostgreSqlConnector.OpenMaintenanceAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (DbBackupException e) when (e.ErrorId is "DatabaseNotFound" or "AuthenticationFailed" or "ServerError")
        {
            return await ProbeAsync(target, cancellationToken).ConfigureAwait(false);
        }
        await using (conn)
        {
            var exists = await DatabaseExistsAsync(conn, target.Database, cancellationToken).ConfigureAwait(false);
            var (text, version) = await ServerVersionAsync(conn, target, cancellationToken).ConfigureAwait(false);
            var tools = await _tools.LocateAsync(version.Major, cancellationToken).ConfigureAwait(false);
            return new ServerProbe(text, version, "PostgreSQL", tools.Version, exists);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TableInfo>> ListTablesAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        // Validation runs while the caller waits: a table locked exclusively by another session must
        // produce an error, not an indefinite hang.
        await using (var set = new Npgsql.NpgsqlCommand("SET lock_timeout = '15s'", conn))
            await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return await Guard(target, "listing tables", () => PostgreSqlCatalog.ListTablesAsync(conn, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<DumpResult> DumpAsync(DumpRequest request, IPayloadSink sink, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
    {
        if (request.Since != null && string.IsNullOrEmpty(request.DateColumn))
            throw new DbBackupException(ErrorKind.InvalidArgument, "DateColumnRequired", "A dump with Since needs the DateColumn to filter on.");
        var source = request.Source;
        var report = new ProgressThrottle(progress);
        report.Phase("Connecting", 0, 0);

        // The snapshot connection exports the snapshot every other connection and pg_dump import, and
        // holds ACCESS SHARE locks so no table is dropped or rewritten while the dump runs.
        _tools.StartReadingVersions();
        await using var snapshotConn = await PostgreSqlConnector.OpenAsync(source, cancellationToken).ConfigureAwait(false);
        var (serverText, version) = await ServerVersionAsync(snapshotConn, source, cancellationToken).ConfigureAwait(false);
        var tools = await _tools.LocateAsync(version.Major, cancellationToken).ConfigureAwait(false);
        return await Guard(source, "dumping", async () =>
        {
            await ExecuteAsync(snapshotConn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", cancellationToken).ConfigureAwait(false);
            var snapshot = (string)(await ScalarAsync(snapshotConn, "SELECT pg_export_snapshot()", cancellationToken).ConfigureAwait(false))!;
            var plan = await PostgreSqlCatalog.PlanDumpAsync(snapshotConn, request.Tables, cancellationToken).ConfigureAwait(false);
            if (plan.DataTables.Count > 0)
                await ExecuteAsync(snapshotConn, "LOCK TABLE " + string.Join(", ", plan.DataTables.Select(t => PostgreSqlSyntax.Qualified(t.Schema, t.Name)))
                    + " IN ACCESS SHARE MODE", cancellationToken).ConfigureAwait(false);

            var toc = new PostgreSqlToc { ServerVersion = serverText, ToolVersion = tools.Version };
            await using (var cmd = new NpgsqlCommand(
                "SELECT pg_encoding_to_char(encoding)::text, datcollate::text, datctype::text FROM pg_database WHERE datname = current_database()", snapshotConn))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await r.ReadAsync(cancellationToken).ConfigureAwait(false);
                (toc.ServerEncoding, toc.Collate, toc.Ctype) = (r.GetString(0), r.GetString(1), r.GetString(2));
            }
            toc.Database = await PostgreSqlDatabaseProperties.ReadAsync(snapshotConn, cancellationToken).ConfigureAwait(false);
            toc.Roles = await PostgreSqlCatalog.RolesAsync(snapshotConn, cancellationToken).ConfigureAwait(false);
            toc.SubsetSchemas = [.. plan.SubsetSchemas];
            toc.Sequences = await SequencePositionsAsync(snapshotConn, plan.Sequences, cancellationToken).ConfigureAwait(false);
            toc.MaterializedViews = plan.SchemaRelations == null
                ? await PostgreSqlCatalog.MaterializedViewsAsync(snapshotConn, cancellationToken).ConfigureAwait(false)
                : [];

            var estimated = plan.DataTables.Sum(t => t.EstimatedBytes);
            report.Phase("Schema", plan.DataTables.Count, estimated);
            await DumpSchemaAsync(tools, source, snapshot, plan.SchemaRelations, sink, cancellationToken).ConfigureAwait(false);

            report.Phase("Data", plan.DataTables.Count, estimated);
            var split = await PostgreSqlTableSplit.PlanAsync(snapshotConn, plan.DataTables, request.Jobs, SplitTableBytes, cancellationToken).ConfigureAwait(false);
            toc.Tables = await DumpDataAsync(request, snapshot, plan.DataTables, split, sink, report, cancellationToken).ConfigureAwait(false);
            // Large objects belong to the whole database (pg_dump -t leaves them out too).
            if (plan.SchemaRelations == null)
                toc.LargeObjects = await PostgreSqlLargeObjects.DumpAsync(snapshotConn, sink, report.AddBytes, cancellationToken).ConfigureAwait(false);
            // So are extensions (pg_dump -t dumps none), and with them their configuration rows.
            if (plan.SchemaRelations == null)
                toc.ExtensionTables = await PostgreSqlExtensionConfig.DumpAsync(snapshotConn, sink, report.AddBytes, cancellationToken).ConfigureAwait(false);
            if (toc.LargeObjects != null) toc.FormatVersion = PostgreSqlToc.LargeObjectsFormatVersion;
            if (toc.Tables.Any(t => t.Pieces != null)) toc.FormatVersion = PostgreSqlToc.SplitTablesFormatVersion;
            if (toc.ExtensionTables != null) toc.FormatVersion = PostgreSqlToc.ExtensionTablesFormatVersion;

            await using (var tocStream = sink.Create(PostgreSqlToc.FileName))
                await toc.WriteAsync(tocStream, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(snapshotConn, "COMMIT", cancellationToken).ConfigureAwait(false);
            report.Complete();
            var stats = PostgreSqlLoadViaRoot.Stats(toc.Tables);
            return new DumpResult(serverText, tools.Version, stats) { FormatVersion = toc.FormatVersion };
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task RestoreAsync(RestoreRequest request, IPayloadSource source, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
    {
        var target = request.Target;
        var report = new ProgressThrottle(progress);
        report.Phase("Connecting", 0, 0);
        PostgreSqlToc toc;
        await using (var tocStream = OpenPayload(source, PostgreSqlToc.FileName))
            toc = await PostgreSqlToc.ReadAsync(tocStream, cancellationToken).ConfigureAwait(false);
        var files = toc.Tables.SelectMany(t => t.DataFiles()).Select(p => p.File).Append(toc.SchemaFile);
        if (toc.LargeObjects is { } los) files = files.Append(los.MetadataFile).Append(los.DataFile);
        if (toc.ExtensionTables is { } extensionTables) files = files.Concat(extensionTables.Select(t => t.File));
        foreach (var file in files)
            if (!source.Names.Contains(file, StringComparer.Ordinal))
                throw new DbBackupException(ErrorKind.InvalidData, "PayloadFileMissing", $"The backup's {PostgreSqlToc.FileName} names '{file}', which is not in the payload.");

        PostgreSqlTools tools;
        await using (var admin = await PostgreSqlConnector.OpenMaintenanceAsync(target, cancellationToken).ConfigureAwait(false))
        {
            var (_, version) = await ServerVersionAsync(admin, target, cancellationToken).ConfigureAwait(false);
            tools = await _tools.LocateAsync(version.Major, cancellationToken).ConfigureAwait(false);
            var archiveMajor = ToolMajor().Match(toc.ToolVersion) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            if (tools.Major < archiveMajor)
                throw new DbBackupException(ErrorKind.NotSupported, "ClientToolTooOld",
                    $"The backup's schema was written by \"{toc.ToolVersion}\"; {tools.PgRestore} (\"{tools.Version}\") is older and cannot read it. " +
                    $"Install the PostgreSQL {archiveMajor} (or newer) client tools.");
            await Guard(target, "checking the restore target", async () =>
            {
                if (await DatabaseExistsAsync(admin, target.Database, cancellationToken).ConfigureAwait(false))
                    throw new DbBackupException(ErrorKind.InvalidOperation, "DatabaseExists",
                        $"Database '{target.Database}' already exists on {target.Server}:{target.Port}; a restore creates a new database. " +
                        "Choose a name that does not exist (the engine swaps it in afterwards).") { TargetObject = target.Database };
                await CreateRestoreDatabaseAsync(admin, target, toc, request.UseServerLocale, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }

        // From here on the new database is ours: any failure or cancellation drops it, and only it.
        try
        {
            await Guard(target, "restoring", async () =>
            {
                report.Phase("Schema", toc.Tables.Count, toc.Tables.Sum(t => t.Bytes));
                if (toc.SubsetSchemas.Count > 0)
                {
                    await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
                    foreach (var schema in toc.SubsetSchemas)
                        await ExecuteAsync(conn, "CREATE SCHEMA IF NOT EXISTS " + PostgreSqlSyntax.Identifier(schema), cancellationToken).ConfigureAwait(false);
                }
                await using var postData = StartPostData(tools, target, source, toc, request.Jobs, cancellationToken);
                // The data sessions sign in while pg_restore creates the tables; disposed (closed if unused) before a
                // failure's drop below.
                await using var dataConnections = PostgreSqlConnectionsAhead.Start(target, DataWorkers(request, toc), cancellationToken);
                await RunPgRestoreAsync(tools, target, "pre-data", source, toc.SchemaFile, cancellationToken).ConfigureAwait(false);
                DebugTimings.Mark("pre-data restored");

                report.Phase("Data", toc.Tables.Count, toc.Tables.Sum(t => t.Bytes) + (toc.LargeObjects?.Bytes ?? 0));
                await RestoreDataAsync(request, toc, source, report, await postData.EarlyBuildsAsync().ConfigureAwait(false), postData.BuildAsync,
                    dataConnections.TakeAsync, cancellationToken).ConfigureAwait(false);

                if (toc.LargeObjects is { } largeObjects)
                {
                    await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
                    await PostgreSqlLargeObjects.RestoreAsync(conn, largeObjects, name => OpenPayload(source, name), report.AddBytes, cancellationToken).ConfigureAwait(false);
                }
                if (toc.ExtensionTables is { Count: > 0 } extensionRows)
                {
                    await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
                    await PostgreSqlExtensionConfig.RestoreAsync(conn, extensionRows, name => OpenPayload(source, name), report.AddBytes, cancellationToken).ConfigureAwait(false);
                }

                report.Phase("Sequences", toc.Tables.Count, toc.Tables.Sum(t => t.Bytes));
                // A connection only when there is something to do: each costs a TLS handshake and a sign-in.
                if (toc.Sequences.Count > 0)
                {
                    await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
                    foreach (var s in toc.Sequences)
                    {
                        await using var cmd = new NpgsqlCommand("SELECT pg_catalog.setval($1::regclass, $2, $3)", conn)
                        {
                            Parameters = { new() { Value = PostgreSqlSyntax.Qualified(s.Schema, s.Name) }, new() { Value = s.LastValue }, new() { Value = s.IsCalled } },
                        };
                        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                report.Phase("PostData", toc.Tables.Count, toc.Tables.Sum(t => t.Bytes));
                await postData.RestoreRestAsync(async () =>
                {
                    if (toc.MaterializedViews is { Count: 0 }) return; // null (older backups): refresh every one
                    await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
                    await PostgreSqlMaterializedViews.RefreshAsync(conn, toc.MaterializedViews, cancellationToken).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
                await FinishRestoreDatabaseAsync(target, toc, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            report.Complete();
        }
        catch
        {
            await DropDatabaseAsync(target, target.Database, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task DropDatabaseAsync(ConnectionTarget server, string database, CancellationToken cancellationToken)
    {
        await using var admin = await OpenAdminAsync(server, [database], cancellationToken).ConfigureAwait(false);
        await Guard(server, $"dropping database '{database}'", async () =>
        {
            await DropAsync(admin, database, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TableStat>> ComputeTableStatsAsync(ConnectionTarget target, IReadOnlyList<TableStat> tables, CancellationToken cancellationToken)
    {
        await using var conn = await PostgreSqlConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        return await Guard(target, "computing table checksums", async () =>
        {
            await ExecuteAsync(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", cancellationToken).ConfigureAwait(false);
            var result = new List<TableStat>();
            foreach (var t in tables)
            {
                var (columns, partitioned) = await PostgreSqlCatalog.CopyColumnsAsync(conn, t.Schema, t.Name, cancellationToken).ConfigureAwait(false)
                    ?? throw new DbBackupException(ErrorKind.NotFound, "TableNotFound", $"Table {t.Schema}.{t.Name} does not exist in database '{target.Database}'.") { TargetObject = t.ToString() };
                var checksum = new RowSetChecksum();
                // A partitioned table here stands for partitions loaded through it (PostgreSqlLoadViaRoot).
                await PostgreSqlCopy.CopyOutAsync(conn, PostgreSqlCopy.CopyOutSql(t.Schema, t.Name, columns, null, null, wholeTree: partitioned), null, checksum, _ => { }, cancellationToken).ConfigureAwait(false);
                await PostgreSqlRowCount.CheckAsync(conn, t.Schema, t.Name, null, null, checksum.Rows, "its COPY in the same snapshot streamed", cancellationToken, partitioned).ConfigureAwait(false);
                result.Add(new TableStat { Schema = t.Schema, Name = t.Name, Rows = checksum.Rows, ContentChecksum = checksum.Value });
            }
            await ExecuteAsync(conn, "COMMIT", cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<TableStat>)result;
        }).ConfigureAwait(false);
    }

    // ---- dump ----

    private static async Task DumpSchemaAsync(PostgreSqlTools tools, ConnectionTarget source, string snapshot,
        IReadOnlyList<(string Schema, string Name)>? relations, IPayloadSink sink, CancellationToken ct)
    {
        var args = new List<string> { "--schema-only", "--format=custom", "-Z0", "--no-password", "--snapshot=" + snapshot };
        if (relations != null)
        {
            args.Add("--strict-names");
            foreach (var (schema, name) in relations) { args.Add("-t"); args.Add(PostgreSqlSyntax.DumpPattern(schema, name)); }
        }
        args.Add("-d");
        args.Add(PostgreSqlSyntax.ConnInfoDatabase(source.Database));
        using var p = ToolRunner.Start(tools.PgDump, args, ToolEnvironment(source));
        await using var reg = ct.Register(() => ToolRunner.Kill(p));
        var stderr = ToolRunner.CollectStderrAsync(p);
        try
        {
            await using var output = sink.Create(PostgreSqlToc.SchemaFileName);
            await p.StandardOutput.BaseStream.CopyToAsync(output, ct).ConfigureAwait(false);
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
        var err = await stderr.ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (p.ExitCode != 0) throw ToolRunner.ToolFailed(tools.PgDump, p.ExitCode, err);
    }

    private static async Task<List<PostgreSqlTocSequence>> SequencePositionsAsync(NpgsqlConnection conn, IReadOnlyList<(string Schema, string Name)> sequences, CancellationToken ct)
    {
        var list = new List<PostgreSqlTocSequence>();
        foreach (var (schema, name) in sequences)
        {
            await using var cmd = new NpgsqlCommand($"SELECT last_value, is_called FROM {PostgreSqlSyntax.Qualified(schema, name)}", conn);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await r.ReadAsync(ct).ConfigureAwait(false);
            list.Add(new PostgreSqlTocSequence { Schema = schema, Name = name, LastValue = r.GetInt64(0), IsCalled = r.GetBoolean(1) });
        }
        return list;
    }

    // ---- restore ----

    private static async Task RunPgRestoreAsync(PostgreSqlTools tools, ConnectionTarget target, string section, IPayloadSource source, string schemaFile, CancellationToken ct)
    {
        string[] args = ["--section=" + section, "--exit-on-error", "--no-password", "-d", PostgreSqlSyntax.ConnInfoDatabase(target.Database)];
        using var p = ToolRunner.Start(tools.PgRestore, args, ToolEnvironment(target, asyncCommit: true), redirectStdin: true);
        await using var reg = ct.Register(() => ToolRunner.Kill(p));
        var stderr = ToolRunner.CollectStderrAsync(p);
        var stdout = p.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
        try
        {
            await using var input = OpenPayload(source, schemaFile);
            var stdin = p.StandardInput.BaseStream;
            var buffer = new byte[81920];
            var piping = true;
            int n;
            while ((n = await input.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (!piping) continue; // keep reading so the payload's checksum is still verified at its end
                try { await stdin.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false); }
                catch (IOException) { piping = false; } // pg_restore stopped reading; its exit code says why
            }
            try { stdin.Close(); } catch (IOException) { }
        }
        catch
        {
            // pg_restore would otherwise wait forever for the rest of its input.
            ToolRunner.Kill(p);
            throw;
        }
        finally
        {
            await p.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        await stdout.ConfigureAwait(false);
        var err = await stderr.ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        if (p.ExitCode != 0) throw ToolRunner.ToolFailed(tools.PgRestore, p.ExitCode, err);
    }

    /// <summary>The post-data restore, with early builds for the tables of at least <see cref="EarlyPostDataTableBytes"/>
    /// loaded directly (rows loaded through a partition root may land in any partition).</summary>
    private PostgreSqlPostDataRestore StartPostData(PostgreSqlTools tools, ConnectionTarget target, IPayloadSource source, PostgreSqlToc toc, int jobs, CancellationToken ct)
    {
        var tables = toc.Tables
            .Where(t => t.LoadViaName == null && t.Bytes >= EarlyPostDataTableBytes && !toc.Tables.Any(o => o.LoadViaSchema == t.Schema && o.LoadViaName == t.Name))
            .Select(t => (t.Schema, t.Name)).ToList();
        return new PostgreSqlPostDataRestore(tools, PostgreSqlSyntax.ConnInfoDatabase(target.Database), ToolEnvironment(target, asyncCommit: true),
            OpenPayload(source, toc.SchemaFile), tables, jobs, ct);
    }

    private static async Task RefuseMissingRolesAsync(NpgsqlConnection admin, IReadOnlyList<string> roles, ConnectionTarget target, CancellationToken ct)
    {
        if (roles.Count == 0) return;
        var missing = new List<string>();
        await using var cmd = new NpgsqlCommand("SELECT r FROM unnest($1::text[]) r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) ORDER BY 1", admin)
        { Parameters = { new() { Value = roles.ToArray() } } };
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await r.ReadAsync(ct).ConfigureAwait(false)) missing.Add(r.GetString(0));
        if (missing.Count > 0)
            throw new DbBackupException(ErrorKind.InvalidOperation, "RolesMissing",
                $"The backup's objects are owned by or granted to roles that do not exist on {target.Server}:{target.Port}: {string.Join(", ", missing)}. " +
                "Create these roles first (CREATE ROLE …); DbBackup keeps owners and privileges as they were.") { TargetObject = missing[0] };
    }

    // ---- shared ----

    /// <summary>Runs <paramref name="workers"/> copies of a worker over one cancellation scope: the first
    /// failure cancels the others, and that failure (not the others' cancellations) is rethrown.</summary>
    private static async Task RunWorkersAsync(int workers, Func<CancellationToken, Task> worker, CancellationToken ct)
    {
        if (workers <= 0) return;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            try { await worker(cts.Token).ConfigureAwait(false); }
            catch { await cts.CancelAsync().ConfigureAwait(false); throw; }
        }, CancellationToken.None)).ToArray();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            ct.ThrowIfCancellationRequested();
            var first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (first != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw;
        }
    }

    /// <param name="asyncCommit">For the pg_restore runs into a restore's new database: their sessions do not wait for
    /// the WAL flush at each commit (one per schema entry: 60 of 130 ms for the benchmark's pre-data). A crash can only
    /// lose the new database's commits, and the restore flushes all WAL once at its end (<see cref="FlushWalAsync"/>)
    /// before it can succeed. PGOPTIONS is added to, not replaced, so a caller's own options still apply.</param>
    private static Dictionary<string, string> ToolEnvironment(ConnectionTarget target, bool asyncCommit = false)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PGHOST"] = target.Server,
            ["PGPORT"] = target.Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = target.UserName,
            ["PGDATABASE"] = target.Database,
            ["PGCONNECT_TIMEOUT"] = "10",
            ["PGAPPNAME"] = "DbBackup",
        };
        if (target.Password != null) env["PGPASSWORD"] = target.Password;
        if (asyncCommit)
            env["PGOPTIONS"] = (Environment.GetEnvironmentVariable("PGOPTIONS") + " -c synchronous_commit=off").TrimStart();
        return env;
    }

    /// <summary>Waits until every commit of the restore so far is on disk: a transaction with an id commits
    /// synchronously, and a WAL flush covers everything written before it, whatever session wrote it.</summary>
    private static async Task FlushWalAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await ExecuteAsync(conn, "SET synchronous_commit TO on; SELECT pg_catalog.txid_current()", ct).ConfigureAwait(false);
        DebugTimings.Mark("restore flushed to disk");
    }

    private static async Task<(string Text, Version Version)> ServerVersionAsync(NpgsqlConnection conn, ConnectionTarget target, CancellationToken ct)
    {
        string text;
        int num;
        await using (var cmd = new NpgsqlCommand("SELECT current_setting('server_version'), current_setting('server_version_num')::int", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await r.ReadAsync(ct).ConfigureAwait(false);
            text = r.GetString(0).Split(' ', 2)[0];
            num = r.GetInt32(1);
        }
        var version = num >= 100000 ? new Version(num / 10000, num % 10000, 0) : new Version(num / 10000, num / 100 % 100, num % 100);
        if (version.Major < MinimumServerMajor)
            throw new DbBackupException(ErrorKind.NotSupported, "ServerVersionUnsupported",
                $"{target.Server}:{target.Port} runs PostgreSQL {text}; DbBackup supports PostgreSQL {MinimumServerMajor} and newer.");
        return (text, version);
    }

    private static async Task<NpgsqlConnection> OpenAdminAsync(ConnectionTarget server, string[] avoid, CancellationToken ct)
    {
        // A database cannot be renamed or dropped from a session connected to it.
        var database = avoid.Contains("postgres", StringComparer.Ordinal) ? "template1" : "postgres";
        try
        {
            return await PostgreSqlConnector.OpenAsync(server, ct, database).ConfigureAwait(false);
        }
        catch (DbBackupException e) when (e.ErrorId == "DatabaseNotFound" && database == "postgres")
        {
            return await PostgreSqlConnector.OpenAsync(server, ct, "template1").ConfigureAwait(false);
        }
    }

    private static async Task DropAsync(NpgsqlConnection admin, string database, CancellationToken ct)
    {
        // A restored template (IS_TEMPLATE, kept from the backup) cannot be dropped until it is no longer one.
        await using (var unmark = new NpgsqlCommand("SELECT format('ALTER DATABASE %I IS_TEMPLATE false', datname) FROM pg_database WHERE datname = $1 AND datistemplate", admin)
        { Parameters = { new() { Value = database } } })
            if (await unmark.ExecuteScalarAsync(ct).ConfigureAwait(false) is string sql) await ExecuteAsync(admin, sql, ct).ConfigureAwait(false);
        if (admin.PostgreSqlVersion.Major >= 13)
        {
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {PostgreSqlSyntax.Identifier(database)} WITH (FORCE)", ct).ConfigureAwait(false);
            return;
        }
        if (!await DatabaseExistsAsync(admin, database, ct).ConfigureAwait(false)) return;
        await ExecuteAsync(admin, $"ALTER DATABASE {PostgreSqlSyntax.Identifier(database)} ALLOW_CONNECTIONS false", ct).ConfigureAwait(false);
        await TerminateSessionsAsync(admin, [database], ct).ConfigureAwait(false);
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {PostgreSqlSyntax.Identifier(database)}", ct).ConfigureAwait(false);
    }

    private static async Task TerminateSessionsAsync(NpgsqlConnection admin, string[] databases, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()", admin)
            { Parameters = { new() { Value = databases } } };
            var left = (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            if (left == 0) return;
            if (DateTime.UtcNow > deadline)
                throw new DbBackupException(ErrorKind.Timeout, "SessionsStillOpen",
                    $"{left} session(s) on {string.Join(", ", databases)} did not end within 15 seconds of being terminated.");
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    private static async Task<bool> DatabaseExistsAsync(NpgsqlConnection conn, string database, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", conn) { Parameters = { new() { Value = database } } };
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private static Stream OpenPayload(IPayloadSource source, string name)
    {
        try { return source.Open(name); }
        catch (FileNotFoundException e)
        {
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadFileMissing", $"The backup's payload has no file '{name}'.", e);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }

    private static ErrorKind KindOf(PostgresException e) => e.SqlState switch
    {
        PostgresErrorCodes.InsufficientPrivilege => ErrorKind.AuthenticationError,
        PostgresErrorCodes.QueryCanceled => ErrorKind.Cancelled,
        _ => ErrorKind.ServerError,
    };

    /// <summary>Runs a step, turning server errors and dropped connections into user-facing errors;
    /// DbBackupExceptions and cancellations pass through.</summary>
    private static async Task<T> Guard<T>(ConnectionTarget target, string what, Func<Task<T>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new DbBackupException(KindOf(e), "ServerError",
                $"PostgreSQL at {target.Server}:{target.Port} failed while {what}: {e.SqlState} {e.MessageText}", e);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            throw new DbBackupException(ErrorKind.ConnectionError, "ConnectionLost",
                $"The connection to PostgreSQL at {target.Server}:{target.Port} failed while {what}: {e.GetBaseException().Message}", e);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex EncodingName();

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex ToolMajor();
}
