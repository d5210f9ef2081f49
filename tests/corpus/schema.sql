-- The client corpus's schema (client-corpus/gen/schema.sql) as DSQL takes it, loaded before the
-- catalog queries are replayed, into dsql and into the PostgreSQL that produces the expected
-- results. Where DSQL refuses a piece, this file uses what DSQL users write instead:
--   * no CREATE EXTENSION (DSQL refuses extensions): shop.item.attrs is text, not hstore;
--   * no SERIAL or integer identity: the keys are plain integers the application assigns;
--   * no FOREIGN KEY, views, sequences, SQL functions, CHECK or UNIQUE constraints or
--     COMMENT ON yet (the DML/DDL breadth issue): a unique index stands for the constraint;
--   * no GRANT to a role that does not exist;
--   * indexes are CREATE INDEX ASYNC (the loader drops ASYNC for PostgreSQL).
-- One statement per paragraph; the loader splits at ";\n".
CREATE SCHEMA shop;
CREATE TABLE customer (
    id         integer PRIMARY KEY,
    email      text NOT NULL,
    name       varchar(100),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ASYNC customer_email_key ON customer (email);
CREATE TABLE orders (
    id          bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    order_no    bigint NOT NULL,
    total       numeric(12,2),
    status      text NOT NULL DEFAULT 'new',
    placed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ASYNC orders_order_no_key ON orders (order_no);
CREATE INDEX ASYNC orders_customer_placed_idx ON orders (customer_id, placed_at DESC);
CREATE TABLE shop.item (sku text PRIMARY KEY, attrs text);
INSERT INTO customer (id, email, name) VALUES (1, 'ann@example.com', 'Ann'), (2, 'bob@example.com', 'Bob');
INSERT INTO orders (id, customer_id, order_no, total) VALUES (1, 1, 1000, 10.50), (2, 1, 1001, 3.25), (3, 2, 1002, 99.00);
