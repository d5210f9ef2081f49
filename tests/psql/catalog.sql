-- psql's describe commands (\d and its family, \l, \dp) over a small schema. The expected
-- transcript is PostgreSQL 15's for the same schema, except where dsql is DSQL: the index is
-- built with CREATE INDEX ASYNC and waited for (PostgreSQL: CREATE INDEX), \dn lists DSQL's
-- schema sys and public owned by admin (PostgreSQL: pg_database_owner), \du shows admin
-- without the superuser attributes DSQL's admin lacks, and \l lists the one database.
CREATE SCHEMA shop;
CREATE TABLE customer (id integer PRIMARY KEY, email text NOT NULL, name varchar(100),
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, total numeric(12,2),
  status text NOT NULL DEFAULT 'new', placed date DEFAULT CURRENT_DATE, qty int DEFAULT -1);
CREATE TABLE shop.item (sku text PRIMARY KEY, attrs text, price numeric DEFAULT 1.5);
CREATE INDEX ASYNC orders_customer_idx ON orders (customer_id, status DESC) INCLUDE (total) \gset
SELECT sys.wait_for_job(:'job_id');
\d
\d customer
\d+ orders
\d shop.item
\d orders_customer_idx
\d nosuch
\dt
\dt shop.*
\di
\dn
\du
\dv
\ds
\df
\df now
\dT
\l
\dp
