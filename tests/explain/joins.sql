-- Join methods: an index lookup when the right side's key or a valid index is bounded by
-- the join, a hash join on other equalities, a nested loop otherwise; WHERE and ON
-- conditions pushed down to the side they read.
CREATE TABLE dept (id int PRIMARY KEY, name text, region text);
CREATE TABLE emp (id int PRIMARY KEY, name text, dept_id int, salary int);
CREATE TABLE badge (emp_id int, seq int, code text, PRIMARY KEY (emp_id, seq));
CREATE INDEX ASYNC emp_dept ON emp (dept_id);

-- The primary key of the right side is looked up for each left row.
EXPLAIN SELECT e.name, d.name FROM emp e JOIN dept d ON d.id = e.dept_id;
-- A prefix of a composite key: a key range per left row.
EXPLAIN SELECT e.name, b.code FROM emp e JOIN badge b ON b.emp_id = e.id WHERE e.salary > 100;
-- A secondary index on the join column.
EXPLAIN SELECT d.name, e.name FROM dept d JOIN emp e ON e.dept_id = d.id WHERE d.region = 'eu';
-- LEFT JOIN keeps the lookup; an ON condition on the nullable side filters it.
EXPLAIN SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id AND e.salary > 50;
-- A WHERE condition on the nullable side stays above the join.
EXPLAIN SELECT d.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id WHERE e.id IS NULL;
-- Equality on columns without a key or index: a hash join.
EXPLAIN SELECT a.name FROM emp a JOIN emp b ON a.salary = b.salary AND a.id <> b.id;
-- RIGHT and FULL joins hash too.
EXPLAIN SELECT d.name, e.name FROM emp e RIGHT JOIN dept d ON d.name = e.name;
EXPLAIN SELECT d.name, e.name FROM emp e FULL JOIN dept d ON d.name = e.name;
-- A range comparison with the right side's key: a key range per left row.
EXPLAIN SELECT a.id, b.id FROM dept a JOIN dept b ON b.id > a.id;
-- No usable condition: a nested loop.
EXPLAIN SELECT a.id, b.id FROM dept a, dept b WHERE a.name < b.name;
-- Three tables, comma-joined with the conditions in WHERE.
EXPLAIN SELECT d.name, e.name, b.code FROM dept d, emp e, badge b WHERE e.dept_id = d.id AND b.emp_id = e.id AND d.id = 3;
-- USING and a derived table.
EXPLAIN SELECT * FROM dept JOIN (SELECT dept_id AS id, count(*) AS n FROM emp GROUP BY dept_id) c USING (id);
-- LATERAL reads the left row.
EXPLAIN SELECT d.name, t.name FROM dept d CROSS JOIN LATERAL (SELECT e.name FROM emp e WHERE e.dept_id = d.id ORDER BY e.salary DESC LIMIT 1) t;
