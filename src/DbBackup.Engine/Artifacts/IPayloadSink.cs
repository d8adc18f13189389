namespace DbBackup.Engine.Artifacts;

/// <summary>Where a provider writes a backup's payload. Each file is compressed (per the backup's
/// setting), hashed and written straight to the repository as it streams. Thread-safe: files may be
/// written concurrently.</summary>
public interface IPayloadSink
{
    /// <summary>Opens a new payload file. <paramref name="name"/> is a relative path with forward
    /// slashes (e.g. "schema.pre.dump", "data/0001.copy"); the engine adds the compression suffix.
    /// Disposing the stream completes the file and records its size and checksum.</summary>
    Stream Create(string name);
}

/// <summary>Where a provider reads a backup's payload from.</summary>
public interface IPayloadSource
{
    /// <summary>Logical file names as passed to <see cref="IPayloadSink.Create"/>.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Opens a payload file by its logical name, decompressed. The stream verifies the stored
    /// SHA-256 and size as it reaches the end and throws <see cref="DbBackupException"/> on a mismatch.</summary>
    Stream Open(string name);
}
