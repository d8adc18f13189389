using DbBackup.Model;

namespace DbBackup.Engine.Policies;

/// <summary>What retention decided for one backup: the tiers that keep it, or why it goes.</summary>
/// <param name="Backup">The backup.</param>
/// <param name="RetainedAs">Tiers that keep it (empty when it is removed or not a candidate).</param>
/// <param name="Remove">True when retention removes it.</param>
/// <param name="Reason">The tier reasoning, for the activity log and -WhatIf.</param>
public sealed record RetentionDecision(BackupRecord Backup, string[] RetainedAs, bool Remove, string Reason);
