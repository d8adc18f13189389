using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DbBackup.Engine.Repository;

/// <summary>The stored form of a catalog snapshot ("catalog/backups.json", "catalog/restores.json"):
/// a first line <c>{"Format":1,"Count":N,"Sha256":"…"}</c>, then one compact JSON array of
/// <see cref="CatalogEntry"/>. The hash covers every byte after the first line, so a damaged snapshot
/// is found and rebuilt from the manifests rather than believed.</summary>
internal static class CatalogFile
{
    /// <summary>The snapshot format this build writes and reads.</summary>
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Options = CreateOptions();

    private sealed record Header(int Format, int Count, string Sha256);

    /// <summary>The bytes of a snapshot holding <paramref name="entries"/>.</summary>
    public static byte[] Serialize(IReadOnlyCollection<CatalogEntry> entries)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(entries, Options);
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(CurrentFormat, entries.Count, Convert.ToHexStringLower(SHA256.HashData(body))), Options);
        var bytes = new byte[header.Length + 1 + body.Length];
        header.CopyTo(bytes, 0);
        bytes[header.Length] = (byte)'\n';
        body.CopyTo(bytes, header.Length + 1);
        return bytes;
    }

    /// <summary>The entries of a snapshot, or null when it is damaged, of another format, or does not
    /// hold what its header says (a reader then rebuilds it from the manifests).</summary>
    public static List<CatalogEntry>? TryParse(byte[] bytes)
    {
        var newline = Array.IndexOf(bytes, (byte)'\n');
        if (newline < 0) return null;
        try
        {
            var header = JsonSerializer.Deserialize<Header>(bytes.AsSpan(0, newline), Options);
            if (header is not { Format: CurrentFormat }) return null;
            var body = bytes.AsSpan(newline + 1);
            if (!string.Equals(header.Sha256, Convert.ToHexStringLower(SHA256.HashData(body)), StringComparison.Ordinal)) return null;
            var entries = JsonSerializer.Deserialize<List<CatalogEntry>>(body, Options);
            return entries is { } e && e.Count == header.Count && e.All(x => x is not null && Ids.IsValid(x.Id)) ? e : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>A journal entry's bytes (one entry, compact).</summary>
    public static byte[] SerializeEntry(CatalogEntry entry) => JsonSerializer.SerializeToUtf8Bytes(entry, Options);

    /// <summary>A journal entry, or null when damaged.</summary>
    public static CatalogEntry? TryParseEntry(byte[] bytes)
    {
        try { return JsonSerializer.Deserialize<CatalogEntry>(bytes, Options) is { } e && Ids.IsValid(e.Id) ? e : null; }
        catch (JsonException) { return null; }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        // Compact and without nulls or defaults: the snapshot of 100,000 records stays some 20 MB.
        var o = new JsonSerializerOptions(Json.Compact) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault };
        return o;
    }
}
