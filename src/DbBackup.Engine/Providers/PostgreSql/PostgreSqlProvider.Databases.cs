using Npgsql;

namespace DbBackup.Engine.Providers.PostgreSql;

public sealed partial class PostgreSqlProvider
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListDatabasesAsync(ConnectionTarget server, CancellationToken cancellationToken)
    {
        await using var admin = await OpenAdminAsync(server, [], cancellationToken).ConfigureAwait(false);
        return await Guard(server, "listing databases", async () =>
        {
            // Templates are not data; a database that refuses connections cannot be dumped (pg_dumpall
            // skips both the same way).
            await using var cmd = new NpgsqlCommand(
                "SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname COLLATE \"C\"", admin);
            var names = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) names.Add(reader.GetString(0));
            return (IReadOnlyList<string>)names;
        }).ConfigureAwait(false);
    }

    /// <summary>Refuses a target missing roles of the backup's objects or of the database itself, then creates
    /// the database a restore fills with the source's encoding and (unless <paramref name="serverLocale"/>)
    /// its locale. A locale the server cannot use fails here, before anything exists, naming what it has.</summary>
    private static async Task CreateRestoreDatabaseAsync(NpgsqlConnection admin, ConnectionTarget target, PostgreSqlToc toc, bool serverLocale, CancellationToken ct)
    {
        if (!EncodingName().IsMatch(toc.ServerEncoding))
            throw new DbBackupException(ErrorKind.InvalidData, "PayloadTocInvalid", $"{PostgreSqlToc.FileName} names an invalid encoding '{toc.ServerEncoding}'.");
        await RefuseMissingRolesAsync(admin, toc.Roles.Union(toc.Database?.Roles() ?? [], StringComparer.Ordinal).ToList(), target, ct).ConfigureAwait(false);
        var db = serverLocale ? null : toc.Database;
        var tablespace = toc.Database?.Tablespace;
        try
        {
            await ExecuteAsync(admin, PostgreSqlDatabaseProperties.CreateSql(target.Database, toc.ServerEncoding, db, tablespace), ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (tablespace != null && e.SqlState == PostgresErrorCodes.UndefinedObject)
        {
            throw new DbBackupException(ErrorKind.NotSupported, "TablespaceMissing",
                $"The backup's database was in tablespace '{tablespace}', which PostgreSQL at {target.Server}:{target.Port} does not have ({e.MessageText}). " +
                $"Create it first (CREATE TABLESPACE {PostgreSqlSyntax.Identifier(tablespace)} LOCATION '…'); DbBackup does not put the data in another tablespace.", e)
            { TargetObject = tablespace };
        }
        catch (PostgresException e) when (db != null && (e.SqlState is PostgresErrorCodes.WrongObjectType or PostgresErrorCodes.FeatureNotSupported
            || (e.SqlState == PostgresErrorCodes.InvalidParameterValue && e.MessageText.Contains("locale", StringComparison.OrdinalIgnoreCase))))
        {
            var locale = db.LocaleProvider == "libc" ? $"LC_COLLATE '{db.Collate}', LC_CTYPE '{db.Ctype}'"
                : $"locale provider {db.LocaleProvider} with locale '{db.IcuLocale}' (LC_COLLATE '{db.Collate}', LC_CTYPE '{db.Ctype}')";
            throw new DbBackupException(ErrorKind.NotSupported, "LocaleUnavailable",
                $"The backup's database used {locale}, which PostgreSQL at {target.Server}:{target.Port} cannot use ({e.MessageText}). " +
                $"{await ServerLocalesAsync(admin, toc.ServerEncoding, ct).ConfigureAwait(false)} Install that locale on the server's machine and restart " +
                "PostgreSQL, or restore with the server's default locale (-UseServerLocale / --use-server-locale): text then sorts and compares by that locale instead.", e)
            { TargetObject = db.LocaleProvider == "libc" ? db.Collate : db.IcuLocale };
        }
    }

    /// <summary>What the server offers: its default (template0's) and the operating-system locales it knew at
    /// initdb for the encoding.</summary>
    private static async Task<string> ServerLocalesAsync(NpgsqlConnection admin, string encoding, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT datcollate::text FROM pg_database WHERE datname = 'template0'),
                   coalesce((SELECT string_agg(DISTINCT collcollate::text, ', ') FROM pg_collation
                             WHERE collprovider = 'c' AND collencoding IN (-1, pg_char_to_encoding($1))), '')
            """, admin) { Parameters = { new() { Value = encoding } } };
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        return $"The server's default locale is '{r.GetString(0)}'; its operating-system locales for {encoding} are: {r.GetString(1)}.";
    }

    /// <summary>Gives the restored database its owner, privileges, comment, connection limit and settings,
    /// once it is complete (see <see cref="PostgreSqlDatabaseProperties"/>; backups without them have none), then
    /// waits until all of the restore is on disk (its sessions committed without waiting: <see cref="FlushWalAsync"/>).</summary>
    private static async Task FinishRestoreDatabaseAsync(ConnectionTarget target, PostgreSqlToc toc, CancellationToken ct)
    {
        await using var admin = await OpenAdminAsync(target, [target.Database], ct).ConfigureAwait(false);
        if (toc.Database != null)
            foreach (var sql in PostgreSqlDatabaseProperties.FinishSql(target.Database, toc.Database))
                await ExecuteAsync(admin, sql, ct).ConfigureAwait(false);
        await FlushWalAsync(admin, ct).ConfigureAwait(false);
    }
}
