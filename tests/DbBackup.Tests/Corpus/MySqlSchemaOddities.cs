namespace DbBackup.Tests.Corpus;

/// <summary>Schema an application or DBA writes that the other corpus databases lack: sequences used by
/// NEXT VALUE FOR defaults (and a descending cycling one after a wrap), application-time periods,
/// system-versioned tables partitioned BY SYSTEM_TIME and with explicit row start/end columns, LIST
/// COLUMNS / KEY / sub-partitioned tables, spatial and multi-column fulltext indexes, composite and
/// self-referencing foreign keys with ON UPDATE/DELETE actions, indexed virtual and persistent columns,
/// DEFAULT expressions (UUID(), JSON, NEXT VALUE FOR), ENUM/SET members that are empty or hold commas,
/// quotes and trailing spaces, table options (ROW_FORMAT, KEY_BLOCK_SIZE, PAGE_COMPRESSED, STATS_*,
/// Aria and MyISAM options, AUTO_INCREMENT above max+1 and after a deleted last row), a latin1 table
/// with ucs2/utf16le/binary/utf8mb3 columns, views on views with DEFINER, SQL SECURITY and LOCAL CHECK
/// OPTION, a compound procedure and function, ordered triggers, and DISABLE ON SLAVE / NOT PRESERVE
/// events.</summary>
internal static class MySqlSchemaOddities
{
    public const string Script = """
        CREATE SEQUENCE zz_ids START WITH 7 NOCACHE;
        CREATE SEQUENCE order_no START WITH 1000 INCREMENT BY 10 MINVALUE 1000 MAXVALUE 99999 CACHE 20;
        CREATE SEQUENCE ring START WITH 5 MINVALUE 1 MAXVALUE 6 INCREMENT BY -1 NOCACHE CYCLE;
        CREATE SEQUENCE unused_seq START WITH -5 MINVALUE -10 MAXVALUE 10 CACHE 2;
        CREATE TABLE a_first (id BIGINT NOT NULL DEFAULT (NEXT VALUE FOR zz_ids) PRIMARY KEY, prev BIGINT DEFAULT (PREVIOUS VALUE FOR zz_ids));
        CREATE TABLE orders (
          id INT NOT NULL DEFAULT (NEXT VALUE FOR order_no) PRIMARY KEY,
          placed TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
          ref CHAR(36) NOT NULL DEFAULT (UUID()),
          meta JSON NOT NULL DEFAULT (JSON_OBJECT('v', 1, 'tags', JSON_ARRAY())),
          status ENUM('', 'new', 'a,b', 'it''s', 'trail ', 'ÄÖ') NOT NULL DEFAULT 'new',
          flags SET('x', 'y y', 'z''q', 'ü') DEFAULT 'x,ü',
          y YEAR DEFAULT 2000,
          bits BIT(7) DEFAULT b'1010101'
        ) ENGINE=InnoDB ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8 STATS_PERSISTENT=1 STATS_AUTO_RECALC=0 STATS_SAMPLE_PAGES=32 COMMENT='orders ''quoted''';
        INSERT INTO orders (placed, ref) VALUES ('2024-03-01 10:00:00', 'r1'), ('2024-03-02 11:00:00', 'r2');
        INSERT INTO orders (id, placed, ref, status, flags, y, bits) VALUES (5, '2024-03-03 00:00:00', 'r3', '', '', 1901, b'0'),
          (6, '2024-03-03 00:00:01', 'r4', 'a,b', 'y y,z''q', 2155, NULL), (7, '2024-03-03 00:00:02', 'r5', 'it''s', NULL, NULL, b'1111111'),
          (8, '2024-03-03 00:00:03', 'r6', 'trail ', 'x,y y,z''q,ü', 0, b'1'), (9, '2024-03-03 00:00:04', 'r7', 'ÄÖ', 'ü', 69, b'1');
        INSERT INTO a_first () VALUES (), ();
        SELECT NEXTVAL(ring), NEXTVAL(ring), NEXTVAL(ring), NEXTVAL(ring), NEXTVAL(ring), NEXTVAL(ring);
        CREATE TABLE booking (
          id INT NOT NULL, room INT NOT NULL, starts DATE NOT NULL, ends DATE NOT NULL,
          PERIOD FOR stay (starts, ends), PRIMARY KEY (id, starts, ends)
        );
        INSERT INTO booking VALUES (1, 101, '2024-01-01', '2024-01-10');
        UPDATE booking FOR PORTION OF stay FROM '2024-01-03' TO '2024-01-05' SET room = 102;
        CREATE TABLE audit_v (id INT PRIMARY KEY, v VARCHAR(10), nv INT WITHOUT SYSTEM VERSIONING) WITH SYSTEM VERSIONING
          PARTITION BY SYSTEM_TIME (PARTITION p_hist HISTORY, PARTITION p_cur CURRENT);
        INSERT INTO audit_v VALUES (1, 'one', 1), (2, 'two', 2);
        UPDATE audit_v SET v = 'uno' WHERE id = 1;
        CREATE TABLE explicit_v (id INT PRIMARY KEY, v INT,
          rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE, re TIMESTAMP(6) GENERATED ALWAYS AS ROW END INVISIBLE,
          PERIOD FOR SYSTEM_TIME (rs, re)) WITH SYSTEM VERSIONING;
        INSERT INTO explicit_v VALUES (1, 10);
        CREATE TABLE listed (id INT NOT NULL, region CHAR(2) NOT NULL, amount DECIMAL(12,2), PRIMARY KEY (id, region))
          PARTITION BY LIST COLUMNS (region) (PARTITION p_eu VALUES IN ('DE', 'FR') COMMENT 'europe', PARTITION p_us VALUES IN ('US'), PARTITION p_other DEFAULT);
        INSERT INTO listed VALUES (1, 'DE', 1.50), (2, 'US', NULL), (3, 'JP', -3.25);
        CREATE TABLE keyed (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(5)) PARTITION BY KEY (id) PARTITIONS 4;
        INSERT INTO keyed VALUES (1, 'a'), (2, 'b'), (3, 'c'), (10, 'd');
        CREATE TABLE subparted (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d))
          PARTITION BY RANGE (YEAR(d)) SUBPARTITION BY HASH (TO_DAYS(d)) SUBPARTITIONS 2
          (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (2020), PARTITION p2 VALUES LESS THAN MAXVALUE);
        INSERT INTO subparted VALUES (1, '1999-12-31'), (2, '2010-06-15'), (3, '2030-01-01');
        CREATE TABLE places (id INT PRIMARY KEY, name VARCHAR(40), pt POINT REF_SYSTEM_ID=4326 NOT NULL, area POLYGON,
          body TEXT, SPATIAL INDEX sp_pt (pt), FULLTEXT INDEX ft_name_body (name, body)) ENGINE=InnoDB;
        INSERT INTO places VALUES (1, 'Origin', ST_GeomFromText('POINT(0 0)', 4326), ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), 'zero point'),
          (2, 'Edge', ST_GeomFromText('POINT(-179.999999 89.5)', 4326), NULL, NULL);
        CREATE TABLE parent (a INT NOT NULL, b INT NOT NULL, label VARCHAR(10), PRIMARY KEY (a, b)) ENGINE=InnoDB;
        CREATE TABLE child (id INT PRIMARY KEY, pa INT, pb INT, boss INT,
          CONSTRAINT fk_parent FOREIGN KEY (pa, pb) REFERENCES parent (a, b) ON UPDATE CASCADE ON DELETE RESTRICT,
          CONSTRAINT fk_boss FOREIGN KEY (boss) REFERENCES child (id) ON DELETE CASCADE ON UPDATE NO ACTION);
        INSERT INTO parent VALUES (1, 1, 'p'), (1, 2, 'q');
        INSERT INTO child VALUES (1, 1, 1, NULL), (2, 1, 2, 1), (3, NULL, NULL, 2);
        UPDATE parent SET b = 3 WHERE b = 2;
        CREATE TABLE gen2 (id INT PRIMARY KEY, price DECIMAL(10,2), qty INT, total DECIMAL(12,2) AS (price * qty) PERSISTENT,
          label VARCHAR(30) AS (CONCAT_WS('/', id, qty)) VIRTUAL, j JSON, jv VARCHAR(10) AS (JSON_VALUE(j, '$.k')) VIRTUAL,
          UNIQUE KEY uq_total (total, id), KEY ix_jv (jv), CONSTRAINT total_sane CHECK (total IS NULL OR total < 1000000)) ENGINE=InnoDB;
        INSERT INTO gen2 (id, price, qty, j) VALUES (1, 2.50, 4, '{"k":"a"}'), (2, NULL, 1, NULL);
        CREATE TABLE aria_opts (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=Aria TRANSACTIONAL=1 PAGE_CHECKSUM=1 ROW_FORMAT=PAGE;
        INSERT INTO aria_opts VALUES (1, 'a');
        CREATE TABLE myisam_opts (id INT AUTO_INCREMENT PRIMARY KEY, v CHAR(10)) ENGINE=MyISAM ROW_FORMAT=FIXED CHECKSUM=1 DELAY_KEY_WRITE=1 PACK_KEYS=1 AUTO_INCREMENT=500;
        INSERT INTO myisam_opts (v) VALUES ('a'), ('b');
        CREATE TABLE compressed_page (id INT PRIMARY KEY, v TEXT) ENGINE=InnoDB PAGE_COMPRESSED=1 PAGE_COMPRESSION_LEVEL=3;
        INSERT INTO compressed_page VALUES (1, REPEAT('abc', 100));
        CREATE TABLE ai_gap (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
        INSERT INTO ai_gap (v) VALUES (1), (2), (3);
        DELETE FROM ai_gap WHERE id = 3;
        CREATE TABLE latin_default (id INT PRIMARY KEY, a VARCHAR(10), b VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
          c CHAR(4) CHARACTER SET ucs2, d VARCHAR(10) CHARACTER SET utf16le, e VARBINARY(10), f TEXT CHARACTER SET binary,
          g VARCHAR(10) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin) DEFAULT CHARSET=latin1 COLLATE=latin1_bin;
        INSERT INTO latin_default VALUES (1, 'café', '𝄞 ', 'ab', 'ü€', X'00FF', X'0A0D', 'é '), (2, '', '', '', '', '', '', '');
        CREATE DEFINER = 'root'@'localhost' SQL SECURITY DEFINER VIEW v_orders AS SELECT id, status, flags FROM orders WHERE status <> '';
        CREATE ALGORITHM = MERGE VIEW v_orders_new AS SELECT id, status FROM v_orders WHERE status = 'new' WITH LOCAL CHECK OPTION;
        CREATE VIEW v_union (k, src) AS SELECT id, 'o' FROM orders UNION ALL SELECT id, 'g' FROM gen2;
        DELIMITER ;;
        CREATE DEFINER = 'corpus_nobody'@'localhost' PROCEDURE add_order(IN r CHAR(36), OUT new_id INT)
          MODIFIES SQL DATA SQL SECURITY INVOKER COMMENT 'adds ''one'' order'
        BEGIN
          DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
          INSERT INTO orders (ref) VALUES (r);
          SET new_id = LASTVAL(order_no);
        END;;
        CREATE FUNCTION ring_label(n INT) RETURNS VARCHAR(20) CHARSET latin1 NOT DETERMINISTIC READS SQL DATA
        BEGIN
          RETURN CONCAT('ring-', n, '-', (SELECT COUNT(*) FROM orders));
        END;;
        CREATE TRIGGER orders_bu1 BEFORE UPDATE ON orders FOR EACH ROW BEGIN IF NEW.status = '' THEN SET NEW.status = 'new'; END IF; END;;
        CREATE TRIGGER orders_bu0 BEFORE UPDATE ON orders FOR EACH ROW PRECEDES orders_bu1 SET NEW.y = IFNULL(NEW.y, 1999);;
        CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW INSERT INTO ai_gap (v) VALUES (NEW.id);;
        DELIMITER ;
        CREATE EVENT ev_slave ON SCHEDULE EVERY 1 DAY STARTS '2031-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE ON SLAVE DO DELETE FROM ai_gap WHERE v < 0;
        CREATE EVENT ev_notpreserve ON SCHEDULE EVERY 5 MINUTE STARTS '2032-02-02 02:02:02' ON COMPLETION NOT PRESERVE DISABLE COMMENT 'a ''note''' DO UPDATE ai_gap SET v = v + 1;
        CREATE TABLE `weird name ``x`` ü` (`select` INT PRIMARY KEY, `key` VARCHAR(5), ` lead` INT, `€uro` INT);
        INSERT INTO `weird name ``x`` ü` VALUES (1, 'k', 2, 3);
        """;
}
