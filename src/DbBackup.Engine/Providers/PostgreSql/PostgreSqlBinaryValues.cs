using System.Buffers.Binary;
using System.Globalization;

namespace DbBackup.Engine.Providers.PostgreSql;

/// <summary>The binary (send/recv) form of built-in values, read from the text the server's output functions write
/// under the dump's settings (DateStyle ISO, TimeZone UTC, extra_float_digits 3). Each reader accepts only that
/// output grammar (plus numeric offsets of backups made under another TimeZone) and returns false for anything else,
/// so a value it cannot prove it reads exactly as the server's text input would is loaded by COPY text instead
/// (<see cref="PostgreSqlBinaryNotProven"/>); it never guesses.</summary>
internal static class PostgreSqlBinaryValues
{
    private const long UsPerDay = 86_400_000_000L;
    private const long PostgresEpochDays = 10_957;                  // 2000-01-01 minus 1970-01-01
    private const long MinTimestamp = -211_813_488_000_000_000L;    // 4714-11-24 BC 00:00 (timestamp.h MIN_TIMESTAMP)
    private const long EndTimestamp = 9_223_371_331_200_000_000L;   // 294277-01-01 (END_TIMESTAMP)
    private const long MinDate = -2_451_545;                        // Julian day 0 from the 2000 epoch
    private const long EndDate = 2_147_483_494L - 2_451_545;        // DATE_END_JULIAN from the 2000 epoch

    /// <summary>boolout: "t" or "f".</summary>
    public static bool Bool(ReadOnlySpan<byte> s, out byte value)
    {
        value = s.Length == 1 && s[0] == 't' ? (byte)1 : (byte)0;
        return s.Length == 1 && s[0] is (byte)'t' or (byte)'f';
    }

    /// <summary>float8out with extra_float_digits &gt; 0: the shortest text that reads back exactly, "NaN", "Infinity", "-Infinity".</summary>
    public static bool Float8(ReadOnlySpan<byte> s, out long bits)
    {
        bits = 0;
        if (Special(s) is { } special) { bits = special switch { 0 => 0x7FF8_0000_0000_0000L, 1 => 0x7FF0_0000_0000_0000L, _ => unchecked((long)0xFFF0_0000_0000_0000UL) }; return true; }
        if (!IsDecimalText(s) || !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return false;
        // The server refuses overflow and underflow to zero; .NET rounds them: leave both to the text path.
        if (double.IsInfinity(d) || (d == 0 && HasNonZeroMantissa(s))) return false;
        bits = BitConverter.DoubleToInt64Bits(d);
        return true;
    }

    /// <summary>float4out, as <see cref="Float8"/>.</summary>
    public static bool Float4(ReadOnlySpan<byte> s, out int bits)
    {
        bits = 0;
        if (Special(s) is { } special) { bits = special switch { 0 => 0x7FC0_0000, 1 => 0x7F80_0000, _ => unchecked((int)0xFF80_0000U) }; return true; }
        if (!IsDecimalText(s) || !float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var f)) return false;
        if (float.IsInfinity(f) || (f == 0 && HasNonZeroMantissa(s))) return false;
        bits = BitConverter.SingleToInt32Bits(f);
        return true;
    }

    /// <summary>uuid_out: 8-4-4-4-12 hex digits.</summary>
    public static bool Uuid(ReadOnlySpan<byte> s, Span<byte> value)
    {
        if (s.Length != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
        Span<byte> hex = stackalloc byte[32];
        s[..8].CopyTo(hex);
        s[9..13].CopyTo(hex[8..]);
        s[14..18].CopyTo(hex[12..]);
        s[19..23].CopyTo(hex[16..]);
        s[24..].CopyTo(hex[20..]);
        return Convert.FromHexString(hex, value, out var read, out var written) == System.Buffers.OperationStatus.Done && read == 32 && written == 16;
    }

    /// <summary>date_out (ISO): "YYYY-MM-DD" with " BC" for years up to 0, "infinity", "-infinity"; days since 2000-01-01.</summary>
    public static bool Date(ReadOnlySpan<byte> s, out int days)
    {
        days = 0;
        if (s.SequenceEqual("infinity"u8)) { days = int.MaxValue; return true; }
        if (s.SequenceEqual("-infinity"u8)) { days = int.MinValue; return true; }
        var bc = s.EndsWith(" BC"u8);
        if (bc) s = s[..^3];
        if (!ReadDate(ref s, bc, out var d) || !s.IsEmpty || d < MinDate || d >= EndDate) return false;
        days = (int)d;
        return true;
    }

    /// <summary>time_out: "HH:MM:SS" with 1–6 fraction digits, up to 24:00:00; microseconds since midnight.</summary>
    public static bool Time(ReadOnlySpan<byte> s, out long us)
        => ReadTime(ref s, true, out us) && s.IsEmpty;

    /// <summary>timestamp_out / timestamptz_out (ISO): date, time, for timestamptz an offset "+HH[:MM[:SS]]", then " BC";
    /// "infinity", "-infinity". Microseconds since 2000-01-01 00:00 (UTC for timestamptz).</summary>
    public static bool Timestamp(ReadOnlySpan<byte> s, bool withZone, out long us)
    {
        us = 0;
        if (s.SequenceEqual("infinity"u8)) { us = long.MaxValue; return true; }
        if (s.SequenceEqual("-infinity"u8)) { us = long.MinValue; return true; }
        var bc = s.EndsWith(" BC"u8);
        if (bc) s = s[..^3];
        if (!ReadDate(ref s, bc, out var days) || s.IsEmpty || s[0] != ' ') return false;
        s = s[1..];
        if (!ReadTime(ref s, false, out var time)) return false;
        long offset = 0;
        if (withZone && !ReadOffset(ref s, out offset)) return false;
        if (!s.IsEmpty) return false;
        us = days * UsPerDay + time - offset * 1_000_000;
        return us >= MinTimestamp && us < EndTimestamp;
    }

    private static bool ReadDate(ref ReadOnlySpan<byte> s, bool bc, out long days)
    {
        days = 0;
        var dash = s.IndexOf((byte)'-');
        if (dash < 4 || dash > 7 || s.Length < dash + 6 || s[dash + 3] != '-') return false;
        if (!Digits(s[..dash], out var year) || !TwoDigits(s, dash + 1, out var month) || !TwoDigits(s, dash + 4, out var day)) return false;
        if (year == 0 || month is < 1 or > 12 || day < 1 || day > DaysInMonth(bc ? 1 - year : year, (int)month)) return false;
        days = DaysFromCivil(bc ? 1 - year : year, (int)month, (int)day) - PostgresEpochDays;
        s = s[(dash + 6)..];
        return true;
    }

    private static bool ReadTime(ref ReadOnlySpan<byte> s, bool allow24, out long us)
    {
        us = 0;
        if (s.Length < 8 || s[2] != ':' || s[5] != ':') return false;
        if (!TwoDigits(s, 0, out var h) || !TwoDigits(s, 3, out var m) || !TwoDigits(s, 6, out var sec)) return false;
        if (m > 59 || sec > 59 || h > 24 || (h == 24 && !allow24)) return false;
        s = s[8..];
        long fraction = 0;
        if (!s.IsEmpty && s[0] == '.')
        {
            var n = 1;
            while (n < s.Length && s[n] is >= (byte)'0' and <= (byte)'9') n++;
            if (n is 1 or > 7 || !Digits(s[1..n], out fraction)) return false;
            for (var k = n; k < 7; k++) fraction *= 10;
            s = s[n..];
        }
        us = ((h * 60 + m) * 60 + sec) * 1_000_000 + fraction;
        return h < 24 || us == UsPerDay;
    }

    /// <summary>EncodeTimezone: "+HH", "+HH:MM", "+HH:MM:SS" (or '-'); the offset east of UTC in seconds.</summary>
    private static bool ReadOffset(ref ReadOnlySpan<byte> s, out long seconds)
    {
        seconds = 0;
        if (s.Length < 3 || s[0] is not ((byte)'+' or (byte)'-') || !TwoDigits(s, 1, out var h)) return false;
        var sign = s[0] == '-' ? -1 : 1;
        s = s[3..];
        long m = 0, sec = 0;
        if (s.Length >= 3 && s[0] == ':' && TwoDigits(s, 1, out m)) s = s[3..];
        if (s.Length >= 3 && s[0] == ':' && TwoDigits(s, 1, out sec)) s = s[3..];
        if (h > 15 || m > 59 || sec > 59) return false;
        seconds = sign * ((h * 60 + m) * 60 + sec);
        return true;
    }

    /// <summary>The two decimal digits at <paramref name="at"/> (the caller has checked the length): month, day, hour,
    /// minute, second and offset fields, read without <see cref="Digits"/>' loop.</summary>
    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out long value)
    {
        uint tens = (uint)(s[at] - '0'), ones = (uint)(s[at + 1] - '0');
        value = tens * 10 + ones;
        return tens <= 9 && ones <= 9;
    }

    private static bool Digits(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 18) return false;
        foreach (var c in s)
        {
            if (c is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + c - '0';
        }
        return true;
    }

    private static int DaysInMonth(long year, int month) => month switch
    {
        2 => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date, astronomical year numbering (H. Hinnant's days_from_civil).</summary>
    private static long DaysFromCivil(long y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yoe = y - era * 400;
        var doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        var doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    private static int? Special(ReadOnlySpan<byte> s)
        => s.SequenceEqual("NaN"u8) ? 0 : s.SequenceEqual("Infinity"u8) ? 1 : s.SequenceEqual("-Infinity"u8) ? 2 : null;

    /// <summary>Only digits, a sign, a point and an exponent: the output grammar, no white space or words .NET would also read.</summary>
    /// <remarks>A loop of range tests: IndexOfAnyExcept over a 15-byte set tests each byte against the set, measured as a
    /// larger share of a float's conversion than double's own parser.</remarks>
    private static bool IsDecimalText(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
            if ((uint)(c - '0') > 9 && c is not ((byte)'.' or (byte)'e' or (byte)'E' or (byte)'+' or (byte)'-')) return false;
        return true;
    }

    private static bool HasNonZeroMantissa(ReadOnlySpan<byte> s)
    {
        var e = s.IndexOfAny((byte)'e', (byte)'E');
        return (e < 0 ? s : s[..e]).IndexOfAny("123456789"u8) >= 0;
    }

    /// <summary>Writes a big-endian 64-bit value as a field (length 8).</summary>
    public static void Field64(Span<byte> span, long value)
    {
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
    }
}
