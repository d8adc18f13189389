namespace DbBackup.Engine.Repository.Storage;

/// <summary>A small object read whole: its bytes and the opaque version token a conditional write
/// or delete compares against (an ETag on object stores, a content hash locally).</summary>
public sealed record StoredObject(byte[] Content, string Version, DateTimeOffset LastModified);
