using System.Text;

namespace DbBackup.Engine.Artifacts;

/// <summary>Checks a bundle's tar structure byte by byte, which System.Formats.Tar does not (it reads
/// past a bad header checksum): every header's checksum and fields (POSIX ustar, as DbBackup writes
/// them), each pax extended header's records, the zero padding after each entry's data, and the end of
/// the archive: two zero blocks, then nothing but zeros. Payload bytes are left to the checksums.</summary>
internal static class TarArchiveCheck
{
    private const int Block = 512;
    private const int MaxPaxHeader = 1 << 20;

    /// <summary>Throws CorruptBundle naming the offset and what is wrong.</summary>
    public static void Validate(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, Block * 8);
        var length = fs.Length;
        if (length % Block != 0)
            throw Bad(path, $"its length {length} is not a whole number of 512-byte tar blocks (truncated or extended)");
        var header = new byte[Block];
        (long? Size, long? Mtime) pax = (null, null);
        for (long pos = 0; ; )
        {
            if (pos + Block > length) throw Bad(path, "it ends without the two zero blocks that close a tar archive (truncated)");
            Read(fs, pos, header);
            if (header.All(b => b == 0))
            {
                if (pos + 2 * Block > length) throw Bad(path, "it has only one of the two zero blocks that close a tar archive (truncated)");
                CheckZeros(fs, pos + Block, length - pos - Block, path, "after the end-of-archive marker");
                return;
            }
            var (type, size, mtime) = CheckHeader(header, pos, path);
            pos += Block;
            if (type == 'x')
            {
                if (size > MaxPaxHeader) throw Bad(path, $"the pax header at offset {pos - Block} declares {size} bytes");
                if (pos + size > length) throw Bad(path, $"the pax header at offset {pos - Block} is cut short (truncated)");
                var data = new byte[size];
                Read(fs, pos, data);
                pax = CheckPaxRecords(data, pos, path);
            }
            else
            {
                // Both writers DbBackup meets put the whole seconds of the pax mtime in the header too.
                if (pax.Mtime is { } paxMtime && mtime != 0 && mtime != paxMtime)
                    throw Bad(path, $"the header at offset {pos - Block} has mtime {mtime} but its pax header says {paxMtime}");
                size = pax.Size ?? size;
                pax = (null, null);
            }
            if (pos + size > length) throw Bad(path, $"the entry at offset {pos - Block} declares {size} bytes but the file ends first (truncated)");
            var padding = (Block - size % Block) % Block;
            CheckZeros(fs, pos + size, padding, path, $"in the padding after the entry at offset {pos - Block}");
            pos += size + padding;
        }
    }

    /// <summary>Checks one header block; returns its type flag, the size its size field declares and its mtime.</summary>
    private static (char Type, long Size, long Mtime) CheckHeader(byte[] h, long pos, string path)
    {
        long stored;
        try { stored = Octal(h.AsSpan(148, 8)); }
        catch (FormatException) { throw Bad(path, $"the header at offset {pos} has a malformed checksum field"); }
        long sum = 0;
        for (var i = 0; i < Block; i++) sum += i is >= 148 and < 156 ? (byte)' ' : h[i];
        if (sum != stored) throw Bad(path, $"the header at offset {pos} has checksum {stored} but its bytes sum to {sum} (a damaged header)");
        if (!h.AsSpan(257, 6).SequenceEqual("ustar\0"u8) || !h.AsSpan(263, 2).SequenceEqual("00"u8))
            throw Bad(path, $"the header at offset {pos} is not a POSIX ustar header: its magic or version is damaged, or the archive is in another tar format (bundles are POSIX pax tar; re-create one with 'tar --format=posix')");
        var type = (char)h[156];
        if (type is not ('0' or '\0' or '5' or 'x'))
            throw Bad(path, $"the header at offset {pos} has entry type '{(char.IsControl(type) ? '?' : type)}'; bundles hold only files, folders and pax headers");
        foreach (var (offset, width, name) in new[] { (0, 100, "name"), (157, 100, "link name"), (265, 32, "user name"), (297, 32, "group name"), (345, 155, "prefix") })
            if (!IsPaddedText(h.AsSpan(offset, width))) throw Bad(path, $"the header at offset {pos} has a malformed {name} field");
        if (h[0] == 0) throw Bad(path, $"the header at offset {pos} has an empty name");
        if (h[157] != 0) throw Bad(path, $"the header at offset {pos} names a link target; bundles hold no links");
        if (h.AsSpan(500, 12).ContainsAnyExcept((byte)0)) throw Bad(path, $"the header at offset {pos} has non-zero bytes in its unused tail");
        long size, mtime;
        try
        {
            // .NET leaves some numeric fields of pax headers all NUL (meaning 0).
            foreach (var (offset, width) in new[] { (100, 8), (108, 8), (116, 8), (136, 12), (329, 8), (337, 8) })
                if (h.AsSpan(offset, width).ContainsAnyExcept((byte)0)) Numeric(h.AsSpan(offset, width));
            size = Numeric(h.AsSpan(124, 12));
            mtime = h.AsSpan(136, 12).ContainsAnyExcept((byte)0) ? Numeric(h.AsSpan(136, 12)) : 0;
        }
        catch (FormatException e) { throw Bad(path, $"the header at offset {pos} has a malformed numeric field ({e.Message})"); }
        if (size < 0 || (type == '5' && size != 0)) throw Bad(path, $"the header at offset {pos} declares an impossible size {size}");
        return (type, size, mtime);
    }

    /// <summary>A pax header's "LEN key=value\n" records (LEN counts bytes); returns its size record
    /// and the whole seconds of its mtime record, if any.</summary>
    private static (long? Size, long? Mtime) CheckPaxRecords(byte[] data, long pos, string path)
    {
        long? mtime = null;
        if (!System.Text.Unicode.Utf8.IsValid(data)) throw Bad(path, $"the pax header data at offset {pos} is not UTF-8");
        long? size = null;
        for (var i = 0; i < data.Length; )
        {
            var space = Array.IndexOf(data, (byte)' ', i);
            if (space <= i || !int.TryParse(data.AsSpan(i, space - i), System.Globalization.NumberStyles.None, null, out var len)
                || len <= space - i + 1 || i + len > data.Length || data[i + len - 1] != (byte)'\n')
                throw Bad(path, $"the pax header data at offset {pos} has a malformed record at byte {i}");
            var keyValue = data.AsSpan(space + 1, i + len - 1 - (space + 1));
            var equals = keyValue.IndexOf((byte)'=');
            if (equals <= 0 || keyValue[..equals].IndexOfAnyExceptInRange((byte)'!', (byte)'~') >= 0)
                throw Bad(path, $"the pax header data at offset {pos} has a malformed key at byte {i}");
            var key = Encoding.ASCII.GetString(keyValue[..equals]);
            var value = Encoding.UTF8.GetString(keyValue[(equals + 1)..]);
            if (key is "size" or "uid" or "gid" or "mtime" or "atime" or "ctime" && !IsDecimal(value, allowFraction: key.EndsWith("time", StringComparison.Ordinal)))
                throw Bad(path, $"the pax header data at offset {pos} has a malformed {key} value");
            if (key == "size") size = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            if (key == "mtime") mtime = long.Parse(value.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
            if (key == "path" && (value.Length == 0 || value.Contains('\0'))) throw Bad(path, $"the pax header data at offset {pos} has an empty or malformed path");
            i += len;
        }
        return (size, mtime);
    }

    private static bool IsDecimal(string s, bool allowFraction)
    {
        var dot = allowFraction ? s.IndexOf('.') : -1;
        var whole = dot < 0 ? s : s[..dot];
        return whole.Length is > 0 and < 20 && whole.All(char.IsAsciiDigit) && (dot < 0 || (s.Length > dot + 1 && s[(dot + 1)..].All(char.IsAsciiDigit)));
    }

    /// <summary>Text NUL-padded to the field width: after the first NUL, only NULs.</summary>
    private static bool IsPaddedText(ReadOnlySpan<byte> f)
    {
        var nul = f.IndexOf((byte)0);
        return nul < 0 || !f[nul..].ContainsAnyExcept((byte)0);
    }

    /// <summary>An octal field: optional leading spaces, digits, then NUL/space terminators to the end.</summary>
    private static long Octal(ReadOnlySpan<byte> f)
    {
        var i = 0;
        while (i < f.Length && f[i] == ' ') i++;
        long v = 0;
        var digits = 0;
        for (; i < f.Length && f[i] is >= (byte)'0' and <= (byte)'7'; i++, digits++) v = v * 8 + (f[i] - '0');
        if (digits == 0 || f[i..].ContainsAnyExcept((byte)0, (byte)' ')) throw new FormatException("expected octal digits");
        return v;
    }

    /// <summary>Octal, or GNU base-256 (first byte 0x80) for values too large for octal.</summary>
    private static long Numeric(ReadOnlySpan<byte> f)
    {
        if (f[0] != 0x80) return Octal(f);
        if (f[1..4].ContainsAnyExcept((byte)0)) throw new FormatException("base-256 value out of range");
        long v = 0;
        foreach (var b in f[4..]) v = (v << 8) | b;
        return v;
    }

    private static void Read(FileStream fs, long pos, byte[] buffer)
    {
        fs.Position = pos;
        fs.ReadExactly(buffer);
    }

    private static void CheckZeros(FileStream fs, long pos, long count, string path, string where)
    {
        var buffer = new byte[Block * 8];
        fs.Position = pos;
        while (count > 0)
        {
            var n = (int)Math.Min(buffer.Length, count);
            fs.ReadExactly(buffer, 0, n);
            var bad = buffer.AsSpan(0, n).IndexOfAnyExcept((byte)0);
            if (bad >= 0) throw Bad(path, $"it has a non-zero byte at offset {fs.Position - n + bad}, {where}");
            count -= n;
        }
    }

    private static DbBackupException Bad(string path, string why)
        => new(ErrorKind.InvalidData, "CorruptBundle", $"Bundle '{path}' is damaged: {why}. Nothing was imported.") { TargetObject = path };
}
