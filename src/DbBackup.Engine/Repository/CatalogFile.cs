using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DbBackup.Engine.Repository;

/// <summary>The stored form of a catalog snapshot ("catalog/backups.json", "catalog/restores.json"):
/// a first line <c>{"Format":1,"Count":N,"Sha256":"…"}</c>, then one compact JSON array of
/// <see cref="CatalogEntry"/>. The hash covers every byte after the first line, so a damaged snapshot
/// is found and rebuilt from the manifests rather than believed.</summary>
internal static class CatalogFile
{
    /// <summary>The snapshot format this build writes and reads.</summary>
    public const int CurrentFormat = 1;

    private static CatalogJsonContext Context => CatalogJsonContext.Default;

    /// <summary>The bytes of a snapshot holding <paramref name="entries"/>.</summary>
    public static byte[] Serialize(IReadOnlyCollection<CatalogEntry> entries)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(entries.ToList(), Context.ListCatalogEntry);
        var header = JsonSerializer.SerializeToUtf8Bytes(new CatalogHeader(CurrentFormat, entries.Count, Convert.ToHexStringLower(SHA256.HashData(body))), Context.CatalogHeader);
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
            var header = JsonSerializer.Deserialize(bytes.AsSpan(0, newline), Context.CatalogHeader);
            if (header is not { Format: CurrentFormat }) return null;
            var body = bytes.AsSpan(newline + 1);
            if (!string.Equals(header.Sha256, Convert.ToHexStringLower(SHA256.HashData(body)), StringComparison.Ordinal)) return null;
            var entries = JsonSerializer.Deserialize(body, Context.ListCatalogEntry);
            return entries is { } e && e.Count == header.Count && e.All(x => x is not null && Ids.IsValid(x.Id)) ? e : null;
        }
        catch (JsonException) { return null; }
    }

    /// <summary>A journal entry's bytes (one entry, compact).</summary>
    public static byte[] SerializeEntry(CatalogEntry entry) => JsonSerializer.SerializeToUtf8Bytes(entry, Context.CatalogEntry);

    /// <summary>A journal entry, or null when damaged.</summary>
    public static CatalogEntry? TryParseEntry(byte[] bytes)
    {
        try { return JsonSerializer.Deserialize(bytes, Context.CatalogEntry) is { } e && Ids.IsValid(e.Id) ? e : null; }
        catch (JsonException) { return null; }
    }
}
