using System.Security.Cryptography;
using System.Text.Json;

namespace DbBackup.Engine.Repository;

/// <summary>The stored form of a catalog snapshot ("catalog/backups.json", "catalog/restores.json"):
/// a first line <c>{"Format":2,"Count":N,"Sha256":"…"}</c>, then the body (<see cref="CatalogRows"/>:
/// each distinct target once, each entry one short row). The hash covers every byte after the first
/// line, so a damaged snapshot is found and rebuilt from the manifests rather than believed. Format 1
/// (one JSON array of whole <see cref="CatalogEntry"/> objects, written by the first catalog) is still
/// read; a reader that finds it writes format 2 (<see cref="ParsedCatalog.Outdated"/>).</summary>
internal static class CatalogFile
{
    /// <summary>The snapshot format this build writes.</summary>
    public const int CurrentFormat = 2;

    private const int RowsFormat = 2;
    private const int ObjectsFormat = 1;

    private static CatalogJsonContext Context => CatalogJsonContext.Default;

    /// <summary>The bytes of a snapshot holding <paramref name="entries"/>.</summary>
    public static byte[] Serialize(IReadOnlyCollection<CatalogEntry> entries)
    {
        var body = CatalogRows.Write(entries);
        var header = JsonSerializer.SerializeToUtf8Bytes(new CatalogHeader(CurrentFormat, entries.Count, Convert.ToHexStringLower(SHA256.HashData(body))), Context.CatalogHeader);
        var bytes = new byte[header.Length + 1 + body.Length];
        header.CopyTo(bytes, 0);
        bytes[header.Length] = (byte)'\n';
        body.CopyTo(bytes, header.Length + 1);
        return bytes;
    }

    /// <summary>The entries of a snapshot, or null when it is damaged, of an unknown format, or does not
    /// hold what its header says (a reader then rebuilds it from the manifests).</summary>
    public static List<CatalogEntry>? TryParse(byte[] bytes) => TryRead(bytes)?.Entries;

    /// <summary>As <see cref="TryParse"/>, saying whether the snapshot is of an older format than this
    /// build writes.</summary>
    public static ParsedCatalog? TryRead(byte[] bytes)
    {
        var newline = Array.IndexOf(bytes, (byte)'\n');
        if (newline < 0) return null;
        try
        {
            var header = JsonSerializer.Deserialize(bytes.AsSpan(0, newline), Context.CatalogHeader);
            if (header is not { Format: RowsFormat or ObjectsFormat }) return null;
            var body = bytes.AsSpan(newline + 1);
            if (!string.Equals(header.Sha256, Convert.ToHexStringLower(SHA256.HashData(body)), StringComparison.Ordinal)) return null;
            var entries = header.Format == RowsFormat ? CatalogRows.TryRead(body) : JsonSerializer.Deserialize(body, Context.ListCatalogEntry);
            return entries is { } e && e.Count == header.Count && e.All(x => x is not null && Ids.IsValid(x.Id))
                ? new ParsedCatalog(e, header.Format != CurrentFormat)
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return null; }
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
