-- Join order: a chain of inner joins starts from the table its filter reads by key and
-- reaches the others by key or index lookups; otherwise it stays as written.
CREATE TABLE customers (id int PRIMARY KEY, name text, city text);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, amount int);
CREATE TABLE items (order_id int, n int, what text, PRIMARY KEY (order_id, n));
CREATE INDEX ASYNC orders_customer ON orders (customer_id);

-- The order's key is bound: orders first, its items by key prefix.
EXPLAIN SELECT o.id, i.what FROM items i JOIN orders o ON o.id = i.order_id WHERE o.id = 11;
-- Three tables: the customer by key, their orders by index, the items by key prefix.
EXPLAIN SELECT c.name, o.amount, i.what FROM items i JOIN orders o ON o.id = i.order_id JOIN customers c ON c.id = o.customer_id WHERE c.id = 7;
-- Comma joins with the conditions in WHERE, and the columns of * in the order written.
EXPLAIN SELECT * FROM items i, orders o WHERE o.id = i.order_id AND o.id BETWEEN 10 AND 12;
-- Already in the best order: unchanged.
EXPLAIN SELECT o.id, i.what FROM orders o JOIN items i ON i.order_id = o.id WHERE o.id = 11;
-- No key bound by a constant: as written.
EXPLAIN SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'ana';
-- The first table could not be reached by a lookup (no index on items.what): as written.
EXPLAIN SELECT c.name FROM items i JOIN customers c ON c.name = i.what WHERE c.id = 1;
-- Outer joins keep their order.
EXPLAIN SELECT o.id FROM items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id = 11;
