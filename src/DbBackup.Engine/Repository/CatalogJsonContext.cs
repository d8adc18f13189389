using System.Text.Json.Serialization;

namespace DbBackup.Engine.Repository;

/// <summary>Source-generated JSON for the catalog: a list parses its snapshot of every record in a
/// fresh process, where reflection-based serialization would first spend its start-up warming up.
/// Compact, enums as names, defaults and nulls left out.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault, PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified)]
[JsonSerializable(typeof(List<CatalogEntry>))]
[JsonSerializable(typeof(CatalogEntry))]
[JsonSerializable(typeof(CatalogHeader))]
[JsonSerializable(typeof(List<CatalogTarget>))]
[JsonSerializable(typeof(CatalogTarget))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
