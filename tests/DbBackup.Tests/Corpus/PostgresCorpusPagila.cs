namespace DbBackup.Tests.Corpus;

/// <summary>A small database shaped like the public pagila sample (film rental): domains, enum types,
/// arrays, tsvector with a GIN index, last_update triggers, payments partitioned by month, views, a
/// materialized view, functions in plpgsql and sql. Written here from the shape of that schema, with
/// generated rows; nothing is copied from it.</summary>
internal static class PostgresCorpusPagila
{
    public const string Sql = """
        CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
        CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');
        CREATE FUNCTION last_updated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.last_update = CURRENT_TIMESTAMP; RETURN NEW; END $$;

        CREATE TABLE language (language_id serial PRIMARY KEY, name character(20) NOT NULL,
            last_update timestamptz DEFAULT now() NOT NULL);
        CREATE TABLE actor (actor_id serial PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL,
            last_update timestamptz DEFAULT now() NOT NULL);
        CREATE INDEX idx_actor_last_name ON actor (last_name);
        CREATE TABLE category (category_id serial PRIMARY KEY, name text NOT NULL, last_update timestamptz DEFAULT now() NOT NULL);
        CREATE TABLE film (
            film_id serial PRIMARY KEY, title text NOT NULL, description text, release_year year,
            language_id integer NOT NULL REFERENCES language ON UPDATE CASCADE ON DELETE RESTRICT,
            rental_duration smallint DEFAULT 3 NOT NULL, rental_rate numeric(4,2) DEFAULT 4.99 NOT NULL,
            length smallint, replacement_cost numeric(5,2) DEFAULT 19.99 NOT NULL, rating mpaa_rating DEFAULT 'G',
            last_update timestamptz DEFAULT now() NOT NULL, special_features text[],
            fulltext tsvector NOT NULL);
        CREATE INDEX film_fulltext_idx ON film USING gin (fulltext);
        CREATE INDEX idx_title ON film (title);
        CREATE TABLE film_actor (actor_id integer NOT NULL REFERENCES actor ON UPDATE CASCADE ON DELETE RESTRICT,
            film_id integer NOT NULL REFERENCES film ON UPDATE CASCADE ON DELETE RESTRICT,
            last_update timestamptz DEFAULT now() NOT NULL, PRIMARY KEY (actor_id, film_id));
        CREATE TABLE film_category (film_id integer NOT NULL REFERENCES film, category_id integer NOT NULL REFERENCES category,
            last_update timestamptz DEFAULT now() NOT NULL, PRIMARY KEY (film_id, category_id));
        CREATE TABLE customer (customer_id serial PRIMARY KEY, first_name text NOT NULL, last_name text NOT NULL,
            email text, activebool boolean DEFAULT true NOT NULL, create_date date DEFAULT CURRENT_DATE NOT NULL,
            last_update timestamptz DEFAULT now(), active integer);
        CREATE TABLE inventory (inventory_id serial PRIMARY KEY, film_id integer NOT NULL REFERENCES film, store_id integer NOT NULL,
            last_update timestamptz DEFAULT now() NOT NULL);
        CREATE TABLE rental (rental_id serial PRIMARY KEY, rental_date timestamptz NOT NULL,
            inventory_id integer NOT NULL REFERENCES inventory, customer_id integer NOT NULL REFERENCES customer,
            return_date timestamptz, last_update timestamptz DEFAULT now() NOT NULL);
        CREATE UNIQUE INDEX idx_unq_rental ON rental (rental_date, inventory_id, customer_id);
        CREATE TABLE payment (payment_id serial NOT NULL, customer_id integer NOT NULL REFERENCES customer,
            rental_id integer NOT NULL REFERENCES rental, amount numeric(5,2) NOT NULL, payment_date timestamptz NOT NULL,
            PRIMARY KEY (payment_date, payment_id)) PARTITION BY RANGE (payment_date);
        CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2022-02-01 00:00:00+00');
        CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01 00:00:00+00') TO ('2022-03-01 00:00:00+00');
        CREATE TABLE payment_p2022_03 PARTITION OF payment FOR VALUES FROM ('2022-03-01 00:00:00+00') TO ('2022-04-01 00:00:00+00');
        CREATE INDEX idx_fk_payment_customer ON payment (customer_id);

        CREATE TRIGGER last_updated BEFORE UPDATE ON actor FOR EACH ROW EXECUTE FUNCTION last_updated();
        CREATE TRIGGER last_updated BEFORE UPDATE ON film FOR EACH ROW EXECUTE FUNCTION last_updated();
        CREATE TRIGGER last_updated BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION last_updated();
        CREATE TRIGGER film_fulltext_trigger BEFORE INSERT OR UPDATE ON film FOR EACH ROW
            EXECUTE FUNCTION tsvector_update_trigger(fulltext, 'pg_catalog.english', title, description);

        INSERT INTO language (name, last_update) VALUES ('English', '2022-01-01'), ('Italian', '2022-01-01'), ('Japanese', '2022-01-01');
        INSERT INTO actor (first_name, last_name, last_update)
            SELECT 'First' || i, (ARRAY['Guiness', 'Wahlberg', 'Chase', 'Davis', 'Lollobrigida'])[1 + i % 5], timestamptz '2022-01-01' + i * interval '1 hour'
            FROM generate_series(1, 60) i;
        INSERT INTO category (name, last_update) SELECT c, '2022-01-01' FROM unnest(ARRAY['Action', 'Animation', 'Comedy', 'Drama', 'Sci-Fi']) c;
        INSERT INTO film (title, description, release_year, language_id, length, rating, special_features, last_update)
            SELECT 'FILM ' || i, 'A ' || (ARRAY['Epic', 'Astounding', 'Boring', 'Touching'])[1 + i % 4] || ' story of a dentist and a moose in ' || i,
                   2000 + i % 20, 1 + i % 3, 40 + i % 120, (enum_range(NULL::mpaa_rating))[1 + i % 5],
                   CASE WHEN i % 3 = 0 THEN ARRAY['Trailers', 'Deleted Scenes'] WHEN i % 3 = 1 THEN ARRAY['Commentaries'] END,
                   timestamptz '2022-01-01' + i * interval '1 minute'
            FROM generate_series(1, 120) i;
        INSERT INTO film_actor (actor_id, film_id, last_update) SELECT 1 + (f * 7 + k) % 60, f, '2022-01-01' FROM generate_series(1, 120) f, generate_series(0, 2) k;
        INSERT INTO film_category (film_id, category_id, last_update) SELECT f, 1 + f % 5, '2022-01-01' FROM generate_series(1, 120) f;
        INSERT INTO customer (first_name, last_name, email, create_date, last_update, active)
            SELECT 'Cust' || i, 'Omer' || i, CASE WHEN i % 9 <> 0 THEN 'c' || i || '@example.org' END, date '2021-06-01' + i, '2022-01-01', i % 2
            FROM generate_series(1, 80) i;
        INSERT INTO inventory (film_id, store_id, last_update) SELECT 1 + i % 120, 1 + i % 2, '2022-01-01' FROM generate_series(1, 300) i;
        INSERT INTO rental (rental_date, inventory_id, customer_id, return_date, last_update)
            SELECT timestamptz '2022-01-01' + i * interval '5 hours', 1 + i % 300, 1 + i % 80,
                   CASE WHEN i % 10 <> 0 THEN timestamptz '2022-01-03' + i * interval '5 hours' END, '2022-01-01'
            FROM generate_series(1, 400) i;
        INSERT INTO payment (customer_id, rental_id, amount, payment_date)
            SELECT r.customer_id, r.rental_id, 0.99 + (r.rental_id % 5) * 2, r.rental_date + interval '1 hour' FROM rental r
            WHERE r.rental_date < '2022-03-31';

        CREATE VIEW actor_info AS
            SELECT a.actor_id, a.first_name, a.last_name,
                   string_agg(DISTINCT c.name, ', ' ORDER BY c.name) AS categories
            FROM actor a LEFT JOIN film_actor fa ON fa.actor_id = a.actor_id
            LEFT JOIN film_category fc ON fc.film_id = fa.film_id LEFT JOIN category c ON c.category_id = fc.category_id
            GROUP BY a.actor_id, a.first_name, a.last_name;
        CREATE VIEW sales_by_category AS
            SELECT c.name AS category, sum(p.amount) AS total_sales
            FROM payment p JOIN rental r ON p.rental_id = r.rental_id JOIN inventory i ON r.inventory_id = i.inventory_id
            JOIN film_category fc ON i.film_id = fc.film_id JOIN category c ON fc.category_id = c.category_id
            GROUP BY c.name ORDER BY sum(p.amount) DESC;
        CREATE MATERIALIZED VIEW rental_by_category AS SELECT * FROM sales_by_category WITH DATA;
        CREATE UNIQUE INDEX rental_category ON rental_by_category (category);

        CREATE FUNCTION film_in_stock(p_film_id integer, p_store_id integer, OUT p_film_count integer) RETURNS SETOF integer
            LANGUAGE sql AS $$
            SELECT inventory_id FROM inventory WHERE film_id = $1 AND store_id = $2 $$;
        CREATE FUNCTION get_customer_balance(p_customer_id integer, p_effective_date timestamptz) RETURNS numeric
            LANGUAGE plpgsql AS $$
            DECLARE v_payments numeric(5,2);
            BEGIN
                SELECT coalesce(sum(amount), 0) INTO v_payments FROM payment
                WHERE payment_date <= p_effective_date AND customer_id = p_customer_id;
                RETURN -v_payments;
            END $$;
        CREATE AGGREGATE group_concat(text) (SFUNC = textcat, STYPE = text);
        """;
}
