-- Benchmark dataset for MariaDB, generated server-side. run.sh sets @customers, @products,
-- @orders, @events and @attachments first. Rows are inserted in chunks of 100,000 from the
-- SEQUENCE engine (seq_1_to_100000) so no single transaction grows the undo log to gigabytes.
-- Mirrors dataset-postgresql.sql (the random bytes differ: RANDOM_BYTES is not seeded).
SET SESSION sql_log_bin = 0;
SET SESSION unique_checks = 0;

CREATE TABLE customers (
    id         INT NOT NULL PRIMARY KEY,
    name       VARCHAR(80) NOT NULL,
    email      VARCHAR(120) NOT NULL,
    country    CHAR(2) NOT NULL,
    created_at TIMESTAMP(6) NOT NULL,
    balance    DECIMAL(12,2) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE products (
    id          INT NOT NULL PRIMARY KEY,
    sku         VARCHAR(32) NOT NULL,
    title       VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    price       DECIMAL(10,2) NOT NULL,
    tags        JSON NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE orders (
    id          BIGINT NOT NULL PRIMARY KEY,
    customer_id INT NOT NULL,
    product_id  INT NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    shipped_at  DATETIME(6) NULL,
    status      VARCHAR(16) NOT NULL,
    quantity    INT NOT NULL,
    amount      DECIMAL(12,2) NOT NULL,
    discount    DOUBLE NOT NULL,
    gift        TINYINT(1) NOT NULL,
    note        TEXT NULL,
    attrs       JSON NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE events (
    id       BIGINT NOT NULL PRIMARY KEY,
    order_id BIGINT NOT NULL,
    kind     SMALLINT NOT NULL,
    at       DATETIME NOT NULL,
    payload  VARCHAR(40) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE attachments (
    id       INT NOT NULL PRIMARY KEY,
    order_id BIGINT NOT NULL,
    mime     VARCHAR(40) NOT NULL,
    content  LONGBLOB NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

DELIMITER //
CREATE PROCEDURE bench_fill()
BEGIN
    DECLARE base BIGINT DEFAULT 0;
    DECLARE k INT;
    DECLARE big LONGBLOB;

    SET base = 0;
    WHILE base < @customers DO
        INSERT INTO customers
        SELECT i, CONCAT('Customer ', i, ' ', LEFT(MD5(i), 10)),
               CONCAT('user', i, '@example.', ELT(1 + i % 4, 'com', 'org', 'net', 'de')),
               ELT(1 + i % 8, 'US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA'),
               TIMESTAMP'2015-01-01 00:00:00' + INTERVAL (i * 433) SECOND,
               ((i * 7919) % 1000000) / 100
        FROM (SELECT base + seq AS i FROM seq_1_to_100000) s WHERE i <= @customers;
        SET base = base + 100000;
    END WHILE;

    SET base = 0;
    WHILE base < @products DO
        INSERT INTO products
        SELECT i, CONCAT('SKU-', LPAD(i, 8, '0')),
               CONCAT(ELT(1 + i % 6, 'Blue', 'Red', 'Large', 'Small', 'Deluxe', 'Basic'), ' widget ', LEFT(MD5(i), 6)),
               CONCAT(REPEAT('Sturdy, reliable and made to last. ', 1 + i % 6), MD5(i), ' ', MD5(i * 3)),
               ((i * 104729) % 100000) / 100,
               JSON_OBJECT('tags', JSON_ARRAY(CONCAT('t', i % 17), CONCAT('t', i % 23)), 'weight', (i % 5000) / 10, 'active', i % 11 <> 0)
        FROM (SELECT base + seq AS i FROM seq_1_to_100000) s WHERE i <= @products;
        SET base = base + 100000;
    END WHILE;

    SET base = 0;
    WHILE base < @orders DO
        INSERT INTO orders
        SELECT i, 1 + (i * 7919) % @customers, 1 + (i * 104729) % @products, t,
               IF(i % 10 = 0, NULL, t + INTERVAL (i % 96) HOUR),
               ELT(1 + i % 5, 'new', 'paid', 'shipped', 'delivered', 'returned'),
               1 + i % 9,
               ((i * 31337) % 5000000) / 100,
               (i % 997) / 7e0,
               i % 13 = 0,
               IF(i % 7 = 0, NULL, CONCAT(ELT(1 + i % 4, 'Leave at the door. ', 'Call before delivery. ', 'Gift wrap please. ', 'No note. '),
                                         MD5(i), ' ', LEFT(MD5(i + 1), 16))),
               JSON_OBJECT('channel', ELT(1 + i % 4, 'web', 'app', 'phone', 'store'), 'coupon', LEFT(MD5(i * 7), 8),
                           'items', 1 + i % 5, 'ref', MD5(i * 11))
        FROM (SELECT base + seq AS i, TIMESTAMP'2020-01-01 00:00:00' + INTERVAL (base + seq) * 97 SECOND AS t
              FROM seq_1_to_100000) s WHERE i <= @orders;
        COMMIT;
        SET base = base + 100000;
    END WHILE;

    SET base = 0;
    WHILE base < @events DO
        INSERT INTO events
        SELECT i, 1 + (i * 48271) % @orders, i % 12,
               TIMESTAMP'2020-01-01 00:00:00' + INTERVAL (i * 61) SECOND,
               CONCAT('ev:', LEFT(MD5(i), 24))
        FROM (SELECT base + seq AS i FROM seq_1_to_100000) s WHERE i <= @events;
        COMMIT;
        SET base = base + 100000;
    END WHILE;

    SET base = 0;
    WHILE base < @attachments DO
        INSERT INTO attachments
        SELECT i, 1 + (i * 7919) % @orders, ELT(1 + i % 3, 'image/png', 'application/pdf', 'text/plain'),
               CONCAT(RANDOM_BYTES(256 + (i % 48) * 16), REPEAT('lorem ipsum dolor sit amet ', 20))
        FROM (SELECT base + seq AS i FROM seq_1_to_100000) s WHERE i <= @attachments;
        COMMIT;
        SET base = base + 100000;
    END WHILE;

    -- Every 100th attachment becomes a 64 KiB random blob (RANDOM_BYTES gives at most 1024 per call).
    SET base = 100;
    WHILE base <= @attachments DO
        SET big = '', k = 0;
        WHILE k < 64 DO
            SET big = CONCAT(big, RANDOM_BYTES(1024)), k = k + 1;
        END WHILE;
        UPDATE attachments SET content = CONCAT(big, REPEAT('lorem ipsum dolor sit amet ', 20)) WHERE id = base;
        SET base = base + 100;
    END WHILE;
    COMMIT;
END //
DELIMITER ;

CALL bench_fill();
DROP PROCEDURE bench_fill;

ALTER TABLE orders ADD INDEX orders_customer_id_idx (customer_id), ADD INDEX orders_created_at_idx (created_at);
ALTER TABLE events ADD INDEX events_order_id_idx (order_id);
ANALYZE TABLE customers, products, orders, events, attachments;
