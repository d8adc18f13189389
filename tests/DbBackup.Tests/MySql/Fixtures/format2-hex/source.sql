-- The database the checked-in backup in this folder was made of (by DbBackup 1afe47f, the last build
-- writing strings and blobs as hex: MySQL payload format 2, --compression none). A test loads this
-- script with the mariadb client as the control and compares it with a restore of the backup.
CREATE TABLE kinds (
  id INT PRIMARY KEY,
  b BLOB NULL, bin BINARY(8) NULL, vb VARBINARY(64) NULL,
  t3 VARCHAR(40) CHARACTER SET utf8mb3 NULL, l1 VARCHAR(40) CHARACTER SET latin1 NULL,
  txt TEXT CHARACTER SET utf8mb4 NULL, j JSON NULL, bits BIT(12) NULL, f FLOAT NULL,
  dtm DATETIME(6) NULL, e ENUM('a', 'b c') NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO kinds VALUES
  (1, X'005C090A0D2722FF', X'005C090A0D2722FF', X'5C4E005C0A', _utf8mb3 X'746162096E6C0A20635209205C20C3A9', _latin1 X'E9E0FF5C090A',
   _utf8mb4 X'71756F746527732022647122205C4E20F09F9880', '{"k": "v\\t", "u": "é"}', b'101010101010', 0.1, '2024-02-29 23:59:59.123456', 'b c'),
  (2, X'', X'', X'', '', '', '', '[]', b'0', -0.5, '1970-01-01 00:00:00', 'a'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, X'5C', X'0D0A', X'5C5C5C', 'NULL', '\\N', '\\', 'null', b'111111111111', 3.4028234663852886e38, '0000-00-00 00:00:00', 'a');
CREATE TABLE empty_one (id INT PRIMARY KEY, v VARBINARY(4)) ENGINE=InnoDB;
