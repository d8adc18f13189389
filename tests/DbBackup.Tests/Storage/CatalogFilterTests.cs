using DbBackup.Engine.Operations;

namespace DbBackup.Tests.Storage;

/// <summary>A list filters every catalog entry with one query's database patterns, parsed once per query
/// (not once per entry); a later query, or the same list of patterns changed, is parsed afresh.</summary>
public sealed class CatalogFilterTests
{
    [Fact]
    public void Database_patterns_parsed_once_still_follow_each_query_and_a_changed_list()
    {
        List<string> patterns = ["shop_*"];
        Assert.True(DatabaseNamePattern.MatchesAny(patterns, "shop_1"));
        Assert.False(DatabaseNamePattern.MatchesAny(patterns, "crm"));
        Assert.False(DatabaseNamePattern.MatchesAny(["crm?"], "shop_1"));
        Assert.True(DatabaseNamePattern.MatchesAny(["crm?"], "crm1"));
        patterns[0] = "crm";
        Assert.True(DatabaseNamePattern.MatchesAny(patterns, "crm"));
        Assert.False(DatabaseNamePattern.MatchesAny(patterns, "shop_1"));
        patterns.Add("SHOP_[0-9]");
        Assert.True(DatabaseNamePattern.MatchesAny(patterns, "shop_1"));
        Assert.True(DatabaseNamePattern.MatchesAny(null, "anything"));
        Assert.False(DatabaseNamePattern.MatchesAny(patterns, null));
    }
}
