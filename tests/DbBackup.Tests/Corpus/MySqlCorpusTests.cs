using DbBackup.Engine.Providers.MySql;
using DbBackup.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DbBackup.Tests.Corpus;

/// <summary>Whatever mariadb-dump | mariadb restores identically, DbBackup restores identically: each
/// corpus database is restored both ways and compared object by object and row by row (see
/// <see cref="MySqlCorpusRoundTrip"/>).</summary>
public sealed class MySqlCorpusTests(ITestOutputHelper output)
{
    [MySqlFact]
    public Task A_sakila_like_database_restores_like_mariadb_dump()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlSakilaLike.Script, output);

    [MySqlFact]
    public Task An_employees_like_database_with_views_calling_functions_restores_like_mariadb_dump()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlEmployeesLike.Script, output);

    [MySqlFact]
    public Task A_world_like_database_with_latin1_and_utf8mb3_columns_restores_like_mariadb_dump()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlWorldLike.Script, output);

    [MySqlFact]
    public Task A_database_using_mariadb_10_11_hard_features_restores_like_mariadb_dump()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlHardFeatures.Script, output);

    [MySqlFact]
    public Task Objects_created_by_latin1_and_utf8mb3_clients_keep_their_character_set_client()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlClientCharsets.Script, output);

    [MySqlFact]
    public Task Sequences_periods_partitions_spatial_keys_table_options_and_view_chains_restore_like_mariadb_dump()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlSchemaOddities.Script, output);

    [MySqlFact]
    public Task Escaped_bytes_nulls_padding_zero_dates_and_time_zones_restore_like_mariadb_dump()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlLoadDataEdges.Script, output);

    [MySqlFact]
    public Task Escaped_bytes_nulls_padding_zero_dates_and_time_zones_restore_like_mariadb_dump_by_insert_batches_too()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlLoadDataEdges.Script, output, provider: new MySqlProvider { LocalInfile = false });

    [MySqlFact]
    public Task Objects_made_under_earlier_database_defaults_keep_their_database_collation()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlCollationHistory.Script, output, exactWhereTheControlIsNot: true);

    [MySqlFact]
    public Task Tables_and_views_whose_names_differ_only_in_case_restore_like_mariadb_dump()
        => MySqlCorpusRoundTrip.AssertRestoresLikeTheControlAsync(MySqlCaseNames.Script, output);
}
