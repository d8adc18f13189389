using System.Buffers;
using System.Buffers.Binary;
using DbBackup.Model;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>Rewrites COPY text rows as COPY binary rows for tables whose columns are all of a few built-in
/// types, so the server skips parsing them: bytea as hex text costs the server three times the CPU of its raw
/// bytes (measured on the benchmark's attachments, bench/README.md). The stored payload stays COPY text.</summary>
/// <remarks>Each field is decoded exactly as the server's COPY text input would: the text escapes
/// (<c>\b \f \n \r \t \v</c>, octal, <c>\x</c> hex, any other escaped character as itself), <c>\N</c> as NULL,
/// then the type's own input rules (integers with optional surrounding white space and sign; bytea in hex
/// form, white space between digit pairs allowed, or escape form). What the server would refuse is refused
/// here with the same meaning, naming the line.</remarks>
internal sealed class PostgreSqlTextToBinary
{
    /// <summary>The column types this converter handles (exactly these built-in types; no domains or arrays). Text
    /// also stands for varchar and bpchar (their recv functions apply the column's length as their input functions do).</summary>
    public enum Kind { Int2, Int4, Int8, Text, Bytea, Bool, Float4, Float8, Numeric, Date, Time, Timestamp, TimestampTz, Uuid, Json, Jsonb }

    /// <summary>The binary COPY header: signature, flags 0, no header extension.</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xff, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The binary COPY trailer: a field count of -1.</summary>
    public static ReadOnlySpan<byte> Trailer => [0xff, 0xff];

    private readonly Kind[] _kinds;
    private readonly string _file;
    private byte[] _field = new byte[256];

    /// <summary>A converter for rows of <paramref name="kinds"/> read from <paramref name="file"/> (named in errors).</summary>
    public PostgreSqlTextToBinary(Kind[] kinds, string file)
    {
        _kinds = kinds;
        _file = file;
    }

    /// <summary>Rows converted so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Converts the complete lines at the start of <paramref name="input"/> into <paramref name="output"/>
    /// and returns the bytes consumed; a partial last line is left for the next call (with more input).</summary>
    public int Convert(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var consumed = 0;
        while (true)
        {
            var end = input[consumed..].IndexOf((byte)'\n');
            if (end < 0) return consumed;
            var line = input.Slice(consumed, end);
            // The end-of-data marker: a server reading COPY text stops there and ignores the rest. No backup writes it.
            if (line.SequenceEqual("\\."u8)) throw Invalid("is the end-of-data marker \\., which no backup writes");
            ConvertLine(line, output);
            consumed += end + 1;
            Rows++;
        }
    }

    /// <summary>Throws when <paramref name="rest"/> (what is left after the last call) is not empty: COPY text ends every row with a newline.</summary>
    public void Finish(ReadOnlySpan<byte> rest)
    {
        if (!rest.IsEmpty) throw Invalid("ends inside a row (no newline after the last one)");
    }

    /// <summary>Bytes a field's binary form may take beyond its stored text: the length word, and an integer, float,
    /// numeric or boolean longer than its shortest text (a one-digit bigint is 12 bytes; numeric's header, see
    /// <see cref="PostgreSqlBinaryNumeric.MaxOverhead"/>).</summary>
    private const int FieldSlack = 4 + PostgreSqlBinaryNumeric.MaxOverhead;

    /// <remarks>One output reservation per line, sized for its worst case, and every field written straight into it:
    /// an <see cref="IBufferWriter{T}"/> call per field (an interface dispatch and its checks) was a measured share of
    /// the conversion. Each field is found by one vectorised scan for a tab or a backslash, so a field without escapes
    /// (nearly all) is read once before its type's parser.</remarks>
    private void ConvertLine(ReadOnlySpan<byte> line, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(2 + line.Length + FieldSlack * _kinds.Length);
        BinaryPrimitives.WriteInt16BigEndian(span, (short)_kinds.Length);
        var pos = 2;
        var column = 0;
        while (true)
        {
            var stop = line.IndexOfAny((byte)'\t', (byte)'\\');
            var escaped = stop >= 0 && line[stop] == '\\';
            if (escaped)
            {
                var tab = line[stop..].IndexOf((byte)'\t');
                stop = tab < 0 ? -1 : stop + tab;
            }
            var raw = stop < 0 ? line : line[..stop];
            if (column >= _kinds.Length) throw Invalid($"has more than the {_kinds.Length} columns of the table");
            pos += WriteField(raw, escaped, _kinds[column], span[pos..]);
            column++;
            if (stop < 0) break;
            line = line[(stop + 1)..];
        }
        if (column != _kinds.Length) throw Invalid($"has {column} columns, the table {_kinds.Length}");
        output.Advance(pos);
    }

    /// <summary>Writes one field (length word and value) at the start of <paramref name="span"/> and returns its size.
    /// <paramref name="escaped"/>: whether <paramref name="raw"/> holds a backslash.</summary>
    private int WriteField(ReadOnlySpan<byte> raw, bool escaped, Kind kind, Span<byte> span)
    {
        if (escaped)
        {
            if (raw.SequenceEqual("\\N"u8))
            {
                BinaryPrimitives.WriteInt32BigEndian(span, -1);
                return 4;
            }
            // bytea in hex form as the server writes it ("\\x" then digits, no other escapes): decoded in one vectorised step.
            if (kind == Kind.Bytea && raw.StartsWith("\\\\x"u8) && raw[2..].IndexOf((byte)'\\') < 0 && raw.Length % 2 == 1
                && WriteHex(raw[3..], span) is var hex and >= 0)
                return hex;
            raw = Unescape(raw);
        }
        return kind switch
        {
            Kind.Text or Kind.Json => WriteBytes(raw, span),
            Kind.Bytea => WriteBytea(raw, span),
            Kind.Int2 => WriteInteger(raw, 2, short.MaxValue, span),
            Kind.Int4 => WriteInteger(raw, 4, int.MaxValue, span),
            Kind.Int8 => WriteInteger(raw, 8, long.MaxValue, span),
            _ => WriteValue(raw, kind, span),
        };
    }

    /// <summary>The types read by <see cref="PostgreSqlBinaryValues"/>: a value outside their output grammar abandons the binary load.</summary>
    private int WriteValue(ReadOnlySpan<byte> value, Kind kind, Span<byte> span)
    {
        bool ok;
        int size;
        switch (kind)
        {
            case Kind.Bool: ok = PostgreSqlBinaryValues.Bool(value, out span[4]); size = 1; break;
            case Kind.Float4: ok = PostgreSqlBinaryValues.Float4(value, out var f4); BinaryPrimitives.WriteInt32BigEndian(span[4..], f4); size = 4; break;
            case Kind.Float8: ok = PostgreSqlBinaryValues.Float8(value, out var f8); BinaryPrimitives.WriteInt64BigEndian(span[4..], f8); size = 8; break;
            case Kind.Date: ok = PostgreSqlBinaryValues.Date(value, out var d); BinaryPrimitives.WriteInt32BigEndian(span[4..], d); size = 4; break;
            case Kind.Time: ok = PostgreSqlBinaryValues.Time(value, out var t); BinaryPrimitives.WriteInt64BigEndian(span[4..], t); size = 8; break;
            case Kind.Timestamp or Kind.TimestampTz:
                ok = PostgreSqlBinaryValues.Timestamp(value, kind == Kind.TimestampTz, out var ts);
                BinaryPrimitives.WriteInt64BigEndian(span[4..], ts);
                size = 8;
                break;
            case Kind.Uuid: ok = PostgreSqlBinaryValues.Uuid(value, span.Slice(4, 16)); size = 16; break;
            case Kind.Numeric:
                var written = PostgreSqlBinaryNumeric.Write(value, span);
                return written >= 0 ? written : throw NotProven(kind);
            default:
                // jsonb_recv: a version byte (1) and the text, parsed by the same jsonb_in.
                span[4] = 1;
                value.CopyTo(span[5..]);
                ok = true;
                size = 1 + value.Length;
                break;
        }
        if (!ok) throw NotProven(kind);
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        return 4 + size;
    }

    private PostgreSqlBinaryNotProven NotProven(Kind kind)
        => new($"Row {Rows + 1} of {_file} holds a {kind} value outside the output form the binary load reads exactly.");

    /// <summary>Hex digits straight into the field; -1 (nothing that counts written) when they are not all hex digits.</summary>
    private static int WriteHex(ReadOnlySpan<byte> hex, Span<byte> span)
    {
        var length = hex.Length / 2;
        if (System.Convert.FromHexString(hex, span.Slice(4, length), out var read, out var written) != OperationStatus.Done
            || read != hex.Length || written != length)
            return -1;
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        return 4 + length;
    }

    private static int WriteBytes(ReadOnlySpan<byte> value, Span<byte> span)
    {
        BinaryPrimitives.WriteInt32BigEndian(span, value.Length);
        value.CopyTo(span[4..]);
        return 4 + value.Length;
    }

    /// <summary>COPY text's escapes undone (CopyReadAttributesText): the bytes the type's input function gets.</summary>
    /// <remarks>The only COPY text unescaper: the row checksum (RowSetChecksum.AddLines) hashes each line's stored
    /// bytes as they are, escapes included, and shares nothing with this but the split at '\n'; that split is one
    /// vectorised IndexOf in each, so there is no logic worth sharing. Called only for a field the line scan found a
    /// backslash in, so it does not look for one again.</remarks>
    private ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> raw)
    {
        if (_field.Length < raw.Length) _field = new byte[Math.Max(raw.Length, _field.Length * 2)];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '\\' || i + 1 == raw.Length) { _field[n++] = c; continue; }
            c = raw[++i];
            if (c is >= (byte)'0' and <= (byte)'7')
            {
                var v = c - '0';
                for (var k = 0; k < 2 && i + 1 < raw.Length && raw[i + 1] is >= (byte)'0' and <= (byte)'7'; k++) v = v * 8 + raw[++i] - '0';
                _field[n++] = (byte)v;
            }
            else if (c == 'x' && i + 1 < raw.Length && IsHex(raw[i + 1]))
            {
                var v = HexValue(raw[++i]);
                if (i + 1 < raw.Length && IsHex(raw[i + 1])) v = v * 16 + HexValue(raw[++i]);
                _field[n++] = (byte)v;
            }
            else
            {
                _field[n++] = c switch { (byte)'b' => 8, (byte)'f' => 12, (byte)'n' => 10, (byte)'r' => 13, (byte)'t' => 9, (byte)'v' => 11, _ => c };
            }
        }
        return _field.AsSpan(0, n);
    }

    /// <summary>byteain: "\x" and hex digit pairs (white space between pairs allowed), else the escape form.</summary>
    private int WriteBytea(ReadOnlySpan<byte> value, Span<byte> span)
    {
        var n = 0;
        if (value.StartsWith("\\x"u8))
        {
            for (var i = 2; i < value.Length;)
            {
                if (value[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') { i++; continue; }
                if (!IsHex(value[i])) throw Invalid("holds a bytea value with a character that is not a hex digit");
                if (i + 1 >= value.Length || !IsHex(value[i + 1])) throw Invalid("holds a bytea value with an odd number of hex digits");
                span[4 + n++] = (byte)(HexValue(value[i]) * 16 + HexValue(value[i + 1]));
                i += 2;
            }
        }
        else
        {
            for (var i = 0; i < value.Length;)
            {
                if (value[i] != '\\') { span[4 + n++] = value[i++]; continue; }
                if (i + 1 < value.Length && value[i + 1] == '\\') { span[4 + n++] = (byte)'\\'; i += 2; continue; }
                if (i + 3 < value.Length && value[i + 1] is >= (byte)'0' and <= (byte)'3'
                    && value[i + 2] is >= (byte)'0' and <= (byte)'7' && value[i + 3] is >= (byte)'0' and <= (byte)'7')
                {
                    span[4 + n++] = (byte)((value[i + 1] - '0') * 64 + (value[i + 2] - '0') * 8 + value[i + 3] - '0');
                    i += 4;
                    continue;
                }
                throw Invalid("holds a bytea value in escape form with an invalid escape");
            }
        }
        BinaryPrimitives.WriteInt32BigEndian(span, n);
        return 4 + n;
    }

    /// <summary>pg_strtoint (PostgreSQL 15): optional white space, an optional sign, decimal digits, optional white space.</summary>
    private int WriteInteger(ReadOnlySpan<byte> value, int size, long max, Span<byte> span)
    {
        var i = 0;
        while (i < value.Length && IsSpace(value[i])) i++;
        var negative = false;
        if (i < value.Length && value[i] is (byte)'+' or (byte)'-') negative = value[i++] == '-';
        var start = i;
        ulong magnitude = 0;
        for (; i < value.Length && value[i] is >= (byte)'0' and <= (byte)'9'; i++)
        {
            if (magnitude > (ulong.MaxValue - 9) / 10) throw Invalid($"holds a value out of range for a {size * 8}-bit integer");
            magnitude = magnitude * 10 + (ulong)(value[i] - '0');
        }
        var digitsEnd = i;
        while (i < value.Length && IsSpace(value[i])) i++;
        if (digitsEnd == start || i != value.Length) throw Invalid($"holds a value that is not a {size * 8}-bit integer");
        var limit = negative ? (ulong)max + 1 : (ulong)max;
        if (magnitude > limit) throw Invalid($"holds a value out of range for a {size * 8}-bit integer");
        var number = negative ? (long)(0 - magnitude) : (long)magnitude;
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        switch (size)
        {
            case 2: BinaryPrimitives.WriteInt16BigEndian(span[4..], (short)number); break;
            case 4: BinaryPrimitives.WriteInt32BigEndian(span[4..], (int)number); break;
            default: BinaryPrimitives.WriteInt64BigEndian(span[4..], number); break;
        }
        return 4 + size;
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private DbBackupException Invalid(string what)
        => new(ErrorKind.InvalidData, "TableRestoreFailed", $"Row {Rows + 1} of {_file} {what}.");
}
