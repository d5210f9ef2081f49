-- Subqueries of expressions are drawn under their labels; a correlated one reads the outer
-- row (qualified by its relation), and its key lookups use it.
CREATE TABLE cust (id int PRIMARY KEY, name text, city text);
CREATE TABLE ord (id int PRIMARY KEY, cust_id int, amount int);

EXPLAIN SELECT name FROM cust c WHERE EXISTS (SELECT 1 FROM ord o WHERE o.cust_id = c.id);
EXPLAIN SELECT name, (SELECT max(amount) FROM ord) FROM cust;
EXPLAIN SELECT o.id, (SELECT name FROM cust WHERE id = o.cust_id) FROM ord o;
EXPLAIN SELECT id FROM ord WHERE cust_id IN (SELECT id FROM cust WHERE city = 'oslo');
EXPLAIN SELECT id FROM ord WHERE amount > ALL (SELECT amount FROM ord WHERE cust_id = 1);
EXPLAIN UPDATE ord SET amount = amount + 1 WHERE cust_id = (SELECT id FROM cust WHERE name = 'ann');
EXPLAIN DELETE FROM ord WHERE NOT EXISTS (SELECT 1 FROM cust WHERE cust.id = ord.cust_id);
