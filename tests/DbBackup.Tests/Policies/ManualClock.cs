namespace DbBackup.Tests.Policies;

/// <summary>A clock the test moves by hand (the engine's injectable TimeProvider).</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    /// <summary>The current instant.</summary>
    public DateTimeOffset Now { get; set; } = now;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => Now;
}
