using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DbBackup.Engine.Artifacts;
using DbBackup.Model;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>MySQL and MariaDB through MySqlConnector. Schema, views, triggers, routines and events come
/// from SHOW CREATE (see <see cref="MySqlSchemaScripts"/>); table data is read over several sessions in
/// one consistent snapshot (see <see cref="MySqlSnapshot"/>, <see cref="MySqlDataDump"/>) in an exact
/// text form (see <see cref="MySqlValueEncoding"/>), because the dump tools print FLOAT lossily.
/// Restores load the data files in parallel by LOAD DATA LOCAL INFILE and build plain secondary keys
/// after the load (see <see cref="MySqlDeferredIndexes"/>).</summary>
public sealed partial class MySqlProvider : IDatabaseProvider
{
    private const string TocFile = "toc.json";
    // Tables whose rows are data: MariaDB reports a system-versioned table as 'SYSTEM VERSIONED', not
    // 'BASE TABLE' (its current rows are dumped, as mariadb-dump does; its history is not).
    private const string DataTableTypes = "('BASE TABLE', 'SYSTEM VERSIONED')";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);
    private static readonly JsonSerializerOptions TocJson = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() }, TypeInfoResolver = PayloadJsonContext.Default };

    /// <inheritdoc/>
    public DatabaseEngine Engine => DatabaseEngine.MySql;

    /// <summary>Test hook: called with a step name during <see cref="SwapAsync"/>; throwing from it
    /// simulates a failure at that step.</summary>
    internal Action<string>? SwapFaultInjection { get; set; }

    /// <summary>Estimated table size from which a dump with several jobs reads a table in primary-key
    /// ranges (see <see cref="MySqlDataDump.SplitBytes"/>); lowered by tests.</summary>
    internal long SplitBytes { get; init; } = 64L << 20;

    /// <summary>Test hook: load rows by LOAD DATA LOCAL INFILE (true) or INSERT batches (false) instead of
    /// asking the server whether it accepts local infile.</summary>
    internal bool? LocalInfile { get; init; }

    /// <summary>Test hook: build plain secondary keys after the load (true, the default) or keep them
    /// during it (see <see cref="MySqlDeferredIndexes"/>).</summary>
    internal bool DeferIndexes { get; init; } = true;

    /// <inheritdoc/>
    public async Task<ServerProbe> ProbeAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        var rows = await MySqlConnections.QueryAsync(target, null,
            "SELECT HEX(VERSION()), HEX(@@version_comment), EXISTS(SELECT 1 FROM information_schema.schemata WHERE schema_name = "
            + MySqlSyntax.StringLiteral(target.Database) + ");", cancellationToken).ConfigureAwait(false);
        if (rows.Count != 1 || rows[0].Length != 3) throw new DbBackupException(ErrorKind.ServerError, "MySqlProbeFailed", $"Unexpected probe answer from {target.Server}:{target.Port}.");
        var version = MySqlSyntax.FromHex(rows[0][0]);
        var comment = MySqlSyntax.FromHex(rows[0][1]);
        var flavor = version.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) || comment.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) ? "MariaDB" : "MySQL";
        var m = VersionPattern().Match(version);
        var parsed = m.Success
            ? new Version(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))
            : new Version(0, 0);
        return new ServerProbe(version, parsed, flavor, MySqlConnections.DriverVersion, rows[0][2] == "1");
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TableInfo>> ListTablesAsync(ConnectionTarget target, CancellationToken cancellationToken)
    {
        var db = MySqlSyntax.StringLiteral(target.Database);
        var rows = await MySqlConnections.QueryAsync(target, null,
            "SELECT HEX(t.table_name), IFNULL(t.data_length, 0), IFNULL((SELECT GROUP_CONCAT(HEX(c.column_name) ORDER BY c.ordinal_position SEPARATOR ',') " +
            "FROM information_schema.columns c WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name " +
            "AND c.data_type IN ('date', 'datetime', 'timestamp')), '') " +
            $"FROM information_schema.tables t WHERE t.table_schema = {db} AND t.table_type IN {DataTableTypes} ORDER BY t.table_name;",
            cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new TableInfo("", MySqlSyntax.FromHex(r[0]),
                r[2].Length == 0 ? [] : r[2].Split(',').Select(MySqlSyntax.FromHex).ToList(),
                long.Parse(r[1], CultureInfo.InvariantCulture)))
            .OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc/>
    public async Task<DumpResult> DumpAsync(DumpRequest request, IPayloadSink sink, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
    {
        var source = request.Source;
        var probe = await ProbeAsync(source, cancellationToken).ConfigureAwait(false);
        if (!probe.DatabaseExists)
            throw new DbBackupException(ErrorKind.NotFound, "DatabaseNotFound", $"Database '{source.Database}' does not exist on {source.Server}:{source.Port}.") { TargetObject = source.Database };
        var (charset, collation) = await DatabaseDefaultsAsync(source, source.Database, cancellationToken).ConfigureAwait(false);
        var columns = await LoadColumnsAsync(source, source.Database, cancellationToken).ConfigureAwait(false);
        var sizes = (await ListTablesAsync(source, cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Name, t => t.EstimatedBytes, StringComparer.Ordinal);

        var subset = request.Tables != null;
        var names = subset ? request.Tables!.Select(t => t.Name).ToList() : columns.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var name in names)
            if (!columns.ContainsKey(name))
                throw new DbBackupException(ErrorKind.NotFound, "UnknownTable",
                    $"Table '{name}' is not a base table of database '{source.Database}'. Tables: {string.Join(", ", columns.Keys.Order(StringComparer.Ordinal))}.") { TargetObject = name };

        string? sinceLiteral = null;
        if (request.Since is { } since)
        {
            if (string.IsNullOrEmpty(request.DateColumn))
                throw new DbBackupException(ErrorKind.InvalidArgument, "DateColumnRequired", "A since-filter needs a date column.");
            // Compared in a session with time_zone '+00:00': TIMESTAMP columns compare as UTC instants,
            // DATETIME/DATE columns are taken to hold UTC.
            sinceLiteral = "'" + since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "'";
            foreach (var name in names)
                if (!columns[name].Any(c => c.Column.Name == request.DateColumn && c.Column.DataType is "date" or "datetime" or "timestamp"))
                    throw new DbBackupException(ErrorKind.InvalidArgument, "DateColumnMissing",
                        $"Table '{name}' has no date, datetime or timestamp column '{request.DateColumn}' to apply the since-filter to.") { TargetObject = name };
        }

        await MySqlObjectVisibility.RequireAsync(source, names, cancellationToken).ConfigureAwait(false);
        var state = new OperationProgress { Phase = "Schema", TablesTotal = names.Count, BytesEstimated = names.Sum(n => sizes.GetValueOrDefault(n)) };
        Report(progress, state);

        // Tables, routines, views and triggers/events in separate scripts, applied around the data in
        // dependency order (see MySqlSchemaScripts).
        var views = subset ? [] : await ListViewsAsync(source, cancellationToken).ConfigureAwait(false);
        await MySqlSchemaScripts.DumpAsync(source, sink, subset ? names : null, views, cancellationToken).ConfigureAwait(false);

        var jobs = names.Select((name, i) => new MySqlTableJob(name, columns[name].Where(c => !c.Generated).Select(c => c.Column).ToList(),
            sinceLiteral == null ? null : MySqlSyntax.Identifier(request.DateColumn!) + " >= " + sinceLiteral,
            $"data/{i + 1:D4}.tsv")).ToList();
        state.Phase = "Data";
        DebugTimings.Mark("phase Data");
        var data = await new MySqlDataDump { SplitBytes = SplitBytes }.RunAsync(source, jobs, sizes, request.Jobs, sink, progress, state, cancellationToken).ConfigureAwait(false);
        var stats = data.Stats;

        var toc = new MySqlToc
        {
            Database = source.Database, CharacterSet = charset, Collation = collation,
            Comment = await DatabaseCommentAsync(source, source.Database, cancellationToken).ConfigureAwait(false) is { Length: > 0 } comment ? comment : null,
            ServerVersion = probe.ServerVersion, Subset = subset,
            Since = request.Since?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), DateColumn = request.Since == null ? null : request.DateColumn,
            Tables = jobs.Select((j, i) => new MySqlTocTable
            {
                Name = j.Table, File = j.File!, Rows = stats[i].Rows, Checksum = stats[i].ContentChecksum, Columns = j.Columns,
                FileRows = data.Files[i].Count > 1 ? data.Files[i][0].Rows : null,
                Parts = data.Files[i].Count > 1 ? data.Files[i].Skip(1).Select(f => new MySqlTocPart { File = f.File, Rows = f.Rows }).ToList() : null,
            }).ToList(),
        };
        await using (var tocStream = sink.Create(TocFile))
            await JsonSerializer.SerializeAsync(tocStream, toc, TocJson, cancellationToken).ConfigureAwait(false);

        state.Phase = "Finishing";
        DebugTimings.Mark("phase Finishing");
        state.Percent = 100;
        Report(progress, state);
        // Values are escaped bytes (toc format 4), which a DbBackup reading formats up to 3 cannot load: it
        // must refuse the backup up front, by the record's payload format version.
        return new DumpResult(probe.ServerVersion, probe.ToolVersion, stats) { FormatVersion = MySqlToc.RecordFormatVersion, Consistency = data.Consistency };
    }

    /// <inheritdoc/>
    public async Task RestoreAsync(RestoreRequest request, IPayloadSource source, IProgress<OperationProgress> progress, CancellationToken cancellationToken)
    {
        var target = request.Target;
        var database = target.Database;
        var probe = await ProbeAsync(target, cancellationToken).ConfigureAwait(false);
        if (probe.DatabaseExists)
            throw new DbBackupException(ErrorKind.InvalidOperation, "TargetDatabaseExists",
                $"Database '{database}' already exists on {target.Server}:{target.Port}; a restore only creates a new database. Choose a name that does not exist.") { TargetObject = database };
        var toc = await ReadTocAsync(source, cancellationToken).ConfigureAwait(false);
        foreach (var required in MySqlSchemaScripts.Required(toc.FormatVersion))
            if (!source.Names.Contains(required))
                throw new DbBackupException(ErrorKind.InvalidData, "MySqlPayloadIncomplete", $"The backup has no '{required}'; it is not a complete MySQL backup.");
        var plan = await MySqlSchemaScripts.PlanAsync(toc.FormatVersion, source, cancellationToken).ConfigureAwait(false);

        var state = new OperationProgress { Phase = "Schema", TablesTotal = toc.Tables.Count };
        Report(progress, state);
        await MySqlConnections.QueryAsync(target, null,
            CreateDatabaseSql(database, toc), cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var step in plan.BeforeData)
                await ApplyScriptAsync(target, database, source, step, cancellationToken).ConfigureAwait(false);
            state.Phase = "Data";
            DebugTimings.Mark("phase Data");
            Report(progress, state);
            var localInfile = LocalInfile ?? await MySqlTableLoader.LocalInfileAllowedAsync(target, cancellationToken).ConfigureAwait(false);
            var indexes = DeferIndexes
                ? await MySqlDeferredIndexes.DropAsync(target, database, toc.Tables.Select(t => t.Name), cancellationToken).ConfigureAwait(false)
                : null;
            DebugTimings.Mark("secondary keys dropped");
            // Every data file is a unit of its own (a split table's ranges load in parallel too), biggest
            // tables first so the last one started is not the longest.
            var files = toc.Tables.SelectMany(t => (t.Parts ?? []).Select(p => (Table: t, p.File, p.Rows))
                    .Prepend((Table: t, t.File, Rows: t.Parts == null ? t.Rows : t.FileRows ?? 0)))
                .OrderByDescending(f => f.Rows).ToList();
            var left = toc.Tables.ToDictionary(t => t, t => 1 + (t.Parts?.Count ?? 0));
            var done = 0;
            long bytes = 0;
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Jobs), CancellationToken = cancellationToken },
                async (file, ct) =>
                {
                    var n = await MySqlTableLoader.LoadAsync(target, database, source, file.Table, file.File, file.Rows, localInfile, ct).ConfigureAwait(false);
                    bool last;
                    lock (state) last = --left[file.Table] == 0;
                    // The table's keys are built and its rows counted as soon as its last file is in, while
                    // the other jobs still load.
                    if (last && indexes != null) await indexes.BuildAsync(target, database, file.Table.Name, ct).ConfigureAwait(false);
                    if (last) await VerifyRestoredRowCountsAsync(target, database, [file.Table], ct).ConfigureAwait(false);
                    lock (state)
                    {
                        bytes += n;
                        if (last) state.TablesDone = ++done;
                        state.BytesDone = bytes;
                        state.CurrentTable = file.Table.Name;
                        state.Percent = toc.Tables.Count == 0 ? 100 : 100 * done / toc.Tables.Count;
                        Report(progress, state);
                    }
                }).ConfigureAwait(false);
            state.Phase = "PostData";
            DebugTimings.Mark("phase PostData");
            Report(progress, state);
            foreach (var step in plan.AfterData)
                await ApplyScriptAsync(target, database, source, step, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Only the database this restore created is dropped, even when cancelled.
            try { await DropDatabaseAsync(target, database, CancellationToken.None).ConfigureAwait(false); }
            catch (DbBackupException) { /* the original error matters more */ }
            throw;
        }
    }

    /// <inheritdoc/>
    public Task SwapAsync(ConnectionTarget server, string database, string replacement, CancellationToken cancellationToken)
        => new MySqlDatabaseSwap(server, database, replacement, SwapFaultInjection).RunAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<AbandonedRestoreCleanup> CleanUpAbandonedRestoreAsync(ConnectionTarget server, string database, string aside, bool swapStarted, CancellationToken cancellationToken)
        => MySqlDatabaseSwap.CleanUpAbandonedRestoreAsync(server, database, aside, swapStarted, cancellationToken);

    /// <inheritdoc/>
    public async Task DropDatabaseAsync(ConnectionTarget server, string database, CancellationToken cancellationToken)
        => await MySqlConnections.QueryAsync(server, null, $"DROP DATABASE IF EXISTS {MySqlSyntax.Identifier(database)};", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TableStat>> ComputeTableStatsAsync(ConnectionTarget target, IReadOnlyList<TableStat> tables, CancellationToken cancellationToken)
    {
        var columns = await LoadColumnsAsync(target, target.Database, cancellationToken).ConfigureAwait(false);
        var jobs = new List<MySqlTableJob>();
        foreach (var t in tables)
        {
            if (!columns.TryGetValue(t.Name, out var cols))
                throw new DbBackupException(ErrorKind.NotFound, "UnknownTable", $"Table '{t.Name}' does not exist in database '{target.Database}'.") { TargetObject = t.Name };
            var stored = cols.Where(c => !c.Generated).Select(c => c.Column).ToList();
            jobs.Add(new MySqlTableJob(t.Name, MySqlChecksumForm.IsEscaped(t.ContentChecksum) ? stored : MySqlChecksumForm.AsHex(stored), null, null));
        }
        var sizes = (await ListTablesAsync(target, cancellationToken).ConfigureAwait(false)).ToDictionary(t => t.Name, t => t.EstimatedBytes, StringComparer.Ordinal);
        return (await new MySqlDataDump { SplitBytes = SplitBytes }.RunAsync(target, jobs, sizes, 1, null, null, new OperationProgress(), cancellationToken).ConfigureAwait(false)).Stats;
    }

    /// <summary>Applies a payload SQL script (or a text split out of one) in <paramref name="database"/>.</summary>
    private static async Task ApplyScriptAsync(ConnectionTarget target, string database, IPayloadSource source, MySqlSchemaScripts.Step step, CancellationToken cancellationToken)
    {
        var script = step.Text;
        if (script == null)
        {
            using var reader = new StreamReader(source.Open(step.Name), Encoding.UTF8);
            script = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        await MySqlScriptRunner.ApplyAsync(target, database, script, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The payload's toc.json, read and checked against the payload's files (a full restore and a
    /// table replace read it alike).</summary>
    private static async Task<MySqlToc> ReadTocAsync(IPayloadSource source, CancellationToken cancellationToken)
    {
        if (!source.Names.Contains(TocFile))
            throw new DbBackupException(ErrorKind.InvalidData, "MySqlPayloadIncomplete", $"The backup has no '{TocFile}'; it is not a complete MySQL backup.");
        MySqlToc toc;
        await using (var tocStream = source.Open(TocFile))
            toc = await JsonSerializer.DeserializeAsync<MySqlToc>(tocStream, TocJson, cancellationToken).ConfigureAwait(false)
                  ?? throw new DbBackupException(ErrorKind.InvalidData, "MySqlTocInvalid", "toc.json is empty.");
        ValidateToc(toc, source);
        return toc;
    }

    private static void ValidateToc(MySqlToc toc, IPayloadSource source)
    {
        static DbBackupException Bad(string what) => new(ErrorKind.InvalidData, "MySqlTocInvalid", "toc.json is invalid: " + what + ".");
        if (toc.FormatVersion < 1 || toc.FormatVersion > MySqlToc.CurrentFormatVersion)
            throw new DbBackupException(ErrorKind.NotSupported, "MySqlFormatVersion", $"This backup's MySQL payload format is version {toc.FormatVersion}; this DbBackup reads versions 1 to {MySqlToc.CurrentFormatVersion}.");
        if (!SqlWordPattern().IsMatch(toc.CharacterSet) || !SqlWordPattern().IsMatch(toc.Collation)) throw Bad("bad character set or collation");
        foreach (var t in toc.Tables)
        {
            foreach (var file in t.Parts?.Select(p => p.File).Prepend(t.File) ?? [t.File])
                if (!source.Names.Contains(file)) throw Bad($"data file '{file}' of table '{t.Name}' is missing");
            if (t.Parts != null && (t.FileRows is not { } first || first + t.Parts.Sum(p => p.Rows) != t.Rows)) throw Bad($"the parts of table '{t.Name}' do not add up to its rows");
            if (t.Columns.Count == 0) throw Bad($"table '{t.Name}' has no columns");
            foreach (var c in t.Columns)
            {
                if (c.CharacterSet is { } cs && !SqlWordPattern().IsMatch(cs)) throw Bad($"bad character set for column '{c.Name}'");
                if (c.Encoding == MySqlValueEncoding.Escaped && toc.FormatVersion < MySqlToc.EscapedFormatVersion)
                    throw Bad($"column '{c.Name}' of table '{t.Name}' is escaped in a format {toc.FormatVersion} backup");
            }
        }
    }

    private static void Report(IProgress<OperationProgress>? progress, OperationProgress state)
    {
        if (progress == null) return;
        state.UpdatedAt = DateTimeOffset.UtcNow;
        progress.Report(state.Clone());
    }

    [GeneratedRegex(@"^(\d+)\.(\d+)\.(\d+)")] private static partial Regex VersionPattern();
    [GeneratedRegex("^[A-Za-z0-9_]+$")] private static partial Regex SqlWordPattern();
}
