using System.Text.Json.Serialization;
using DbBackup.Engine.Providers.MySql;
using DbBackup.Engine.Providers.PostgreSql;

namespace DbBackup.Engine.Providers;

/// <summary>Source-generated metadata for the payloads' JSON documents (toc.json of both engines): every backup writes
/// one and every restore reads one, in a fresh process, where reflection-built metadata costs start-up time (see
/// EngineJsonContext). Metadata only: each document's own options still decide its shape.</summary>
[JsonSerializable(typeof(PostgreSqlToc))]
[JsonSerializable(typeof(MySqlToc))]
[JsonSerializable(typeof(List<PostgreSqlLargeObjectGrant>))]
[JsonSerializable(typeof(PostgreSqlLargeObject))]
internal sealed partial class PayloadJsonContext : JsonSerializerContext;
