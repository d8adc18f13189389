using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DbBackup.Engine.Artifacts;

/// <summary>An order-independent checksum of a multiset of rows: the sum, modulo 2^128, of the first
/// 16 bytes of each row's SHA-256. Rows arrive in whatever order the server returns them (parallel
/// scans, synchronized seqscans), so the checksum must not depend on order; a sum (unlike XOR) still
/// counts duplicate rows. Not thread-safe: one instance per table stream.</summary>
public sealed class RowSetChecksum
{
    private UInt128 _sum;

    /// <summary>Rows added.</summary>
    public long Rows { get; private set; }

    /// <summary>Adds one row given its canonical bytes (for example one COPY text line without the newline).</summary>
    public void AddRow(ReadOnlySpan<byte> row)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(row, hash);
        _sum += BinaryPrimitives.ReadUInt128BigEndian(hash);
        Rows++;
    }

    /// <summary>Adds the rows of <paramref name="other"/> (a part of the same table read apart, e.g. one
    /// key range): the sum of the parts equals the checksum of the whole.</summary>
    public void Add(RowSetChecksum other)
    {
        _sum += other._sum;
        Rows += other.Rows;
    }

    /// <summary>Adds every complete line of a newline-delimited stream chunk; keeps the incomplete tail
    /// in <paramref name="carry"/> for the next call. Use <see cref="Flush"/> at the end.</summary>
    public void AddLines(ReadOnlySpan<byte> chunk, List<byte> carry)
    {
        while (true)
        {
            var nl = chunk.IndexOf((byte)'\n');
            if (nl < 0)
            {
                carry.AddRange(chunk);
                return;
            }
            if (carry.Count > 0)
            {
                carry.AddRange(chunk[..nl]);
                AddRow(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(carry));
                carry.Clear();
            }
            else
            {
                AddRow(chunk[..nl]);
            }
            chunk = chunk[(nl + 1)..];
        }
    }

    /// <summary>Adds a final unterminated line, if any.</summary>
    public void Flush(List<byte> carry)
    {
        if (carry.Count == 0) return;
        AddRow(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(carry));
        carry.Clear();
    }

    /// <summary>32 lower-case hex characters.</summary>
    public string Value
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(bytes, _sum);
            return Convert.ToHexStringLower(bytes);
        }
    }
}
