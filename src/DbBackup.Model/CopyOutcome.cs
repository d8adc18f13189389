using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace DbBackup.Model;

/// <summary>What copying one backup into another repository did.</summary>
[JsonConverter(typeof(StringEnumConverter))]
public enum CopyOutcome
{
    /// <summary>Every payload file was streamed across with its checksum re-verified, then the manifest written.</summary>
    Copied,
    /// <summary>The destination already held this very backup (same id, target, time and payload); nothing was written.</summary>
    Skipped,
}
