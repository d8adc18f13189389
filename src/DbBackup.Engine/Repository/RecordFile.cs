using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DbBackup.Model;

namespace DbBackup.Engine.Repository;

/// <summary>The sealed JSON form of a manifest or restore record (README "Repository format"): the
/// record's indented JSON with a last property <c>"Seal"</c> holding the SHA-256 (lowercase hex) of
/// the file's exact UTF-8 bytes with the seal's value replaced by the empty string. Any changed byte
/// anywhere in the file (a value, a key, the seal itself) makes the seal disagree. It guards against
/// damage, not against someone who rewrites the file on purpose and recomputes the seal.</summary>
public static class RecordFile
{
    /// <summary>Name of the seal property.</summary>
    public const string SealProperty = "Seal";

    private static readonly byte[] SealKey = Encoding.UTF8.GetBytes(SealProperty);

    /// <summary>The sealed bytes of <paramref name="record"/>.</summary>
    public static byte[] Serialize(object record)
    {
        var node = JsonSerializer.SerializeToNode(record, record.GetType(), Json.Indented)!.AsObject();
        node.Remove(SealProperty);
        node[SealProperty] = "";
        var blank = Encoding.UTF8.GetBytes(node.ToJsonString(Json.Indented));
        node[SealProperty] = Convert.ToHexStringLower(SHA256.HashData(blank));
        return Encoding.UTF8.GetBytes(node.ToJsonString(Json.Indented));
    }

    /// <summary>Reads and checks a record file. Throws CorruptMetadata (InvalidData) naming the file
    /// for anything but a well-formed, correctly sealed (or legacy unsealed) record of type T.</summary>
    public static (T Record, bool Sealed) Read<T>(string path) where T : class
    {
        byte[] bytes;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            if (fs.Length > 64 << 20) throw Damaged(path, $"it is {fs.Length} bytes, far larger than any record");
            bytes = new byte[fs.Length];
            fs.ReadExactly(bytes);
        }
        return Parse<T>(bytes, path);
    }

    /// <summary>Checks and deserializes record bytes (see <see cref="Read{T}"/>); <paramref name="source"/> names them in errors.</summary>
    public static (T Record, bool Sealed) Parse<T>(byte[] bytes, string source) where T : class
    {
        try
        {
            var seal = FindSeal(bytes, out var topLevel);
            if (seal is { } s)
            {
                var recorded = Encoding.UTF8.GetString(bytes, s.Start, s.Length);
                var blank = new byte[bytes.Length - s.Length];
                bytes.AsSpan(0, s.Start).CopyTo(blank);
                bytes.AsSpan(s.Start + s.Length).CopyTo(blank.AsSpan(s.Start));
                if (recorded.Length != 64 || !string.Equals(recorded, Convert.ToHexStringLower(SHA256.HashData(blank)), StringComparison.Ordinal))
                    throw new DbBackupException(ErrorKind.InvalidData, "ManifestAltered",
                        $"'{source}' was altered or damaged: its seal does not match its contents, so none of it can be trusted. Nothing was read from it.") { TargetObject = source };
            }
            else
            {
                // Unsealed: written before seals existed, so it can only hold properties that version
                // knew. An unknown key means a damaged key, possibly the seal's own (never a downgrade).
                var known = Json.Indented.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
                if (topLevel.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
                    throw Damaged(source, $"it has no seal and an unknown property '{Printable(unknown)}' (a damaged key?)");
            }
            var record = JsonSerializer.Deserialize<T>(bytes, Json.Records) ?? throw Damaged(source, "it holds null");
            return (record, seal != null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or ArgumentException or FormatException or OverflowException)
        {
            throw Damaged(source, e.Message, e);
        }
    }

    /// <summary>The seal value's position (inside its quotes), or null when the root object has none.
    /// Throws when the root is not an object or the seal is not one plain string.</summary>
    private static (int Start, int Length)? FindSeal(byte[] bytes, out List<string> topLevel)
    {
        topLevel = [];
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"the document is {reader.TokenType switch
            {
                JsonTokenType.None => "empty",
                JsonTokenType.StartArray => "a JSON array",
                JsonTokenType.String => "a JSON string",
                JsonTokenType.Number => "a JSON number",
                JsonTokenType.True or JsonTokenType.False => "a JSON boolean",
                _ => "JSON null",
            }}, not a JSON object");
        (int, int)? seal = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSeal = !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(SealKey);
            topLevel.Add(reader.GetString()!);
            reader.Read();
            if (isSeal)
            {
                if (seal != null || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                    throw new JsonException("its seal is not a single plain string");
                seal = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            }
            else reader.Skip();
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            throw new JsonException("the document does not end after its root object");
        return seal;
    }

    private static string Printable(string s) => new(s.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>The error for a record file that cannot be trusted.</summary>
    public static DbBackupException Damaged(string source, string why, Exception? inner = null)
        => new(ErrorKind.InvalidData, "CorruptMetadata", $"'{source}' is not valid DbBackup metadata: {why}", inner) { TargetObject = source };
}
