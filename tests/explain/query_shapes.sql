-- Filters, aggregation, DISTINCT, sorting and limits over a table, and queries without one.
CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(8,2), qty int, tag text);
INSERT INTO items VALUES (1, 'apple', 0.50, 10, 'fruit'), (2, 'leek', 1.20, 3, 'veg');
EXPLAIN SELECT name FROM items WHERE price > 1 AND tag LIKE 'v%';
EXPLAIN SELECT tag, count(*), sum(qty) FROM items GROUP BY tag HAVING count(*) > 1 ORDER BY tag;
EXPLAIN SELECT count(DISTINCT tag), max(price) FROM items;
EXPLAIN SELECT DISTINCT tag FROM items ORDER BY tag NULLS FIRST;
EXPLAIN SELECT name FROM items ORDER BY price DESC, name LIMIT 3 OFFSET 1;
EXPLAIN VERBOSE SELECT id, upper(name), CASE WHEN qty > 5 THEN 'many' END FROM items WHERE qty IS NOT NULL;
EXPLAIN SELECT 1 + 1, now();
EXPLAIN VALUES (1, 'a'), (2, 'b');
EXPLAIN SELECT * FROM items WHERE id IN (1, 2, 3);
EXPLAIN ANALYZE SELECT * FROM items;
EXPLAIN (FORMAT JSON) SELECT * FROM items;
EXPLAIN CREATE TABLE x (a int);
