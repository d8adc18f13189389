using System.IO.Compression;
using DbBackup.Model;

namespace DbBackup.Engine.Artifacts;

/// <summary>The compression of payload files: the stored-name suffix and the encoder and decoder of each
/// <see cref="CompressionKind"/>. A backup records its kind in the manifest, so a reader picks the
/// decoder by the record, never by guessing from the bytes.</summary>
public static class PayloadCodec
{
    /// <summary>The codec of new backups. Measured on the benchmark's table data (bench/codecs), per CPU
    /// second of one thread: zstd level 1 compresses about 3× as fast as gzip at zlib level 2 (the previous
    /// default) into files 11% smaller, and decompresses faster. gzip stays selectable for the stock-tools
    /// restore recipe (gunzip).</summary>
    public const CompressionKind Default = CompressionKind.Zstd;

    /// <summary>zstd level 1: levels 2 to 6 were all slower and none smaller on the benchmark data.</summary>
    private const int ZstdLevel = 1;

    /// <summary>zlib level 2: measured on the benchmark payloads, a third smaller than level 1
    /// (Fastest) for about 50% more compression CPU; level 6 saves only 3% more at twice the cost.</summary>
    private static readonly ZLibCompressionOptions GzipOptions = new() { CompressionLevel = 2 };

    /// <summary>Suffix added to stored names.</summary>
    public static string Suffix(CompressionKind compression) => compression switch
    {
        CompressionKind.Gzip => ".gz",
        CompressionKind.Zstd => ".zst",
        CompressionKind.None => "",
        _ => throw Unknown(compression),
    };

    /// <summary>A gzip member of no data (RFC 1952: header with mtime 0 and OS unknown, an empty final stored
    /// block, CRC-32 0, size 0), written for a file that received no bytes. Older backups hold 0-byte files
    /// there, which the decoder reads as empty too.</summary>
    public static ReadOnlyMemory<byte> EmptyGzip { get; } = new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

    /// <summary>A write stream compressing into <paramref name="stored"/> (left open). Disposing it
    /// writes the codec's trailer; for <see cref="CompressionKind.None"/> it is <paramref name="stored"/> itself.</summary>
    public static Stream Encoder(Stream stored, CompressionKind compression) => compression switch
    {
        CompressionKind.Gzip => new GZipStream(stored, GzipOptions, leaveOpen: true),
        CompressionKind.Zstd when NativeZstd.IsAvailable => new NativeZstdEncoder(stored, ZstdLevel),
        CompressionKind.Zstd => new ZstdSharp.CompressionStream(stored, ZstdLevel, leaveOpen: true),
        CompressionKind.None => stored,
        _ => throw Unknown(compression),
    };

    /// <summary>A read stream decompressing <paramref name="stored"/> (which it disposes).</summary>
    public static Stream Decoder(Stream stored, CompressionKind compression) => compression switch
    {
        CompressionKind.Gzip => new GZipStream(stored, CompressionMode.Decompress),
        // libzstd where the platform has it (NativeZstd: ~40% less CPU per byte), else ZstdSharp; the same frames either way.
        CompressionKind.Zstd when NativeZstd.IsAvailable => new NativeZstdDecoder(stored),
        // checkEndOfStream: a file that ends inside a frame is an error, not a short read.
        CompressionKind.Zstd => new ZstdSharp.DecompressionStream(stored, checkEndOfStream: true, leaveOpen: false),
        CompressionKind.None => stored,
        _ => throw Unknown(compression),
    };

    private static DbBackupException Unknown(CompressionKind compression)
        => new DbBackupException(ErrorKind.NotSupported, "UnknownCompression", $"Compression '{compression}' is not known to this DbBackup; upgrade DbBackup to restore this backup.");
}
