using DbBackup.Engine.Artifacts;

namespace DbBackup.Engine.Providers.MySql;

/// <summary>The schema part of a MySQL payload: which scripts there are, and the order in which a
/// restore applies them. Every object's DEFINER, SQL SECURITY, sql_mode and collation come through
/// verbatim from the server's SHOW CREATE (backups before this came from mariadb-dump, in the same
/// layout, and restore the same way).
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

    /// <summary>Writes the four scripts from SHOW CREATE (see <see cref="MySqlSchemaReader"/>).
    /// <paramref name="tables"/> limits them to a table subset (no views then: they may read tables that
    /// are not restored); <paramref name="views"/> are the database's views, written to <see cref="Views"/>.</summary>
    public static async Task DumpAsync(ConnectionTarget source, IPayloadSink sink, IReadOnlyList<string>? tables, IReadOnlyList<string> views, CancellationToken cancellationToken)
    {
        var reader = await MySqlSchemaReader.OpenAsync(source, cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteAsync(sink, Schema, await reader.TablesAsync(tables, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await WriteAsync(sink, Routines, await reader.RoutinesAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            await WriteAsync(sink, Views, tables == null ? await reader.ViewsAsync(views, cancellationToken).ConfigureAwait(false) : "", cancellationToken).ConfigureAwait(false);
            await WriteAsync(sink, Post, await reader.PostAsync(tables, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await reader.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(IPayloadSink sink, string name, string script, CancellationToken cancellationToken)
    {
        await using var file = sink.Create(name);
        await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(script), cancellationToken).ConfigureAwait(false);
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
