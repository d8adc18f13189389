namespace DbBackup.Tests.Corpus;

/// <summary>MariaDB 10.11 features a logical backup must carry: generated columns (VIRTUAL, STORED),
/// INVISIBLE columns, a system-versioned table, sequences, CHECK constraints, events, several triggers
/// per table ordered with FOLLOWS/PRECEDES, routines with their own sql_mode and DEFINER, partitions,
/// comments, per-column character sets and collations, BIT, DECIMAL(65,30), FLOAT/DOUBLE edge values,
/// JSON, AUTO_INCREMENT positions, empty tables, '' beside NULL, and names that need quoting.</summary>
internal static class MySqlHardFeatures
{
    public const string Script = """
        CREATE TABLE gen (
          id INT NOT NULL PRIMARY KEY, a INT, b INT AS (a * 2) VIRTUAL, c VARCHAR(20) AS (CONCAT('v', a)) STORED,
          hidden INT INVISIBLE DEFAULT 7, KEY idx_c (c)
        ) COMMENT 'generated and ''invisible'' columns';
        INSERT INTO gen (id, a) VALUES (1, 1), (2, NULL);
        INSERT INTO gen (id, a, hidden) VALUES (3, -5, NULL);

        CREATE TABLE versioned (id INT PRIMARY KEY, v VARCHAR(10)) WITH SYSTEM VERSIONING;
        INSERT INTO versioned VALUES (1, 'first'), (2, 'second');
        UPDATE versioned SET v = 'changed' WHERE id = 1;
        DELETE FROM versioned WHERE id = 2;

        CREATE SEQUENCE seq_orders START WITH 100 INCREMENT BY 5 MINVALUE 1 MAXVALUE 100000 CACHE 10;
        CREATE SEQUENCE seq_cycle START WITH 1 MAXVALUE 3 NOCACHE CYCLE;
        SELECT NEXTVAL(seq_orders), NEXTVAL(seq_orders), NEXTVAL(seq_cycle);

        CREATE TABLE checked (
          id INT PRIMARY KEY, qty INT CHECK (qty >= 0), price DECIMAL(10,2),
          CONSTRAINT price_positive CHECK (price > 0), CONSTRAINT qty_or_price CHECK (qty IS NOT NULL OR price IS NOT NULL)
        );
        INSERT INTO checked VALUES (1, 0, 0.01), (2, NULL, 5.00);

        CREATE TABLE parted (id INT NOT NULL, d DATE NOT NULL, note VARCHAR(20), PRIMARY KEY (id, d))
          PARTITION BY RANGE (YEAR(d)) (PARTITION p2020 VALUES LESS THAN (2021) COMMENT 'old', PARTITION pmax VALUES LESS THAN MAXVALUE);
        INSERT INTO parted VALUES (1, '2019-05-01', 'old'), (2, '2024-02-29', 'new');
        CREATE TABLE hashed (id INT NOT NULL PRIMARY KEY, v INT) PARTITION BY HASH (id) PARTITIONS 3;
        INSERT INTO hashed VALUES (1, 1), (2, 2), (3, 3), (4, 4);

        CREATE TABLE charsets (
          id INT PRIMARY KEY COMMENT 'the key',
          l1 VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_german2_ci COMMENT 'latin1, German phone-book order',
          bin VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, asc1 CHAR(5) CHARACTER SET ascii,
          u16 VARCHAR(10) CHARACTER SET utf16, mb3 TEXT CHARACTER SET utf8mb3 COLLATE utf8mb3_unicode_ci,
          emoji VARCHAR(20) COLLATE utf8mb4_unicode_520_ci
        ) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='per-column charsets';
        INSERT INTO charsets VALUES (1, 'Straße', 'Ab', 'abc  ', '𝄞x', 'ünïcödé', '😀🎉'), (2, '', '', '', '', '', ''),
          (3, NULL, NULL, NULL, NULL, NULL, NULL), (4, 'Ärger', 'a', 'x', 'ß', 'x', 'zero-width ​ here');

        CREATE TABLE numbers (
          id INT PRIMARY KEY, b1 BIT(1), b64 BIT(64), d65 DECIMAL(65,30), f FLOAT, d DOUBLE, u BIGINT UNSIGNED, s TINYINT
        );
        INSERT INTO numbers VALUES
          (1, b'1', b'1111111111111111111111111111111111111111111111111111111111111111', '99999999999999999999999999999999999.999999999999999999999999999999',
           3.4028234663852886e38, 1.7976931348623157e308, 18446744073709551615, -128),
          (2, b'0', b'0', '-0.000000000000000000000000000001', 1e-45, 4.9e-324, 0, 127),
          (3, NULL, b'101', '0', -0.0, -0.0, NULL, NULL),
          (4, b'1', b'1000000000000000000000000000000000000000000000000000000000000000', '1.5', 1.17549435e-38, 2.2250738585072014e-308, 1, 0),
          (5, b'0', b'10', '-12345678901234567890123456789012345.123456789012345678901234567890', 0.1, 0.1, 2, -1),
          (6, b'0', b'11', '0.5', 16777217, 9007199254740993, 3, 1);

        CREATE TABLE docs (id INT PRIMARY KEY, j JSON, CHECK (JSON_VALID(j)));
        INSERT INTO docs VALUES (1, '{"a": [1, 2.50, {"b": null}], "u": "é😀\\n\\t\\"q\\"", "big": 1e300}'), (2, '[]'), (3, NULL), (4, '"x"');

        CREATE TABLE auto_pos (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v CHAR(1)) AUTO_INCREMENT = 1000;
        INSERT INTO auto_pos (v) VALUES ('a'), ('b'), ('c');
        DELETE FROM auto_pos WHERE id = 1002;
        CREATE TABLE auto_empty (id INT AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT = 77;
        CREATE TABLE empty_one (id INT PRIMARY KEY, v VARCHAR(5));

        CREATE TABLE strings (id INT PRIMARY KEY, v VARCHAR(10), b VARBINARY(10), t TEXT, fixed CHAR(5), fixed_b BINARY(4));
        INSERT INTO strings VALUES (1, '', X'', '', '', X''), (2, NULL, NULL, NULL, NULL, NULL), (3, ' ', X'00', 'NULL', 'a', X'0001'),
          (4, '\\N', X'5C4E', '\t\n\r', '\\', X'FF');

        CREATE TABLE `select` (`from` INT PRIMARY KEY, `a b` VARCHAR(5), `we``ird` INT, `ü` INT, `Mixed Case` INT, `1starts_with_digit` INT);
        INSERT INTO `select` VALUES (1, 'x', 2, 3, 4, 5);
        CREATE TABLE `table with ``backtick`` and 'quote'` (id INT PRIMARY KEY, `"dq"` INT);
        INSERT INTO `table with ``backtick`` and 'quote'` VALUES (1, 2);

        CREATE ALGORITHM = MERGE VIEW checked_positive AS SELECT id, qty FROM checked WHERE qty > 0 WITH CASCADED CHECK OPTION;
        CREATE ALGORITHM = TEMPTABLE VIEW gen_summary AS SELECT COUNT(*) AS n, SUM(b) AS sum_b FROM gen;

        CREATE TABLE old_engine (id INT PRIMARY KEY, body TEXT, FULLTEXT KEY ft (body)) ENGINE = MyISAM;
        INSERT INTO old_engine VALUES (1, 'full text in myisam'), (2, NULL);
        CREATE TABLE aria_t (id INT PRIMARY KEY, v DOUBLE) ENGINE = Aria;
        INSERT INTO aria_t VALUES (1, -1.5e-10);
        CREATE TABLE defaults (
          id INT PRIMARY KEY, created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
          token CHAR(36) DEFAULT (UUID()), n INT DEFAULT (1 + 1), parent INT NULL,
          CONSTRAINT self_ref FOREIGN KEY (parent) REFERENCES defaults (id) ON DELETE SET NULL
        );
        INSERT INTO defaults (id, created, token, parent) VALUES (2, '2024-01-01 00:00:00.5', 'fixed', NULL), (1, '2024-01-02 00:00:00', NULL, 2);
        CREATE TABLE `ünïcode_表` (`ключ` INT PRIMARY KEY, `値` VARCHAR(10));
        INSERT INTO `ünïcode_表` VALUES (1, 'データ');

        CREATE VIEW `odd view ``q`` .x` AS SELECT `from`, `a b` FROM `select`;

        CREATE TABLE trig (id INT PRIMARY KEY, log VARCHAR(100) NOT NULL DEFAULT '');
        CREATE TRIGGER trig_bi_b BEFORE INSERT ON trig FOR EACH ROW SET NEW.log = CONCAT(NEW.log, 'b');
        CREATE TRIGGER trig_bi_c BEFORE INSERT ON trig FOR EACH ROW FOLLOWS trig_bi_b SET NEW.log = CONCAT(NEW.log, 'c');
        CREATE TRIGGER trig_bi_a BEFORE INSERT ON trig FOR EACH ROW PRECEDES trig_bi_b SET NEW.log = CONCAT(NEW.log, 'a');
        CREATE TRIGGER trig_bu BEFORE UPDATE ON trig FOR EACH ROW SET NEW.log = CONCAT(NEW.log, '+u');
        INSERT INTO trig (id) VALUES (1);
        UPDATE trig SET id = 2 WHERE id = 1;

        SET @saved_mode = @@sql_mode;
        SET sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES';
        CREATE DEFINER = 'corpus_nobody'@'localhost' FUNCTION ansi_concat(a VARCHAR(10), b VARCHAR(10)) RETURNS VARCHAR(20) DETERMINISTIC
          RETURN a || '\' || b;
        CREATE DEFINER = 'corpus_nobody'@'localhost' SQL SECURITY INVOKER VIEW ansi_view AS SELECT "id", 'x' || 'y' AS xy FROM "trig";
        SET sql_mode = 'TRADITIONAL';
        CREATE PROCEDURE strict_proc(IN n INT) MODIFIES SQL DATA COMMENT 'made under TRADITIONAL' INSERT INTO empty_one VALUES (n, 'p');
        SET sql_mode = @saved_mode;
        CREATE DEFINER = 'corpus_nobody'@'%' TRIGGER trig_ad AFTER DELETE ON trig FOR EACH ROW INSERT INTO empty_one VALUES (OLD.id, 'del');

        CREATE EVENT ev_disabled ON SCHEDULE EVERY 1 HOUR STARTS '2030-01-01 00:00:00' ENDS '2031-01-01 00:00:00'
          ON COMPLETION PRESERVE DISABLE COMMENT 'kept disabled' DO DELETE FROM empty_one;
        CREATE EVENT ev_once ON SCHEDULE AT '2035-06-01 12:00:00' ON COMPLETION PRESERVE ENABLE DO INSERT INTO empty_one VALUES (99, 'ev');
        """;
}
