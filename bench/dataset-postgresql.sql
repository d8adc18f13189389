-- Benchmark dataset for PostgreSQL, generated server-side (run by run.sh with psql -v for the row
-- counts). Deterministic: the same counts always give the same data, so checksums are comparable
-- between runs. Secondary indexes are created after the load because that is how a real bulk
-- load would do it, and it keeps the build quick.
\set ON_ERROR_STOP on
SET synchronous_commit = off;

CREATE TABLE customers (
    id         integer PRIMARY KEY,
    name       text NOT NULL,
    email      text NOT NULL,
    country    char(2) NOT NULL,
    created_at timestamptz NOT NULL,
    balance    numeric(12,2) NOT NULL
);
INSERT INTO customers
SELECT i,
       'Customer ' || i || ' ' || substr(md5(i::text), 1, 10),
       'user' || i || '@example.' || (ARRAY['com','org','net','de'])[1 + i % 4],
       (ARRAY['US','DE','FR','GB','JP','BR','IN','CA'])[1 + i % 8],
       timestamptz '2015-01-01 00:00:00+00' + i * interval '7 minutes 13 seconds',
       ((i::bigint * 7919) % 1000000) / 100.0
FROM generate_series(1, :customers) AS i;

CREATE TABLE products (
    id          integer PRIMARY KEY,
    sku         text NOT NULL,
    title       text NOT NULL,
    description text NOT NULL,
    price       numeric(10,2) NOT NULL,
    tags        jsonb NOT NULL
);
INSERT INTO products
SELECT i,
       'SKU-' || lpad(i::text, 8, '0'),
       (ARRAY['Blue','Red','Large','Small','Deluxe','Basic'])[1 + i % 6] || ' widget ' || substr(md5(i::text), 1, 6),
       repeat('Sturdy, reliable and made to last. ', 1 + i % 6) || md5(i::text) || ' ' || md5((i * 3)::text),
       ((i::bigint * 104729) % 100000) / 100.0,
       jsonb_build_object('tags', jsonb_build_array('t' || i % 17, 't' || i % 23), 'weight', (i % 5000) / 10.0, 'active', i % 11 <> 0)
FROM generate_series(1, :products) AS i;

-- The wide table: text, numeric, float, timestamps (one nullable), boolean and json.
CREATE TABLE orders (
    id          bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    product_id  integer NOT NULL,
    created_at  timestamptz NOT NULL,
    shipped_at  timestamptz,
    status      text NOT NULL,
    quantity    integer NOT NULL,
    amount      numeric(12,2) NOT NULL,
    discount    double precision NOT NULL,
    gift        boolean NOT NULL,
    note        text,
    attrs       jsonb NOT NULL
);
INSERT INTO orders
SELECT i,
       1 + (i * 7919) % :customers,
       1 + (i * 104729) % :products,
       t,
       CASE WHEN i % 10 = 0 THEN NULL ELSE t + (i % 96) * interval '1 hour' END,
       (ARRAY['new','paid','shipped','delivered','returned'])[1 + i % 5],
       1 + i % 9,
       ((i * 31337) % 5000000) / 100.0,
       (i % 997) / 7.0::float8,
       i % 13 = 0,
       CASE WHEN i % 7 = 0 THEN NULL
            ELSE (ARRAY['Leave at the door. ','Call before delivery. ','Gift wrap please. ','No note. '])[1 + i % 4]
                 || md5(i::text) || ' ' || substr(md5((i + 1)::text), 1, 16) END,
       jsonb_build_object('channel', (ARRAY['web','app','phone','store'])[1 + i % 4],
                          'coupon', substr(md5((i * 7)::text), 1, 8),
                          'items', 1 + i % 5,
                          'ref', md5((i * 11)::text))
FROM generate_series(1::bigint, :orders) AS i,
     LATERAL (SELECT timestamptz '2020-01-01 00:00:00+00' + i * interval '97 seconds') AS c(t);

CREATE TABLE events (
    id       bigint PRIMARY KEY,
    order_id bigint NOT NULL,
    kind     smallint NOT NULL,
    at       timestamp NOT NULL,
    payload  text NOT NULL
);
INSERT INTO events
SELECT i,
       1 + (i * 48271) % :orders,
       (i % 12)::smallint,
       timestamp '2020-01-01 00:00:00' + i * interval '61 seconds',
       'ev:' || substr(md5(i::text), 1, 24)
FROM generate_series(1::bigint, :events) AS i;

-- Binary payloads: a random (incompressible) part of 256..1008 bytes plus a compressible part;
-- every 100th row is a 64 KiB random blob, which PostgreSQL moves to TOAST.
CREATE TABLE attachments (
    id       integer PRIMARY KEY,
    order_id bigint NOT NULL,
    mime     text NOT NULL,
    content  bytea NOT NULL
);
INSERT INTO attachments
SELECT i,
       1 + (i * 7919) % :orders,
       (ARRAY['image/png','application/pdf','text/plain'])[1 + i % 3],
       decode((SELECT string_agg(md5(i || '-' || j), '') FROM generate_series(1, CASE WHEN i % 100 = 0 THEN 4096 ELSE 16 + i % 48 END) AS j), 'hex')
         || convert_to(repeat('lorem ipsum dolor sit amet ', 20), 'UTF8')
FROM generate_series(1, :attachments) AS i;

CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE INDEX orders_created_at_idx ON orders (created_at);
CREATE INDEX events_order_id_idx ON events (order_id);
ANALYZE;
