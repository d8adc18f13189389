using System.Buffers.Binary;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>numeric's binary form (numeric_send: int16 ndigits, weight, sign, dscale, then base-10000 digits) from
/// numeric_out's text: an optional '-', decimal digits, an optional point and fraction digits, or "NaN",
/// "Infinity", "-Infinity". dscale is the count of fraction digits, trailing zeros included, as numeric_in
/// takes it. Leading and trailing zero digits are stripped as make_result does (numeric_recv strips them too).
/// Exponents and white space (which numeric_out never writes) are left to the text path.</summary>
internal static class PostgreSqlBinaryNumeric
{
    private const short Positive = 0x0000, Negative = 0x4000, NaN = unchecked((short)0xC000), PlusInfinity = unchecked((short)0xD000), MinusInfinity = unchecked((short)0xF000);
    private const int MaxDscale = 0x3FFF;

    /// <summary>The most bytes <see cref="Write"/> writes beyond the text's own length (length word and header).</summary>
    public const int MaxOverhead = 16;

    /// <summary>Writes the field (length and value) into <paramref name="span"/> (at least the text's length plus
    /// <see cref="MaxOverhead"/> bytes) and returns the bytes written, or returns -1 having written nothing that counts.</summary>
    public static int Write(ReadOnlySpan<byte> s, Span<byte> span)
    {
        short? special = s.SequenceEqual("NaN"u8) ? NaN : s.SequenceEqual("Infinity"u8) ? PlusInfinity : s.SequenceEqual("-Infinity"u8) ? MinusInfinity : null;
        if (special is { } sign0) { Header(span, 0, 0, 0, sign0, 0); return 12; }
        var negative = !s.IsEmpty && s[0] == '-';
        if (negative) s = s[1..];
        var point = s.IndexOf((byte)'.');
        var integer = point < 0 ? s : s[..point];
        var fraction = point < 0 ? [] : s[(point + 1)..];
        if (integer.IsEmpty || integer.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0 || fraction.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
            || (point >= 0 && fraction.IsEmpty) || fraction.Length > MaxDscale || (integer.Length + fraction.Length) / 4 > 32_000)
            return -1;
        var intGroups = (integer.Length + 3) / 4;
        var fracGroups = (fraction.Length + 3) / 4;
        var digits = span[12..];
        // Base-10000 digits, the integer part aligned on the point from the left, the fraction from the right.
        var n = 0;
        var first = integer.Length - (intGroups - 1) * 4;
        for (int i = 0, take = first; i < integer.Length; i += take, take = 4) WriteDigit(digits, n++, Group(integer.Slice(i, take), take));
        for (var i = 0; i < fraction.Length; i += 4)
        {
            var take = Math.Min(4, fraction.Length - i);
            var v = Group(fraction.Slice(i, take), take);
            for (var k = take; k < 4; k++) v *= 10;
            WriteDigit(digits, n++, v);
        }
        var weight = intGroups - 1;
        var start = 0;
        while (start < n && ReadDigit(digits, start) == 0) { start++; weight--; }
        var end = n;
        while (end > start && ReadDigit(digits, end - 1) == 0) end--;
        if (start == end) { weight = 0; negative = false; }
        if (start > 0) digits.Slice(2 * start, 2 * (end - start)).CopyTo(digits);
        Header(span, end - start, (short)weight, (short)fraction.Length, negative ? Negative : Positive, 8 + 2 * (end - start));
        return 12 + 2 * (end - start);
    }

    private static int Group(ReadOnlySpan<byte> s, int take)
    {
        var v = 0;
        for (var k = 0; k < take; k++) v = v * 10 + s[k] - '0';
        return v;
    }

    private static void WriteDigit(Span<byte> digits, int i, int v) => BinaryPrimitives.WriteInt16BigEndian(digits[(2 * i)..], (short)v);

    private static int ReadDigit(Span<byte> digits, int i) => BinaryPrimitives.ReadInt16BigEndian(digits[(2 * i)..]);

    private static void Header(Span<byte> span, int ndigits, short weight, short dscale, short sign, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(span, length == 0 ? 8 : length);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], (short)ndigits);
        BinaryPrimitives.WriteInt16BigEndian(span[6..], weight);
        BinaryPrimitives.WriteInt16BigEndian(span[8..], sign);
        BinaryPrimitives.WriteInt16BigEndian(span[10..], dscale);
    }
}
