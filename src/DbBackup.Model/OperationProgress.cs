namespace DbBackup.Model;

/// <summary>How far a running operation has got. Written by the worker, read by status and wait.</summary>
public sealed class OperationProgress
{
    /// <summary>What the worker is doing: Connecting, Schema, Data, PostData, Swapping, SafetyBackup, Finishing…</summary>
    public string Phase { get; set; } = "";
    /// <summary>The table being copied, when there is one.</summary>
    public string? CurrentTable { get; set; }
    /// <summary>Tables finished so far.</summary>
    public int TablesDone { get; set; }
    /// <summary>Tables in the operation.</summary>
    public int TablesTotal { get; set; }
    /// <summary>Uncompressed bytes moved so far.</summary>
    public long BytesDone { get; set; }
    /// <summary>Estimated uncompressed bytes in all (from the server's table sizes); 0 when unknown.</summary>
    public long BytesEstimated { get; set; }
    /// <summary>0–100.</summary>
    public int Percent { get; set; }
    /// <summary>When this progress was written (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>A copy, so readers never see a half-updated object.</summary>
    public OperationProgress Clone() => (OperationProgress)MemberwiseClone();
}
