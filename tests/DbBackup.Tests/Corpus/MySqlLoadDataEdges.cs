namespace DbBackup.Tests.Corpus;

/// <summary>Values a LOAD DATA payload (format 4: escaped bytes) can lose, written by a client in a
/// non-UTC time zone with an empty sql_mode (zero dates allowed): the string "\\N" beside NULL and
/// "NULL", tabs, newlines, carriage returns, backslashes, NUL and 0x1A bytes in text and blobs, every
/// byte value 0–255, trailing and leading spaces in CHAR/VARCHAR/BINARY (BINARY pads with 0x00) and in a
/// NO PAD unique key, empty values beside NULL in every type, -0.0, zero and partial-zero dates,
/// TIMESTAMPs in a DST gap of other zones, DECIMAL(65,…) extremes, UUID and INET6.</summary>
internal static class MySqlLoadDataEdges
{
    public const string Script = """
        SET SESSION sql_mode = '';
        SET time_zone = '+05:30';
        CREATE TABLE escapes (id INT PRIMARY KEY, v VARCHAR(40), t TEXT, b BLOB, vb VARBINARY(40), c CHAR(10), bn BINARY(6), lt LONGTEXT CHARACTER SET latin1);
        INSERT INTO escapes VALUES
          (1, '\\N', '\\N', '\\N', '\\N', '\\N', '\\N', '\\N'),
          (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (3, 'N', 'NULL', 'null', X'4E', 'N', X'4E', 'NULL'),
          (4, '', '', '', '', '', '', ''),
          (5, 'a\tb\nc\rd', '\t', '\n', '\r', '\t\t', '\n', '\r\n'),
          (6, 'back\\slash\\', '\\', '\\\\', '\\', '\\ ', X'5C00', '\\\\N'),
          (7, CONCAT('nul', CHAR(0), 'x'), CHAR(0), X'00', X'0000', CHAR(0), X'00', CHAR(0)),
          (8, 'trail   ', '  lead', X'2020', X'20', 'pad  ', X'20', ' '),
          (9, '"quoted" ''single''', ',comma,', X'0D0A', X'1A', '\Z', X'FF', 'ÿ'),
          (10, '\\t\\n', '\\0', X'5C30', X'5C6E', '\\r', X'5C74', '\\Z');
        CREATE TABLE all_bytes (id INT PRIMARY KEY, b LONGBLOB, tb TINYBLOB, bn BINARY(255), l1 VARCHAR(300) CHARACTER SET latin1);
        INSERT INTO all_bytes (id, b) SELECT 1, UNHEX(GROUP_CONCAT(LPAD(HEX(seq), 2, '0') ORDER BY seq SEPARATOR '')) FROM seq_0_to_255;
        INSERT INTO all_bytes (id, b) SELECT 2, UNHEX(GROUP_CONCAT(LPAD(HEX(255 - seq), 2, '0') ORDER BY seq SEPARATOR '')) FROM seq_0_to_255;
        UPDATE all_bytes SET tb = LEFT(b, 255), bn = LEFT(b, 200), l1 = CONVERT(b USING latin1);
        CREATE TABLE empties (id INT PRIMARY KEY, i INT, d DECIMAL(5,2), f FLOAT, dt DATETIME, da DATE, ti TIME(3), ts TIMESTAMP NULL, y YEAR,
          e ENUM('a', 'b'), s SET('a', 'b'), j JSON, bt BIT(8), g GEOMETRY, u UUID, ip INET6);
        INSERT INTO empties VALUES (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (2, 0, 0, 0, '0000-00-00 00:00:00', '0000-00-00', '00:00:00', '0000-00-00 00:00:00', 0, '', '', '""', b'0', ST_GeomFromText('POINT(0 0)'), '00000000-0000-0000-0000-000000000000', '::'),
          (3, -0, -0.00, -0.0, '2024-02-00 00:00:00', '2024-00-15', '-838:59:59.999', '1970-01-01 05:30:01', 1901, 'b', 'a,b', 'null', b'11111111', ST_GeomFromText('POINT(1 1)'), 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'ffff::1'),
          (4, 2147483647, 999.99, 3.4e38, '9999-12-31 23:59:59', '1000-01-01', '838:59:59.999', '2038-01-19 08:44:07', 2155, 'a', '', '{"a":"\\u0000\\\\N\\t"}', b'10000000', ST_GeomFromText('LINESTRING(0 0,1 1)'), '12345678-9abc-def0-1234-56789abcdef0', '192.168.0.1');
        CREATE TABLE doubles (id INT PRIMARY KEY, d DOUBLE, f FLOAT, u DOUBLE UNSIGNED, dd DECIMAL(65,30), ds DECIMAL(65,0));
        INSERT INTO doubles VALUES (1, -0.0, -0.0, 0, -0.000000000000000000000000000001, -99999999999999999999999999999999999999999999999999999999999999999),
          (2, 2.2250738585072014e-308, 1.4e-45, 1.7976931348623157e308, 0, 99999999999999999999999999999999999999999999999999999999999999999),
          (3, 0.30000000000000004, 0.1, 5e-324, 12345678901234567890123456789012345.000000000000000000000000000001, 0);
        CREATE TABLE tz_ts (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME(6), ts0 TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00');
        INSERT INTO tz_ts VALUES (1, '2024-03-31 02:30:00.123456', '2024-03-31 02:30:00.123456', '2024-10-27 02:30:00'), (2, '1970-01-01 05:30:01', '1000-01-01 00:00:00', '2038-01-19 08:44:07'), (3, NULL, NULL, DEFAULT);
        CREATE TABLE padded (id INT PRIMARY KEY, c CHAR(5), vc VARCHAR(5), b BINARY(5), vb VARBINARY(5), cb CHAR(5) CHARACTER SET binary, nopad VARCHAR(5) COLLATE utf8mb4_nopad_bin, UNIQUE KEY (nopad));
        INSERT INTO padded VALUES (1, 'a  ', 'a  ', 'a', 'a  ', 'a', 'a'), (2, '', '', '', '', '', 'a '), (3, '   ', '   ', X'0000', X'00', '  ', 'a  ');
        """;
}
