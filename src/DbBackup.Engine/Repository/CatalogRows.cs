using System.Text;
using System.Text.Json;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>The body of a format-2 catalog snapshot (<see cref="CatalogFile"/>):
/// <c>{"Targets":[{…},…],"Entries":[["&lt;id&gt;",&lt;revision&gt;,"&lt;state&gt;",&lt;target&gt;,"&lt;created&gt;",&lt;size&gt;(,"&lt;backup id&gt;")],…]}</c>.
/// Each distinct <see cref="CatalogTarget"/> is stored once and each entry is one row pointing at it, read
/// with a forward-only reader: 100,000 backups are some 9 MB instead of 22 and parse in a fraction of
/// the time whole objects took, which is most of what a list of a large repository spends.</summary>
internal static class CatalogRows
{
    private static readonly (byte[] Name, OperationState State)[] States =
        Enum.GetValues<OperationState>().Select(s => (Encoding.UTF8.GetBytes(s.ToString()), s)).ToArray();

    private static CatalogJsonContext Context => CatalogJsonContext.Default;

    /// <summary>The body holding <paramref name="entries"/>.</summary>
    public static byte[] Write(IReadOnlyCollection<CatalogEntry> entries)
    {
        var targets = new List<CatalogTarget>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var targetOf = new List<int>(entries.Count);
        foreach (var e in entries)
        {
            var target = CatalogTarget.Of(e);
            var key = JsonSerializer.Serialize(target, Context.CatalogTarget);
            if (!index.TryGetValue(key, out var n))
            {
                n = targets.Count;
                index[key] = n;
                targets.Add(target);
            }
            targetOf.Add(n);
        }
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("Targets"u8);
            JsonSerializer.Serialize(w, targets, Context.ListCatalogTarget);
            w.WriteStartArray("Entries"u8);
            var i = 0;
            foreach (var e in entries)
            {
                w.WriteStartArray();
                w.WriteStringValue(e.Id);
                w.WriteNumberValue(e.Revision);
                w.WriteStringValue(e.State.ToString());
                w.WriteNumberValue(targetOf[i++]);
                w.WriteStringValue(e.CreatedAt);
                w.WriteNumberValue(e.SizeBytes);
                if (e.BackupId is not null) w.WriteStringValue(e.BackupId);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The entries of a body, or null when it is not of this shape (a reader then rebuilds).</summary>
    public static List<CatalogEntry>? TryRead(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!Next(ref reader, JsonTokenType.StartObject) || !NextProperty(ref reader, "Targets"u8) || !reader.Read()) return null;
        var targets = JsonSerializer.Deserialize(ref reader, Context.ListCatalogTarget);
        if (targets is null || targets.Any(t => t is null) || !NextProperty(ref reader, "Entries"u8) || !Next(ref reader, JsonTokenType.StartArray)) return null;
        var entries = ReadEntries(ref reader, targets);
        return entries is not null && Next(ref reader, JsonTokenType.EndObject) && !reader.Read() ? entries : null;
    }

    private static List<CatalogEntry>? ReadEntries(ref Utf8JsonReader reader, List<CatalogTarget> targets)
    {
        var entries = new List<CatalogEntry>();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            if (!Next(ref reader, JsonTokenType.String)) return null;
            var id = reader.GetString()!;
            if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt32(out var revision)) return null;
            if (!Next(ref reader, JsonTokenType.String) || StateOf(ref reader) is not { } state) return null;
            if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt32(out var t) || (uint)t >= (uint)targets.Count) return null;
            if (!Next(ref reader, JsonTokenType.String) || !reader.TryGetDateTimeOffset(out var created)) return null;
            if (!Next(ref reader, JsonTokenType.Number) || !reader.TryGetInt64(out var size)) return null;
            if (!reader.Read()) return null;
            string? backupId = null;
            if (reader.TokenType == JsonTokenType.String)
            {
                backupId = reader.GetString();
                if (!reader.Read()) return null;
            }
            if (reader.TokenType != JsonTokenType.EndArray) return null;
            var target = targets[t];
            entries.Add(new CatalogEntry
            {
                Id = id,
                Revision = revision,
                State = state,
                Engine = target.Engine,
                Server = target.Server,
                Port = target.Port,
                Database = target.Database,
                CreatedAt = created,
                Kind = target.Kind,
                Labels = target.Labels,
                Policy = target.Policy,
                SizeBytes = size,
                BackupId = backupId,
                SourceDatabase = target.SourceDatabase,
                Hold = target.Hold,
                RetainedAs = target.RetainedAs,
            });
        }
        return reader.TokenType == JsonTokenType.EndArray ? entries : null;
    }

    private static bool Next(ref Utf8JsonReader reader, JsonTokenType type) => reader.Read() && reader.TokenType == type;

    private static bool NextProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
        => Next(ref reader, JsonTokenType.PropertyName) && reader.ValueTextEquals(name);

    private static OperationState? StateOf(ref Utf8JsonReader reader)
    {
        foreach (var (name, state) in States)
            if (reader.ValueTextEquals(name)) return state;
        return null;
    }
}
