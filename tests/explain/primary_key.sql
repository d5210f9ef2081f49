-- Reads through the primary key: a point, ranges on a key prefix, and a full scan.
CREATE TABLE orders (customer int, id int, total numeric(10,2), note text, PRIMARY KEY (customer, id));
INSERT INTO orders VALUES (1, 1, 10.00, 'a'), (1, 2, 20.00, NULL), (2, 1, 5.50, 'b');
EXPLAIN SELECT * FROM orders WHERE customer = 1 AND id = 2;
EXPLAIN SELECT id FROM orders WHERE customer = 1;
EXPLAIN SELECT id FROM orders WHERE customer = 1 AND id > 1;
EXPLAIN SELECT id FROM orders WHERE customer BETWEEN 1 AND 2;
EXPLAIN SELECT id FROM orders WHERE id = 2;
EXPLAIN SELECT * FROM orders WHERE customer = $1 AND id = $2;
EXPLAIN SELECT * FROM orders WHERE customer = 1 AND id = 1 FOR UPDATE;
