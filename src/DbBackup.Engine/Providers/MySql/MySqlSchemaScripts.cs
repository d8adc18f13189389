using DbBackup.Engine.Artifacts;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>The schema part of a MySQL payload: which dump-tool runs write which script, and the order
/// in which a restore applies them. Every object's DEFINER, SQL SECURITY, sql_mode and character set
/// come through verbatim as mariadb-dump writes them.
/// <para>Format 2 (written now) orders objects by what they can depend on: <c>schema.sql</c> (base
/// tables and sequences), the data, <c>routines.sql</c> (functions and procedures), <c>views.sql</c>
/// (placeholder views with the real column names, then the real views: a view may call a function and
/// may read another view, whatever the names' order), <c>post.sql</c> (triggers, then events, so
/// neither fires during the load).</para>
/// <para>Format 1 had the views inside <c>schema.sql</c>, before the routines in <c>post.sql</c>, so a
/// view calling a stored function failed to restore (ERROR 1305). Such backups are restored by applying
/// that file's views (the tool's "Final view structure" section) after <c>post.sql</c>.</para></summary>
internal static class MySqlSchemaScripts
{
    /// <summary>Tables (and sequences); format 1: tables and views.</summary>
    public const string Schema = "schema.sql";
    /// <summary>Functions and procedures (format 2).</summary>
    public const string Routines = "routines.sql";
    /// <summary>Views (format 2).</summary>
    public const string Views = "views.sql";
    /// <summary>Triggers and events; format 1: triggers, routines and events.</summary>
    public const string Post = "post.sql";

    private const string FinalViewMarker = "\n--\n-- Final view structure for view ";

    /// <summary>The scripts a payload of <paramref name="formatVersion"/> must hold.</summary>
    public static string[] Required(int formatVersion) => formatVersion == 1 ? [Schema, Post] : [Schema, Routines, Views, Post];

    private static readonly string[] Common = ["--no-data", "--single-transaction", "--skip-dump-date", "--no-create-db", "--no-tablespaces"];

    /// <summary>Writes the four scripts. <paramref name="tables"/> limits them to a table subset (no
    /// views then: they may read tables that are not restored); <paramref name="views"/> are the
    /// database's views, left out of <see cref="Schema"/> and written to <see cref="Views"/>.</summary>
    public static async Task DumpAsync(ConnectionTarget source, IPayloadSink sink, IReadOnlyList<string>? tables, IReadOnlyList<string> views,
        Func<ConnectionTarget, IPayloadSink, string, List<string>, CancellationToken, Task> dump, CancellationToken cancellationToken)
    {
        var db = source.Database;
        List<string> tableArgs = tables == null ? [.. views.Select(v => $"--ignore-table={db}.{v}"), "--", db] : ["--", db, .. tables];
        await dump(source, sink, Schema, [.. Common, "--skip-triggers", .. tableArgs], cancellationToken).ConfigureAwait(false);
        await dump(source, sink, Routines, [.. Common, "--no-create-info", "--skip-triggers", "--routines", "--skip-events", "--", db], cancellationToken).ConfigureAwait(false);
        if (tables == null && views.Count > 0)
            await dump(source, sink, Views, [.. Common, "--skip-triggers", "--", db, .. views], cancellationToken).ConfigureAwait(false);
        else
            await using (sink.Create(Views)) { }
        await dump(source, sink, Post, [.. Common, "--no-create-info", "--triggers", "--skip-routines", "--events", .. tableArgs.SkipWhile(a => a.StartsWith("--ignore-table=", StringComparison.Ordinal))],
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The schema steps of a restore, in order, around the data load: each is a payload file
    /// name or, for format 1, a script text split out of one.</summary>
    public sealed record Plan(IReadOnlyList<Step> BeforeData, IReadOnlyList<Step> AfterData);

    /// <summary>A payload file to apply, or a script text when <see cref="Text"/> is set.</summary>
    public sealed record Step(string Name, string? Text = null);

    /// <summary>The restore order for <paramref name="formatVersion"/>.</summary>
    public static async Task<Plan> PlanAsync(int formatVersion, IPayloadSource source, CancellationToken cancellationToken)
    {
        if (formatVersion != 1)
            return new Plan([new Step(Schema)], [new Step(Routines), new Step(Views), new Step(Post)]);
        string schema;
        using (var reader = new StreamReader(source.Open(Schema)))
            schema = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        var (tables, views) = SplitFormat1(schema);
        return views == null
            ? new Plan([new Step(Schema)], [new Step(Post)])
            : new Plan([new Step(Schema, tables)], [new Step(Post), new Step(Schema + " (views)", views)]);
    }

    /// <summary>Splits a format-1 schema.sql into its tables (with the placeholder views) and its real
    /// views, which are given the dump's header (session settings) so they apply on their own.</summary>
    internal static (string Tables, string? Views) SplitFormat1(string schema)
    {
        var final = schema.IndexOf(FinalViewMarker, StringComparison.Ordinal);
        if (final < 0) return (schema, null);
        var firstObject = new[] { "\n--\n-- Table structure for table ", "\n--\n-- Temporary table structure for view ", "\n--\n-- Temporary view structure for view " }
            .Select(m => schema.IndexOf(m, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(final).Min();
        return (schema[..final] + "\n", schema[..firstObject] + schema[final..]);
    }
}
