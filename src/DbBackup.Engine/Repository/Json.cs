using System.Text.Json;
using System.Text.Json.Serialization;

namespace DbBackup.Engine.Repository;

/// <summary>The one JSON shape used for manifests, records, the activity log and the CLI's --json:
/// PascalCase property names (as PowerShell's ConvertTo-Json prints them) and enums as names.</summary>
public static class Json
{
    /// <summary>Indented, for files people read.</summary>
    public static readonly JsonSerializerOptions Indented = Create(true);

    /// <summary>One line, for activity.jsonl.</summary>
    public static readonly JsonSerializerOptions Compact = Create(false);

    /// <summary>For reading records: a null where the model allows none, a number or unknown name
    /// for an enum, are errors instead of values that break later code.</summary>
    public static readonly JsonSerializerOptions Records = Create(true, strict: true);

    private static JsonSerializerOptions Create(bool indented, bool strict = false)
    {
        var o = new JsonSerializerOptions
        {
            WriteIndented = indented,
            PropertyNamingPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            RespectNullableAnnotations = strict,
            // Set explicitly so GetTypeInfo works before the first (de)serialization. Generated metadata first (start-up
            // cost, EngineJsonContext), reflection for the rest (the CLI's --json output of other types).
            TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
                EngineJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()),
        };
        o.Converters.Add(new JsonStringEnumConverter(null, allowIntegerValues: !strict));
        return o;
    }

    /// <summary>Serializes with <see cref="Indented"/>.</summary>
    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Indented);

    /// <summary>Deserializes stored bytes, turning malformed JSON into an InvalidData error naming
    /// <paramref name="source"/>.</summary>
    public static T Parse<T>(byte[] bytes, string source) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Indented)
                ?? throw new DbBackupException(ErrorKind.InvalidData, "CorruptMetadata", $"'{source}' is empty.");
        }
        catch (JsonException e)
        {
            throw new DbBackupException(ErrorKind.InvalidData, "CorruptMetadata", $"'{source}' is not valid DbBackup metadata: {e.Message}", e);
        }
    }
}
