namespace DbBackup.Tests.Corpus;

/// <summary>Values easy to lose in a text round trip, in a database whose own settings differ from every
/// default a restore session starts with (search_path, TimeZone, DateStyle, IntervalStyle,
/// extra_float_digits, bytea_output, xmloption, lc_monetary): NaN and infinities in float, numeric, date
/// and timestamps, negative zeros, timestamptz across both DST changes, intervals with months, every byte
/// in bytea, CR/TAB/backslash/astral text, XML fragments and documents, json whitespace and duplicate keys
/// next to jsonb, money, bit strings, tsvector/tsquery, network, geometric, range and multirange values,
/// pg_lsn, xid8, and reg* columns naming objects in a schema only the database's search_path shows.</summary>
internal static class PostgresCorpusValues
{
    public const string Sql = """
        CREATE SCHEMA app;
        CREATE TABLE app.customer (id int PRIMARY KEY);
        CREATE TABLE public.customer (id int PRIMARY KEY);
        CREATE TYPE app.kind AS ENUM ('a', 'b');
        CREATE FUNCTION app.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';
        CREATE TEXT SEARCH CONFIGURATION app.simple2 (COPY = pg_catalog.simple);
        CREATE TABLE app.refs (id int PRIMARY KEY, rel regclass, typ regtype, fn regproc, fnp regprocedure, ns regnamespace, cfg regconfig, op regoperator, o oid, rels regclass[]);
        INSERT INTO app.refs VALUES
          (1, 'app.customer', 'app.kind', 'app.f', 'app.f(int)', 'app', 'app.simple2', '+(int,int)', 0, ARRAY['app.customer', 'public.customer']::regclass[]),
          (2, 'public.customer', 'app.kind[]', 'pg_catalog.now', 'pg_catalog.abs(numeric)', 'public', 'pg_catalog.english', '-(int,int)', 42, NULL);
        CREATE TABLE app.vals (
          id int PRIMARY KEY, f4 real, f8 double precision, n numeric, d date, ts timestamp, tstz timestamptz, iv interval,
          b bytea, t text, x xml, j json, jb jsonb, m money, bv bit varying(20), bf bit(4), tsv tsvector, tsq tsquery,
          c char(5), ip inet, cidr_ cidr, mac macaddr, mac8 macaddr8, u uuid, pt point, ln line, bx box, pg polygon, ci circle, p path, ls lseg,
          i4r int4range, dmr datemultirange, tm time, tmtz timetz, bo boolean, ia int[][], pl pg_lsn, ts2 timestamp(0), n2 numeric(3,1), xid_ xid8);
        INSERT INTO app.vals VALUES
         (1, 'NaN', '-Infinity', 'Infinity', 'infinity', '-infinity', 'infinity', '1 year 13 mons -40 days 25:00:00.000001',
          (SELECT decode(string_agg(lpad(to_hex(i), 2, '0'), '' ORDER BY i), 'hex') FROM generate_series(0, 255) i),
          E'cr\r lf\n tab\t bs\\ bell\x07 nbsp\u00a0 astral 𝄞🧪 end', '<a x="1">fragment</a><b/>text', '{ "b" : 1,  "a" : [1 ,2], "b": 2 }',
          '{ "b" : 1,  "a" : [1 ,2], "b": 2, "n": 1.0e+2 }', 12345678.91, B'1011', B'0110', 'a:1A fat:2B,4C cat:5D & rat', 'fat & (rat | !cat) <-> mouse',
          'ab', '2001:db8::1/64', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
          '(1.5,-2e300)', '{1,-1,0}', '((0,0),(1,1))', '((0,0),(1,0),(0,1))', '<(0,0),1e-10>', '[(0,0),(1,1)]', '[(0,0),(1,1)]',
          '[1,5)', '{[2024-01-01,2024-02-01), [2024-03-01,)}', '24:00:00', '23:59:59.999999+14:59', true, '{{1,2},{3,4}}', '16/B374D848', '2024-01-01 12:00:00.5', 99.94, '18446744073709551615'),
         (2, '-0', '-0', '-0.000', '-infinity', 'infinity', '-infinity', '-178000000 years -11 mons', '\x', '', '<?xml version="1.0"?><doc/>', '"str"', '"str"',
          -92233720368547758.08, B'', B'0000', '', '!a', '     ', '::', '::/0', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00:00:00', '00000000-0000-0000-0000-000000000000',
          '(0,-0)', '{0,1,-0}', '((-0,-0),(0,0))', '((1,1))', '<(1,1),0>', '((0,0))', '[(1,1),(1,1)]', 'empty', '{}', '00:00', '00:00+00', false, '{}', '0/0', '4713-01-01 00:00:00 BC', -99.9, '0'),
         (3, 1.17549435e-38, 5e-324, 0.000000000000000000000000000000000000000000000000000000000000000000000000000001, '5874897-12-31', '294276-12-31 23:59:59.999999',
          '2024-10-27 02:30:00 Europe/Berlin', '-1 mons 1 days', NULL, NULL, NULL, 'null', 'null', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
         (4, NULL, NULL, NULL, NULL, NULL, '2024-03-31 02:30:00 Europe/Berlin', '@ 1 hour ago', NULL, E'\\N', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        CREATE TABLE app.events (id int, at timestamptz, local_day date);
        INSERT INTO app.events SELECT i, timestamptz '2024-10-26 22:00:00+00' + i * interval '30 minutes', NULL FROM generate_series(0, 12) i;
        DO $$ BEGIN
          EXECUTE format('ALTER DATABASE %I SET search_path = app, public', current_database());
          EXECUTE format('ALTER DATABASE %I SET TimeZone = %L', current_database(), 'America/St_Johns');
          EXECUTE format('ALTER DATABASE %I SET DateStyle = %L', current_database(), 'SQL, DMY');
          EXECUTE format('ALTER DATABASE %I SET IntervalStyle = %L', current_database(), 'sql_standard');
          EXECUTE format('ALTER DATABASE %I SET extra_float_digits = 0', current_database());
          EXECUTE format('ALTER DATABASE %I SET bytea_output = %L', current_database(), 'escape');
          EXECUTE format('ALTER DATABASE %I SET xmloption = %L', current_database(), 'document');
          EXECUTE format('ALTER DATABASE %I SET lc_monetary = %L', current_database(), 'C.UTF-8');
        END $$;
        """;
}
