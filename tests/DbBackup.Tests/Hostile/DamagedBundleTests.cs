using System.Diagnostics;
using System.Text;
using DbBackup.Engine;
using DbBackup.Engine.Operations;
using DbBackup.Model;
using DbBackup.Tests.Infrastructure;

namespace DbBackup.Tests.Hostile;

/// <summary>Bundles damaged where the payload checksums cannot see it: one bit flipped in every field
/// of every tar header, in the pax header records, in the zero padding and in the end-of-archive
/// blocks; truncated or extended. Every variant is refused as CorruptBundle with nothing written, and
/// wherever GNU tar reports damage, import refuses too.</summary>
public sealed class DamagedBundleTests : IDisposable
{
    private readonly TestRepository _repo = new();
    private readonly TestRepository _other = new();
    private readonly List<string> _databases = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("dbbackup-damaged-").FullName;

    private static readonly (string Name, int Offset, int Length)[] HeaderFields =
    [
        ("name", 0, 100), ("mode", 100, 8), ("uid", 108, 8), ("gid", 116, 8), ("size", 124, 12), ("mtime", 136, 12),
        ("chksum", 148, 8), ("typeflag", 156, 1), ("linkname", 157, 100), ("magic", 257, 6), ("version", 263, 2),
        ("uname", 265, 32), ("gname", 297, 32), ("devmajor", 329, 8), ("devminor", 337, 8), ("prefix", 345, 155), ("pad", 500, 12),
    ];

    /// <summary>A header block of the archive: where it is, its type, and where its data and padding lie.</summary>
    private sealed record Header(long Offset, char Type, long DataOffset, long DataSize, long PaddingSize);

    /// <summary>Walks the tar the plain way (pax 'size' records applied), to know where to damage it.</summary>
    private static List<Header> Headers(byte[] tar)
    {
        var list = new List<Header>();
        long? paxSize = null;
        for (long pos = 0; tar.AsSpan((int)pos, 512).ContainsAnyExcept((byte)0); )
        {
            var type = (char)tar[pos + 156];
            var size = Convert.ToInt64(Encoding.ASCII.GetString(tar, (int)pos + 124, 12).Trim('\0', ' '), 8);
            if (type != 'x' && paxSize != null) size = paxSize.Value;
            if (type == 'x')
            {
                var records = Encoding.UTF8.GetString(tar, (int)pos + 512, (int)size);
                var sizeRecord = records.Split('\n').FirstOrDefault(r => r.Contains(" size="));
                paxSize = sizeRecord == null ? null : long.Parse(sizeRecord[(sizeRecord.IndexOf('=') + 1)..]);
            }
            else paxSize = null;
            var padding = (512 - size % 512) % 512;
            list.Add(new Header(pos, type, pos + 512, size, padding));
            pos += 512 + size + padding;
        }
        return list;
    }

    private static IEnumerable<(string What, byte[] Bytes)> DamagedVariants(byte[] good)
    {
        byte[] Flip(long at, byte mask)
        {
            var copy = (byte[])good.Clone();
            copy[at] ^= mask;
            return copy;
        }
        var headers = Headers(good);
        for (var h = 0; h < headers.Count; h++)
        {
            var header = headers[h];
            foreach (var (name, offset, length) in HeaderFields)
            {
                yield return ($"header {h} ({header.Type}) {name}, first byte, bit 0", Flip(header.Offset + offset, 0x01));
                yield return ($"header {h} ({header.Type}) {name}, middle byte, bit 6", Flip(header.Offset + offset + length / 2, 0x40));
            }
            if (header.Type == 'x')
            {
                // The first record's framing: "LEN key=value\n".
                var text = Encoding.ASCII.GetString(good, (int)header.DataOffset, (int)header.DataSize);
                yield return ($"header {h} pax record length digit", Flip(header.DataOffset, 0x01));
                yield return ($"header {h} pax record space", Flip(header.DataOffset + text.IndexOf(' '), 0x01));
                yield return ($"header {h} pax record '='", Flip(header.DataOffset + text.IndexOf('='), 0x01));
                yield return ($"header {h} pax record newline", Flip(header.DataOffset + text.IndexOf('\n'), 0x01));
                // A digit of the mtime record's whole seconds (checked against the entry's header).
                var mtime = text.IndexOf(" mtime=", StringComparison.Ordinal);
                if (mtime >= 0) yield return ($"header {h} pax mtime digit", Flip(header.DataOffset + mtime + " mtime=".Length + 5, 0x01));
            }
            if (header.PaddingSize > 0)
            {
                yield return ($"header {h} data padding, first byte", Flip(header.DataOffset + header.DataSize, 0x01));
                yield return ($"header {h} data padding, last byte", Flip(header.DataOffset + header.DataSize + header.PaddingSize - 1, 0x80));
            }
        }
        var last = headers[^1];
        var end = last.DataOffset + last.DataSize + last.PaddingSize;
        yield return ("end-of-archive block 1", Flip(end + 100, 0x01));
        yield return ("end-of-archive block 2", Flip(end + 512 + 511, 0x01));
        yield return ("end-of-archive block 2, first byte", Flip(end + 512, 0x20));
        foreach (var cut in new[] { 1, 511, 512, 1024, 1025 })
            yield return ($"truncated by {cut} bytes", good[..^cut]);
        yield return ("cut at the end of the last entry", good[..(int)end]);
        yield return ("extended by 1 byte", [.. good, 0]);
        var garbage = new byte[512];
        garbage[17] = 1;
        yield return ("a non-zero block after the end", [.. good, .. garbage]);
    }

    private static async Task<int> GnuTarListAsync(string path)
    {
        var psi = new ProcessStartInfo("tar", ["-tf", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        await p.StandardOutput.ReadToEndAsync();
        await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode;
    }

    [PostgresFact]
    public async Task Every_damaged_tar_header_padding_or_end_marker_is_refused_with_nothing_written()
    {
        var db = await TestSql.PgCreateAsync("bdmg", "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 300) g;");
        _databases.Add(db);
        var started = await _repo.Engine.StartBackupAsync(new BackupOptions { Target = TestServers.Postgres(db) }, CancellationToken.None);
        var backup = await _repo.WaitAsync<BackupRecord>(started.Id);
        Assert.True(backup.State == OperationState.Succeeded, backup.StatusMessage);
        var bundle = Path.Combine(_dir, "good.dbbackup");
        await _repo.Engine.SaveAsync(backup.Id, bundle, false, CancellationToken.None);
        var good = await File.ReadAllBytesAsync(bundle);
        Assert.Equal(0, await GnuTarListAsync(bundle));

        var variants = DamagedVariants(good).ToList();
        Assert.True(variants.Count >= 42, $"only {variants.Count} variants");
        var accepted = new List<string>();
        var tarReported = 0;
        var i = 0;
        foreach (var (what, bytes) in variants)
        {
            var path = Path.Combine(_dir, $"damaged-{i++}.dbbackup");
            await File.WriteAllBytesAsync(path, bytes);
            var tarFailed = await GnuTarListAsync(path) != 0;
            if (tarFailed) tarReported++;
            try
            {
                await _other.Engine.ImportAsync(path, CancellationToken.None);
                accepted.Add(what + (tarFailed ? " (GNU tar reports it damaged)" : ""));
                foreach (var b in _other.Engine.Repository.ReadAllBackups().ToList()) _other.Engine.Repository.DeleteBackup(b.Id);
            }
            catch (DbBackupException e)
            {
                Assert.True(e.Kind == ErrorKind.InvalidData, $"{what}: {e.ErrorId} {e.Message}");
                Assert.True(e.ErrorId == "CorruptBundle", $"{what}: refused as {e.ErrorId} ({e.Message}), expected the structural check to name it");
                Assert.Contains(path, e.Message);
                Assert.Contains("Nothing was imported", e.Message);
            }
            var backups = Path.Combine(_other.Path, "backups");
            Assert.True(!Directory.Exists(backups) || !Directory.EnumerateFileSystemEntries(backups).Any(), $"{what}: something was left in the repository");
            File.Delete(path);
        }
        Assert.True(accepted.Count == 0, $"{accepted.Count} of {variants.Count} damaged bundles were accepted: {string.Join("; ", accepted)}");
        // GNU tar sees the header checksum damage (not the padding); each such case was refused above.
        Assert.True(tarReported >= 34, $"GNU tar reported only {tarReported} of {variants.Count} variants");

        // The undamaged bundle still imports, and so does one unpacked and re-packed by GNU tar in POSIX format.
        var imported = await _other.Engine.ImportAsync(bundle, CancellationToken.None);
        Assert.Equal(backup.Sha256, imported.Sha256);
        var unpacked = Directory.CreateDirectory(Path.Combine(_dir, "unpacked")).FullName;
        var repacked = Path.Combine(_dir, "repacked.dbbackup");
        await RunTarAsync(["-xf", bundle, "-C", unpacked]);
        await RunTarAsync(["--format=posix", "-cf", repacked, "-C", unpacked, "manifest.json", "payload"]);
        using var third = new TestRepository();
        Assert.Equal(backup.Sha256, (await third.Engine.ImportAsync(repacked, CancellationToken.None)).Sha256);
    }

    private static async Task RunTarAsync(string[] args)
    {
        using var p = Process.Start("tar", args);
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
    }

    public void Dispose()
    {
        foreach (var db in _databases) TestSql.PgDropAsync(db).GetAwaiter().GetResult();
        _repo.Dispose();
        _other.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
