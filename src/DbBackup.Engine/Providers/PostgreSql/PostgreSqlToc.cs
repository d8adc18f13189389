using System.Text.Json;
using System.Text.Json.Serialization;
using DbBackup.Engine.Artifacts;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>toc.json: what a PostgreSQL payload holds, so it can be restored by this provider or by
/// hand (pg_restore --section=pre-data schema.dump; for each table
/// <c>COPY "schema"."name" (columns) FROM 'file'</c>; setval per sequence; pg_restore --section=post-data).
/// Data files are COPY text format, UTF-8, written with DateStyle ISO, TimeZone UTC, extra_float_digits 3.</summary>
public sealed class PostgreSqlToc
{
    /// <summary>The newest format this provider reads.</summary>
    public const int CurrentFormatVersion = ExtensionTablesFormatVersion;

    /// <summary>The format of payloads without large objects, which DbBackup versions before large
    /// objects were supported restore too.</summary>
    public const int BaseFormatVersion = 1;

    /// <summary>The format of payloads with large objects: only a backup that holds some is written with it,
    /// so older DbBackup versions refuse exactly the backups they would restore incompletely.</summary>
    public const int LargeObjectsFormatVersion = 2;

    /// <summary>The format of payloads with a table split into pieces (<see cref="PostgreSqlTocTable.Pieces"/>):
    /// older versions would load only one piece, so only such backups are written with it.</summary>
    public const int SplitTablesFormatVersion = 3;

    /// <summary>The format of payloads with rows of extension configuration tables (<see cref="ExtensionTables"/>):
    /// older versions would leave them out, so only such backups are written with it.</summary>
    public const int ExtensionTablesFormatVersion = 4;

    /// <summary>The logical file name of this document in the payload.</summary>
    public const string FileName = "toc.json";

    /// <summary>The logical file name of the pg_dump custom-format schema archive.</summary>
    public const string SchemaFileName = "schema.dump";

    /// <summary>Format version of the payload.</summary>
    public int FormatVersion { get; set; } = BaseFormatVersion;
    /// <summary>Server version string of the source.</summary>
    public string ServerVersion { get; set; } = "";
    /// <summary>pg_dump version that wrote the schema archive.</summary>
    public string ToolVersion { get; set; } = "";
    /// <summary>Source database encoding (pg_encoding name, e.g. UTF8): the restore creates the database with it.</summary>
    public string ServerEncoding { get; set; } = "";
    /// <summary>Source database LC_COLLATE (informational; the restore reads <see cref="Database"/>).</summary>
    public string? Collate { get; set; }
    /// <summary>Source database LC_CTYPE (informational; the restore reads <see cref="Database"/>).</summary>
    public string? Ctype { get; set; }
    /// <summary>The source database's locale, owner, privileges, comment and settings, which a restore
    /// recreates; null in backups written before DbBackup recorded them (restored with the server's default locale).</summary>
    public PostgreSqlTocDatabase? Database { get; set; }
    /// <summary>The schema archive file.</summary>
    public string SchemaFile { get; set; } = SchemaFileName;
    /// <summary>Roles that own objects or hold privileges in the source; they must exist on the target.</summary>
    public List<string> Roles { get; set; } = [];
    /// <summary>Schemas a table-subset restore creates before pg_restore (pg_dump -t does not dump them); empty for whole-database backups.</summary>
    public List<string> SubsetSchemas { get; set; } = [];
    /// <summary>Table data files.</summary>
    public List<PostgreSqlTocTable> Tables { get; set; } = [];
    /// <summary>Materialized views of a whole-database backup and whether each was populated; null in
    /// backups written before DbBackup recorded them (see PostgreSqlMaterializedViews).</summary>
    public List<PostgreSqlTocMaterializedView>? MaterializedViews { get; set; }
    /// <summary>Large objects of a whole-database backup, or null when it has none.</summary>
    public PostgreSqlTocLargeObjects? LargeObjects { get; set; }
    /// <summary>Rows of extension configuration tables of a whole-database backup, or null when it has none.</summary>
    public List<PostgreSqlTocExtensionTable>? ExtensionTables { get; set; }
    /// <summary>Sequence positions under the dump's snapshot.</summary>
    public List<PostgreSqlTocSequence> Sequences { get; set; } = [];

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = PayloadJsonContext.Default,
    };

    /// <summary>Writes this document as UTF-8 JSON.</summary>
    public Task WriteAsync(Stream stream, CancellationToken cancellationToken) => JsonSerializer.SerializeAsync(stream, this, Options, cancellationToken);

    /// <summary>Reads and validates a document; throws InvalidData or NotSupported.</summary>
    public static async Task<PostgreSqlToc> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        PostgreSqlToc? toc;
        try
        {
            toc = await JsonSerializer.DeserializeAsync<PostgreSqlToc>(stream, Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await CheckedPayloadStream.VerifyRestAsync(stream, cancellationToken).ConfigureAwait(false);
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid", $"{FileName} is not valid JSON: {e.Message}", e);
        }
        if (toc == null) throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid", $"{FileName} is empty.");
        if (toc.FormatVersion is < BaseFormatVersion or > CurrentFormatVersion)
            throw new DbBackupException(ErrorKind.NotSupported, "PayloadFormatUnsupported",
                $"{FileName} has format version {toc.FormatVersion}; this version of DbBackup reads formats {BaseFormatVersion} to {CurrentFormatVersion}.");
        return toc;
    }
}
