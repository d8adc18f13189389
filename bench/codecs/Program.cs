// Compresses the given files (uncompressed payload files, e.g. a `--compression none` backup's data/*.copy)
// with every candidate codec, one thread, and prints compress/decompress speed and size as a Markdown table.
// Speed is per CPU second of this process (not wall time): on a shared, busy machine the CPU time a codec
// needs is what stays comparable; it is what the backup worker's jobs spend beside the database.
// Usage: dotnet run -c Release -- [--repeat N] FILE...
using System.Diagnostics;
using System.IO.Compression;
using ZstdSharp;

var repeat = 3;
var paths = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--repeat") repeat = int.Parse(args[++i]);
    else paths.Add(args[i]);
}
var inputs = paths.Select(File.ReadAllBytes).ToList();
long raw = inputs.Sum(b => (long)b.Length);

var codecs = new List<(string Name, Func<Stream, Stream> Enc, Func<Stream, Stream> Dec)>();
foreach (var level in new[] { 1, 2, 3, 6 })
    codecs.Add(($"gzip (zlib {level})", s => new GZipStream(s, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true),
        s => new GZipStream(s, CompressionMode.Decompress)));
foreach (var level in new[] { -5, -3, -1, 1, 2, 3, 4, 6 })
    codecs.Add(($"zstd {level} (ZstdSharp)", s => new CompressionStream(s, level, leaveOpen: true), s => new DecompressionStream(s)));
foreach (var quality in new[] { 1, 2 })
    codecs.Add(($"brotli {quality}", s => new BrotliStream(s, new BrotliCompressionOptions { Quality = quality }, leaveOpen: true),
        s => new BrotliStream(s, CompressionMode.Decompress)));

Console.WriteLine($"{inputs.Count} files, {raw / 1048576.0:F1} MB uncompressed; median of {repeat} runs, one thread; MB/s per CPU second.");
Console.WriteLine();
Console.WriteLine("| codec | compress MB/s | decompress MB/s | size MB | size ÷ gzip (zlib 2) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
long? reference = null;
var results = new List<(string, double, double, long)>();
foreach (var (name, enc, dec) in codecs)
{
    var cTimes = new List<double>();
    var dTimes = new List<double>();
    long size = 0;
    for (var r = 0; r < repeat; r++)
    {
        var outputs = new List<byte[]>();
        var me = Process.GetCurrentProcess();
        var cpu = me.TotalProcessorTime;
        foreach (var input in inputs)
        {
            var ms = new MemoryStream();
            using (var z = enc(ms)) WriteChunked(z, input);
            outputs.Add(ms.ToArray());
        }
        me.Refresh();
        cTimes.Add((me.TotalProcessorTime - cpu).TotalSeconds);
        size = outputs.Sum(o => (long)o.Length);
        var buffer = new byte[128 * 1024];
        me.Refresh();
        cpu = me.TotalProcessorTime;
        foreach (var o in outputs)
        {
            using var z = dec(new MemoryStream(o));
            while (z.Read(buffer) > 0) { }
        }
        me.Refresh();
        dTimes.Add((me.TotalProcessorTime - cpu).TotalSeconds);
    }
    if (name == "gzip (zlib 2)") reference = size;
    results.Add((name, raw / 1048576.0 / Median(cTimes), raw / 1048576.0 / Median(dTimes), size));
}
foreach (var (name, c, d, size) in results)
    Console.WriteLine($"| {name} | {c:F0} | {d:F0} | {size / 1048576.0:F1} | {(double)size / reference!.Value:F2} |");

// Writes as the providers do: 128 KB chunks (COPY chunk size).
static void WriteChunked(Stream s, byte[] data)
{
    for (var o = 0; o < data.Length; o += 128 * 1024) s.Write(data, o, Math.Min(128 * 1024, data.Length - o));
}

static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }
