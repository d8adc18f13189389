namespace DbBackup.Engine.Repository.Storage;

/// <summary>One listed object.</summary>
public sealed record StoreEntry(string Key, long Size, DateTimeOffset LastModified);
