namespace DbBackup.Engine.Repository.Storage;

/// <summary>A store whose conditional-write support is found by <see cref="ConditionalWriteProbe"/>
/// rather than known in advance (object stores and their emulators).</summary>
internal interface IProbedStore
{
    /// <summary>Records the probe's finding in the store's <see cref="IRepositoryStore.Features"/>.</summary>
    void SetConditionalWrites(bool honoured);
}
