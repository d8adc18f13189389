using DbBackup.Engine.Providers;
using DbBackup.Engine.Providers.PostgreSql;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;
using DbBackup.Tests.PostgreSql;

namespace DbBackup.Tests.Corpus;

/// <summary>Real-world-like databases restored by DbBackup and by pg_dump -Fc | pg_restore: whatever the
/// standard tools restore, DbBackup must restore identically (schema text, rows, materialized views,
/// sequences, large objects).</summary>
public sealed class PostgresCorpusTests
{
    private readonly PostgreSqlProvider _provider = new();

    [PostgresFact]
    public Task Pagila_like_database_restores_as_pg_restore_restores_it() => RoundTripAgainstControlAsync("pgcorp_pagila", PostgresCorpusPagila.Sql, jobs: 1);

    [PostgresFact]
    public Task Hard_features_database_restores_as_pg_restore_restores_it() => RoundTripAgainstControlAsync("pgcorp_hard", PostgresCorpusHardFeatures.Sql, jobs: 3);

    [PostgresFact]
    public Task Contrib_extensions_in_their_own_schema_and_catalog_corners_restore_as_pg_restore_restores_them()
        => RoundTripAgainstControlAsync("pgcorp_contrib", PostgresCorpusContrib.Sql, jobs: 2);

    [PostgresFact]
    public Task Quoted_reserved_unicode_and_63_byte_names_restore_as_pg_restore_restores_them()
        => RoundTripAgainstControlAsync("pgcorp_names", PostgresCorpusNames.Sql, jobs: 2);

    /// <summary>The source database's own settings (a search_path that shows another schema, a time zone,
    /// date and interval styles…) must not leak into the rows' text: reg* values were written unqualified
    /// under the source's search_path and could not be read back in a restore session without it.</summary>
    [PostgresFact]
    public Task Values_easy_to_lose_under_the_databases_own_settings_restore_as_pg_restore_restores_them()
        => RoundTripAgainstControlAsync("pgcorp_values", PostgresCorpusValues.Sql, jobs: 2);

    /// <summary>One database serial (jobs 1) and one parallel, so both restore paths meet the control.</summary>
    private async Task RoundTripAgainstControlAsync(string prefix, string sql, int jobs)
    {
        await PostgresCorpusRoles.EnsureAsync();
        await using var source = await PostgresTestDatabase.CreateAsync(prefix, sql);
        var control = TestServers.UniqueName(prefix + "_ctl");
        try
        {
            await PostgresCorpusComparison.RestoreControlAsync(source.Name, control);
            await using var subject = await DumpedPayload.RoundTripIntoNewDatabaseAsync(_provider, new DumpRequest(source.Target, null, null, null, jobs), prefix + "_dbb");
            await PostgresCorpusComparison.AssertSameAsync(control, subject.Name);
        }
        finally
        {
            await PostgresTestDatabase.DropAsync(control);
        }
    }
}
