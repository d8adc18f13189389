namespace DbBackup.Model;

/// <summary>The result of copying one backup from one repository into another.</summary>
public sealed class BackupCopyResult
{
    /// <summary>The backup's id (the same in both repositories).</summary>
    public string BackupId { get; set; } = "";
    /// <summary>Copied, or Skipped when the destination already held it.</summary>
    public CopyOutcome Outcome { get; set; }
    /// <summary>Where it was copied from (a local folder's full path or a store address; never a credential).</summary>
    public string Source { get; set; } = "";
    /// <summary>Where it was copied to.</summary>
    public string Destination { get; set; } = "";
    /// <summary>Payload files streamed across (0 when skipped).</summary>
    public int FilesCopied { get; set; }
    /// <summary>Payload bytes streamed across (0 when skipped).</summary>
    public long BytesCopied { get; set; }
    /// <summary>How long the copy took.</summary>
    public TimeSpan Duration { get; set; }
    /// <summary>The backup as the destination holds it.</summary>
    public BackupRecord Record { get; set; } = new();

    /// <summary>One line.</summary>
    public override string ToString() => $"{BackupId} {Outcome} → {Destination}";
}
