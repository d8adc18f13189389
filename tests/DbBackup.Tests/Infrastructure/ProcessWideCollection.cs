namespace DbBackup.Tests.Infrastructure;

/// <summary>Tests that look at machine-wide state (temp files, processes) and must not share the
/// machine with other tests: xunit runs this collection alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Process-wide";
}
