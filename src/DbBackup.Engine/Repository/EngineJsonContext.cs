using System.Text.Json.Serialization;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>Source-generated metadata for what every command reads and writes before its real work starts and after it
/// ends: records, policies, locks, the repository file and activity entries. Reflection-built metadata cost a fresh
/// process ~760 JIT-compiled methods and emitted accessors before the first record was written (bench/README.md).
/// Metadata only: <see cref="Json"/>'s options (names, enums as names, strict nulls, escaping) still decide the shape,
/// and any other type falls back to reflection.</summary>
[JsonSerializable(typeof(BackupRecord))]
[JsonSerializable(typeof(RestoreRecord))]
[JsonSerializable(typeof(BackupPolicy))]
[JsonSerializable(typeof(ActivityEntry))]
[JsonSerializable(typeof(LockOwner))]
[JsonSerializable(typeof(RepositoryFile))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;
