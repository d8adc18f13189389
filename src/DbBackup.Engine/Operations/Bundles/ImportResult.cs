using DbBackup.Model;

namespace DbBackup.Engine.Operations;

/// <summary>What an import brought in: the record, whether its manifest carried a seal, and whether the
/// repository already held this very backup (then nothing was written).</summary>
internal sealed record ImportResult(BackupRecord Record, bool Sealed, bool Reused);
