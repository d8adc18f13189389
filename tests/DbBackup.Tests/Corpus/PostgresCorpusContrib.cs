namespace DbBackup.Tests.Corpus;

/// <summary>A database written the way an application team using contrib extensions would: every
/// extension in a schema of its own (btree_gist, btree_gin, cube, earthdistance, isn, intarray,
/// uuid-ossp, pgcrypto, seg, pg_trgm, unaccent, citext, hstore, ltree) used in columns, defaults,
/// generated columns and GIN/GiST indexes; an exclusion constraint; text search dictionaries and
/// configurations; enums with values added out of order, multiranges, domains and composites (one with
/// a dropped attribute) in arrays; identity with custom options and a restarted value; sequences owned
/// by columns and unlogged; per-column storage, compression, statistics and n_distinct; reloptions
/// (toast ones too), REPLICA IDENTITY FULL, CLUSTER ON; expression statistics; aggregates, operators,
/// casts, functions with SET clauses, procedures; constraint, ALWAYS, REPLICA, disabled, WHEN and
/// transition-table triggers; security_barrier / check option / security_invoker / recursive views;
/// partitions attached, detached, sub-partitioned by hash, a partitioned index attached by hand and a
/// foreign key into the tree; multiple inheritance with a column added to a parent later; RLS with a
/// restrictive policy; publications by schema and with column lists and row filters; default
/// privileges, column privileges; a clustered materialized view; an empty large object.</summary>
internal static class PostgresCorpusContrib
{
    public const string Sql = """
        CREATE SCHEMA ext;
        CREATE EXTENSION btree_gist SCHEMA ext;
        CREATE EXTENSION btree_gin SCHEMA ext;
        CREATE EXTENSION cube SCHEMA ext;
        CREATE EXTENSION earthdistance SCHEMA ext;
        CREATE EXTENSION isn SCHEMA ext;
        CREATE EXTENSION intarray SCHEMA ext;
        CREATE EXTENSION "uuid-ossp" SCHEMA ext;
        CREATE EXTENSION pgcrypto SCHEMA ext;
        CREATE EXTENSION seg SCHEMA ext;
        CREATE EXTENSION pg_trgm SCHEMA ext;
        CREATE EXTENSION unaccent SCHEMA ext;
        CREATE EXTENSION citext SCHEMA ext;
        CREATE EXTENSION hstore SCHEMA ext;
        CREATE EXTENSION ltree SCHEMA ext;
        CREATE EXTENSION dict_int;
        CREATE EXTENSION tablefunc;
        COMMENT ON SCHEMA ext IS 'extensions live here';

        CREATE SCHEMA shop;
        CREATE TYPE shop.mood AS ENUM ('sad', 'happy');
        -- Labels added in the setup's own transaction cannot be stored there yet (55P04): rows use the first ones.
        ALTER TYPE shop.mood ADD VALUE 'ok' BEFORE 'happy';
        ALTER TYPE shop.mood ADD VALUE 'ecstatic';
        ALTER TYPE shop.mood RENAME VALUE 'happy' TO 'happy 😀';
        CREATE TYPE shop.pricerange AS RANGE (subtype = numeric, multirange_type_name = shop.pricemultirange);
        CREATE DOMAIN shop.sku AS text COLLATE "C" CONSTRAINT sku_form CHECK (VALUE ~ '^[A-Z]{3}-[0-9]+$') CONSTRAINT sku_len CHECK (length(VALUE) < 20);
        COMMENT ON CONSTRAINT sku_form ON DOMAIN shop.sku IS 'three letters, a dash, digits';
        CREATE DOMAIN shop.percent AS numeric(5,2) DEFAULT 0 CHECK (VALUE BETWEEN 0 AND 100);
        CREATE TYPE shop.dim AS (w numeric, h numeric, unit text, dropped_later int);
        ALTER TYPE shop.dim DROP ATTRIBUTE dropped_later;
        CREATE TYPE shop.money_pair AS (amount numeric, currency char(3));

        CREATE TABLE shop.product (
            id int GENERATED ALWAYS AS IDENTITY (START WITH 5 INCREMENT BY 5 MINVALUE 5 MAXVALUE 100000 CACHE 10 CYCLE) PRIMARY KEY,
            sku shop.sku NOT NULL,
            isbn ext.isbn13 UNIQUE,
            ean ext.ean13,
            name ext.citext NOT NULL,
            attrs ext.hstore,
            cat ext.ltree,
            pos ext.cube,
            tolerance ext.seg,
            tags int[],
            moods shop.mood[],
            dims shop.dim[],
            prices shop.pricemultirange,
            discounts shop.percent[],
            skus shop.sku[],
            token uuid NOT NULL DEFAULT ext.uuid_generate_v4(),
            secret text DEFAULT ext.crypt('x', ext.gen_salt('md5')),
            name_digest bytea GENERATED ALWAYS AS (ext.digest(name::text, 'sha256')) STORED,
            body text,
            tsv tsvector,
            created timestamptz NOT NULL DEFAULT now());
        INSERT INTO shop.product (sku, isbn, ean, name, attrs, cat, pos, tolerance, tags, moods, dims, prices, discounts, skus, body, tsv)
        SELECT 'ABC-' || i, ('9780000000' || lpad(i::text, 2, '0') || ((10 - (38 + i / 10 + 3 * (i % 10)) % 10) % 10))::ext.isbn13, NULL, 'Widget ' || i, ext.hstore('color', 'c' || i % 4),
               ('shop.tools.t' || i % 3)::ext.ltree, ext.cube(ARRAY[i, i * 2]), (i || ' .. ' || i + 1)::ext.seg, ARRAY[i, i + 1, i * 3],
               ARRAY['sad', 'happy 😀', NULL]::shop.mood[], ARRAY[ROW(i, i * 1.5, 'cm')::shop.dim], ('{[1,' || i + 2 || '), [50,60]}')::shop.pricemultirange,
               ARRAY[10.5, i]::shop.percent[], ARRAY['XYZ-' || i]::shop.sku[], 'Crème brûlée number ' || i, to_tsvector('french', 'Les crèmes brûlées ' || i)
        FROM generate_series(1, 30) i;
        ALTER TABLE shop.product ALTER COLUMN id RESTART WITH 777;
        CREATE INDEX product_tags ON shop.product USING gist (tags ext.gist__int_ops);
        CREATE INDEX product_name_trgm ON shop.product USING gist (name ext.gist_trgm_ops);
        CREATE INDEX product_body_trgm ON shop.product USING gin (body ext.gin_trgm_ops) WITH (fastupdate = off);
        CREATE INDEX product_pos ON shop.product USING gist (pos);
        CREATE INDEX product_cat ON shop.product USING gist (cat);
        CREATE INDEX product_attrs ON shop.product USING gin (attrs);
        CREATE INDEX product_tsv ON shop.product USING gin (tsv);
        CREATE INDEX product_btree_gin ON shop.product USING gin (id, tsv);
        CREATE INDEX product_lower ON shop.product (lower(body) text_pattern_ops) WHERE body IS NOT NULL;
        CREATE INDEX product_cover ON shop.product (sku) INCLUDE (name) WITH (fillfactor = 60, deduplicate_items = off);
        ALTER TABLE shop.product ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN body SET COMPRESSION lz4,
            ALTER COLUMN name SET STATISTICS 1000, ALTER COLUMN sku SET (n_distinct = -0.5);
        ALTER TABLE shop.product SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05, toast.autovacuum_enabled = false);
        ALTER TABLE shop.product REPLICA IDENTITY FULL;
        ALTER TABLE shop.product CLUSTER ON product_cover;
        CREATE STATISTICS shop.product_expr_stats (mcv) ON lower(body), (id % 7) FROM shop.product;
        ALTER STATISTICS shop.product_expr_stats SET STATISTICS 300;

        CREATE TABLE shop.room_booking (
            id uuid PRIMARY KEY DEFAULT ext.gen_random_uuid(), room int NOT NULL, during tstzrange NOT NULL, who text,
            CONSTRAINT no_double_booking EXCLUDE USING gist (room WITH =, during WITH &&) DEFERRABLE INITIALLY IMMEDIATE);
        INSERT INTO shop.room_booking (room, during, who)
        SELECT i % 5, tstzrange(timestamptz '2024-03-30 12:00+00' + (i / 5) * interval '1 day', timestamptz '2024-03-30 12:00+00' + (i / 5) * interval '1 day' + interval '3 hours'), 'guest ' || i
        FROM generate_series(0, 39) i;

        CREATE TEXT SEARCH DICTIONARY shop.unaccent_fr (TEMPLATE = ext.unaccent, RULES = 'unaccent');
        CREATE TEXT SEARCH CONFIGURATION shop.fr_unaccent (COPY = pg_catalog.french);
        ALTER TEXT SEARCH CONFIGURATION shop.fr_unaccent ALTER MAPPING FOR hword, hword_part, word WITH shop.unaccent_fr, french_stem;
        CREATE TEXT SEARCH DICTIONARY shop.short_ints (TEMPLATE = intdict_template, MAXLEN = 4, REJECTLONG = true);
        COMMENT ON TEXT SEARCH CONFIGURATION shop.fr_unaccent IS 'French without accents';
        CREATE TABLE shop.article (id int PRIMARY KEY, title text, body text,
            search tsvector GENERATED ALWAYS AS (to_tsvector('shop.fr_unaccent'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))) STORED);
        INSERT INTO shop.article (id, title, body) SELECT i, 'Élève ' || i, repeat('café crème ', i) FROM generate_series(1, 12) i;
        CREATE INDEX article_search ON shop.article USING gin (search);

        CREATE FUNCTION shop.concat_sep(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN a IS NULL THEN b ELSE a || ',' || b END $$;
        CREATE AGGREGATE shop.csv_agg(text) (SFUNC = shop.concat_sep, STYPE = text);
        COMMENT ON AGGREGATE shop.csv_agg(text) IS 'comma-separated';
        CREATE FUNCTION shop.approx_eq(a numeric, b numeric) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS 'SELECT abs(a - b) < 0.01';
        CREATE OPERATOR shop.~= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = shop.approx_eq, COMMUTATOR = OPERATOR(shop.~=));
        COMMENT ON OPERATOR shop.~= (numeric, numeric) IS 'about equal';
        CREATE FUNCTION shop.pair_text(p shop.money_pair) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT p.amount || ' ' || p.currency $$;
        CREATE CAST (shop.money_pair AS text) WITH FUNCTION shop.pair_text(shop.money_pair) AS ASSIGNMENT;
        COMMENT ON CAST (shop.money_pair AS text) IS 'a cast';
        CREATE FUNCTION shop.price_of(p int) RETURNS numeric LANGUAGE plpgsql STABLE PARALLEL SAFE COST 50
            SET search_path = shop, ext, pg_temp SET work_mem = '8MB' SET statement_timeout = 0
            AS $$ BEGIN RETURN p * 1.5; END $$;
        CREATE PROCEDURE shop.restock(IN p int, INOUT n int DEFAULT 0) LANGUAGE plpgsql SET search_path = shop
            AS $$ BEGIN n := n + p; END $$;
        CREATE FUNCTION shop.not_too_many() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF (SELECT count(*) FROM shop.room_booking) > 1000 THEN RAISE EXCEPTION 'too many'; END IF; RETURN NULL; END $$;
        CREATE CONSTRAINT TRIGGER booking_limit AFTER INSERT ON shop.room_booking DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION shop.not_too_many();
        CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created := now(); RETURN NEW; END $$;
        CREATE TRIGGER product_touch_always BEFORE UPDATE ON shop.product FOR EACH ROW WHEN (OLD.body IS DISTINCT FROM NEW.body) EXECUTE FUNCTION shop.touch();
        ALTER TABLE shop.product ENABLE ALWAYS TRIGGER product_touch_always;
        CREATE TRIGGER product_touch_replica BEFORE INSERT ON shop.product FOR EACH ROW EXECUTE FUNCTION shop.touch();
        ALTER TABLE shop.product ENABLE REPLICA TRIGGER product_touch_replica;
        CREATE TRIGGER product_touch_disabled BEFORE DELETE ON shop.product FOR EACH ROW EXECUTE FUNCTION shop.touch();
        ALTER TABLE shop.product DISABLE TRIGGER product_touch_disabled;
        CREATE TRIGGER booking_stmt AFTER UPDATE ON shop.room_booking REFERENCING NEW TABLE AS newrows FOR EACH STATEMENT EXECUTE FUNCTION shop.not_too_many();

        CREATE VIEW shop.cheap WITH (security_barrier = true, check_option = cascaded) AS
            SELECT id, sku, name, body FROM shop.product WHERE id < 100;
        CREATE VIEW shop.cheap_invoker WITH (security_invoker = true) AS SELECT id, name FROM shop.cheap WHERE name ~ '1';
        CREATE RECURSIVE VIEW shop.counter (n) AS VALUES (1) UNION ALL SELECT n + 1 FROM counter WHERE n < 5;

        CREATE TABLE shop.sales (id bigint NOT NULL, sold date NOT NULL, region text NOT NULL, amount numeric(12,2)) PARTITION BY RANGE (sold);
        CREATE TABLE shop.sales_2023 PARTITION OF shop.sales FOR VALUES FROM ('2023-01-01') TO ('2024-01-01') PARTITION BY HASH (id);
        CREATE TABLE shop.sales_2023_h0 PARTITION OF shop.sales_2023 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
        CREATE TABLE shop.sales_2023_h1 PARTITION OF shop.sales_2023 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
        CREATE TABLE shop.sales_default PARTITION OF shop.sales DEFAULT;
        CREATE TABLE shop.sales_2024 (LIKE shop.sales INCLUDING ALL);
        ALTER TABLE shop.sales ATTACH PARTITION shop.sales_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE shop.sales_2022 PARTITION OF shop.sales FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
        INSERT INTO shop.sales SELECT i, date '2022-06-01' + i * 3, (ARRAY['n', 's'])[1 + i % 2], i * 2.5 FROM generate_series(1, 400) i;
        ALTER TABLE shop.sales DETACH PARTITION shop.sales_2022;
        CREATE INDEX sales_region ON ONLY shop.sales (region);
        CREATE INDEX sales_2024_region ON shop.sales_2024 (region);
        ALTER INDEX shop.sales_region ATTACH PARTITION shop.sales_2024_region;
        ALTER TABLE shop.sales ADD CONSTRAINT sales_pk PRIMARY KEY (id, sold);
        CREATE TABLE shop.sale_line (sale_id bigint, sold date, line int, FOREIGN KEY (sale_id, sold) REFERENCES shop.sales ON DELETE CASCADE);
        INSERT INTO shop.sale_line SELECT id, sold, 1 FROM shop.sales WHERE id % 10 = 0;

        CREATE TABLE shop.has_name (name text NOT NULL DEFAULT 'n', note text);
        CREATE TABLE shop.has_price (price numeric CHECK (price >= 0), note text);
        CREATE TABLE shop.named_priced (extra int) INHERITS (shop.has_name, shop.has_price);
        ALTER TABLE shop.has_name ADD COLUMN added_later int DEFAULT 7;
        INSERT INTO shop.has_name VALUES ('a', 'own', 1);
        INSERT INTO shop.named_priced (name, note, price, extra, added_later) VALUES ('b', 'child', 2.5, 1, 9), ('c', NULL, 0, 2, NULL);

        CREATE SEQUENCE shop.owned_seq AS smallint INCREMENT BY -2 MINVALUE -1000 MAXVALUE 10 START WITH 9 CACHE 3;
        CREATE TABLE shop.ticket (n smallint DEFAULT nextval('shop.owned_seq'), note text);
        ALTER SEQUENCE shop.owned_seq OWNED BY shop.ticket.n;
        INSERT INTO shop.ticket (note) SELECT 't' || i FROM generate_series(1, 6) i;
        CREATE UNLOGGED SEQUENCE shop.unlogged_seq;
        SELECT setval('shop.unlogged_seq', 17, false);

        CREATE TABLE shop.ledger (id int PRIMARY KEY, amount numeric) WITH (fillfactor = 50, autovacuum_enabled = false, parallel_workers = 2);
        INSERT INTO shop.ledger SELECT i, i FROM generate_series(1, 20) i;
        CLUSTER shop.ledger USING ledger_pkey;
        ALTER TABLE shop.ledger ALTER COLUMN amount SET STORAGE MAIN;

        ALTER TABLE shop.room_booking ENABLE ROW LEVEL SECURITY;
        CREATE POLICY guests ON shop.room_booking AS RESTRICTIVE FOR UPDATE USING (who LIKE 'guest%');
        CREATE POLICY everyone ON shop.room_booking USING (true);

        CREATE PUBLICATION pub_shop FOR TABLES IN SCHEMA shop WITH (publish_via_partition_root = true);
        CREATE PUBLICATION pub_filtered FOR TABLE shop.product (id, sku, name) WHERE (id > 10), shop.ledger;

        ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
        ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT USAGE ON SEQUENCES TO PUBLIC;
        ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT SELECT ON TABLES TO PUBLIC;
        GRANT SELECT (id, sku), REFERENCES (id) ON shop.product TO PUBLIC;
        GRANT USAGE ON SCHEMA shop TO PUBLIC;
        GRANT USAGE ON TYPE shop.mood TO PUBLIC;
        REVOKE ALL ON SCHEMA public FROM PUBLIC;

        CREATE MATERIALIZED VIEW shop.product_count WITH (fillfactor = 90) AS SELECT cat, count(*) AS n FROM shop.product GROUP BY cat WITH DATA;
        CREATE UNIQUE INDEX product_count_cat ON shop.product_count (cat);
        CLUSTER shop.product_count USING product_count_cat;

        SELECT lo_create(0);
        """;
}
