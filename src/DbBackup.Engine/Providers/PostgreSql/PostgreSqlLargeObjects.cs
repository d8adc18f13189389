using System.Text;
using System.Text.Json;
using DbBackup.Engine.Artifacts;
using Npgsql;
using NpgsqlTypes;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Large objects, backed up as pg_dump does for a whole database: content, owner, privileges and
/// comment, read in the dump's snapshot, and restored under the same OIDs. Everything streams: metadata
/// in batches, contents in chunks, so neither a huge object nor millions of small ones fill memory.</summary>
internal static class PostgreSqlLargeObjects
{
    public const string MetadataFileName = "largeobjects.jsonl";
    public const string DataFileName = "largeobjects.dat";
    private const int ChunkBytes = 1024 * 1024;
    private const int MetadataBatch = 1000;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = PayloadJsonContext.Default,
    };

    private const string MetadataSql = """
        SELECT m.oid, pg_get_userbyid(m.lomowner)::text,
               CASE WHEN m.lomacl IS NULL THEN NULL ELSE coalesce((
                   SELECT json_agg(json_build_object(
                       'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee)::text END,
                       'privilege', a.privilege_type, 'grantable', a.is_grantable, 'grantor', pg_get_userbyid(a.grantor)::text))
                   FROM aclexplode(m.lomacl) a), '[]') END::text,
               obj_description(m.oid, 'pg_largeobject')
        FROM pg_largeobject_metadata m WHERE m.oid > $1 ORDER BY m.oid LIMIT $2
        """;

    /// <summary>Writes every large object visible in <paramref name="conn"/>'s transaction (the dump's
    /// snapshot) to the sink; null when there are none (and then no file is written).</summary>
    public static async Task<PostgreSqlTocLargeObjects?> DumpAsync(NpgsqlConnection conn, IPayloadSink sink, Action<long> onBytes, CancellationToken ct)
    {
        await using (var any = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_largeobject_metadata)", conn))
            if (!(bool)(await any.ExecuteScalarAsync(ct).ConfigureAwait(false))!) return null;
        var toc = new PostgreSqlTocLargeObjects();
        await using var metadata = sink.Create(MetadataFileName);
        await using var data = sink.Create(DataFileName);
        uint last = 0;
        while (true)
        {
            var batch = await MetadataBatchAsync(conn, last, ct).ConfigureAwait(false);
            foreach (var lo in batch)
            {
                lo.Bytes = await CopyContentAsync(conn, lo.Oid, data, onBytes, ct).ConfigureAwait(false);
                await metadata.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(lo, Json), ct).ConfigureAwait(false);
                metadata.WriteByte((byte)'\n');
                toc.Count++;
                toc.Bytes += lo.Bytes;
                last = lo.Oid;
            }
            if (batch.Count < MetadataBatch) return toc;
        }
    }

    private static async Task<List<PostgreSqlLargeObject>> MetadataBatchAsync(NpgsqlConnection conn, uint after, CancellationToken ct)
    {
        var batch = new List<PostgreSqlLargeObject>();
        await using var cmd = new NpgsqlCommand(MetadataSql, conn)
        {
            Parameters = { new() { Value = after, NpgsqlDbType = NpgsqlDbType.Oid }, new() { Value = MetadataBatch } },
        };
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
            batch.Add(new PostgreSqlLargeObject
            {
                Oid = r.GetFieldValue<uint>(0),
                Owner = r.GetString(1),
                Acl = r.IsDBNull(2) ? null : JsonSerializer.Deserialize<List<PostgreSqlLargeObjectGrant>>(r.GetString(2), Json),
                Comment = r.IsDBNull(3) ? null : r.GetString(3),
            });
        return batch;
    }

    private static async Task<long> CopyContentAsync(NpgsqlConnection conn, uint oid, Stream output, Action<long> onBytes, CancellationToken ct)
    {
        long offset = 0;
        await using var cmd = new NpgsqlCommand("SELECT lo_get($1, $2, $3)", conn)
        {
            Parameters = { new() { Value = oid, NpgsqlDbType = NpgsqlDbType.Oid }, new() { NpgsqlDbType = NpgsqlDbType.Bigint }, new() { Value = ChunkBytes } },
        };
        while (true)
        {
            cmd.Parameters[1].Value = offset;
            var chunk = (byte[])(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            await output.WriteAsync(chunk, ct).ConfigureAwait(false);
            offset += chunk.Length;
            onBytes(chunk.Length);
            if (chunk.Length < ChunkBytes) return offset;
        }
    }

    /// <summary>Creates every large object of the backup under its OID with its content, owner,
    /// privileges and comment.</summary>
    public static async Task RestoreAsync(NpgsqlConnection conn, PostgreSqlTocLargeObjects toc, Func<string, Stream> open, Action<long> onBytes, CancellationToken ct)
    {
        await using var metadata = open(toc.MetadataFile);
        await using var data = open(toc.DataFile);
        try
        {
            await RestoreAllAsync(conn, toc, metadata, data, onBytes, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Damage shows first as a bad line or a short object; the files' checksums say it is damage.
            await CheckedPayloadStream.VerifyRestAsync(metadata, ct).ConfigureAwait(false);
            await CheckedPayloadStream.VerifyRestAsync(data, ct).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task RestoreAllAsync(NpgsqlConnection conn, PostgreSqlTocLargeObjects toc, Stream metadata, Stream data, Action<long> onBytes, CancellationToken ct)
    {
        using var lines = new StreamReader(metadata, new UTF8Encoding(false, true));
        var buffer = new byte[ChunkBytes];
        long count = 0;
        while (await lines.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            var lo = Parse(line, toc.MetadataFile);
            await ExecuteAsync(conn, "SELECT lo_create($1)", ct, Oid(lo.Oid)).ConfigureAwait(false);
            for (long offset = 0; offset < lo.Bytes;)
            {
                var want = (int)Math.Min(buffer.Length, lo.Bytes - offset);
                try { await data.ReadExactlyAsync(buffer.AsMemory(0, want), ct).ConfigureAwait(false); }
                catch (EndOfStreamException e)
                {
                    throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid", $"{toc.DataFile} ends inside large object {lo.Oid}.", e);
                }
                await ExecuteAsync(conn, "SELECT lo_put($1, $2, $3)", ct, Oid(lo.Oid),
                    new NpgsqlParameter { Value = offset, NpgsqlDbType = NpgsqlDbType.Bigint },
                    new NpgsqlParameter { Value = new ArraySegment<byte>(buffer, 0, want), NpgsqlDbType = NpgsqlDbType.Bytea }).ConfigureAwait(false);
                offset += want;
                onBytes(want);
            }
            foreach (var sql in Statements(lo)) await ExecuteAsync(conn, sql, ct).ConfigureAwait(false);
            count++;
        }
        // Reading to the end makes the payload streams verify their checksums.
        if (await data.ReadAsync(buffer.AsMemory(0, 1), ct).ConfigureAwait(false) > 0 || count != toc.Count)
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid",
                $"{toc.MetadataFile} lists {count} large objects and {toc.DataFile} does not end with the last of them; the backup recorded {toc.Count}.");
        // An independent count, as for tables: the restored database holds exactly the backup's large objects.
        await using var counted = new NpgsqlCommand("SELECT count(*) FROM pg_largeobject_metadata", conn);
        var restored = (long)(await counted.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        if (restored != toc.Count)
            throw new DbBackupException(ErrorKind.InvalidData, "RowCountMismatch",
                $"The restored database holds {restored} large objects by count(*), but the backup recorded {toc.Count}.");
    }

    /// <summary>ALTER OWNER, the privileges and the comment of one restored large object. A backup's
    /// privileges are explicit, so the owner's implicit ones are revoked first, as pg_dump does.</summary>
    public static IEnumerable<string> Statements(PostgreSqlLargeObject lo)
    {
        var target = "LARGE OBJECT " + lo.Oid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return $"ALTER {target} OWNER TO {PostgreSqlSyntax.Identifier(lo.Owner)}";
        if (lo.Acl != null)
        {
            yield return $"REVOKE ALL ON {target} FROM {PostgreSqlSyntax.Identifier(lo.Owner)}";
            foreach (var g in lo.Acl)
            {
                if (g.Privilege is not ("SELECT" or "UPDATE"))
                    throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid", $"Large object {lo.Oid} lists an unknown privilege '{g.Privilege}'.");
                var grantee = g.Grantee == null ? "PUBLIC" : PostgreSqlSyntax.Identifier(g.Grantee);
                var grantedBy = g.Grantor == lo.Owner ? "" : " GRANTED BY " + PostgreSqlSyntax.Identifier(g.Grantor);
                yield return $"GRANT {g.Privilege} ON {target} TO {grantee}{(g.Grantable ? " WITH GRANT OPTION" : "")}{grantedBy}";
            }
        }
        if (lo.Comment != null) yield return $"COMMENT ON {target} IS {PostgreSqlSyntax.Literal(lo.Comment)}";
    }

    private static PostgreSqlLargeObject Parse(string line, string file)
    {
        try
        {
            var lo = JsonSerializer.Deserialize<PostgreSqlLargeObject>(line, Json);
            if (lo is { Oid: > 0, Bytes: >= 0, Owner.Length: > 0 }) return lo;
        }
        catch (JsonException) { }
        throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid", $"{file} holds a line that is not a large object's description.");
    }

    private static NpgsqlParameter Oid(uint oid) => new() { Value = oid, NpgsqlDbType = NpgsqlDbType.Oid };

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddRange(parameters);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
