-- System relations are scanned as PostgreSQL scans a catalog: a Seq Scan, under the alias
-- the query gives it, joined like any relation.
CREATE TABLE t (id int PRIMARY KEY, name text);

EXPLAIN SELECT relname FROM pg_class WHERE relkind = 'r';
EXPLAIN SELECT c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public';
EXPLAIN VERBOSE SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = 1259;
EXPLAIN SELECT a.attname FROM pg_attribute a JOIN t ON t.id = a.attnum;
