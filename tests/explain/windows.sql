-- Window functions: a WindowAgg above the sort each window needs, windows over grouped rows,
-- DISTINCT ON, and aggregates with FILTER and an ORDER BY of their own.
CREATE TABLE emp (id int PRIMARY KEY, dept text, name text, salary numeric(8,2));
INSERT INTO emp VALUES (1, 'eng', 'ann', 5000.00), (2, 'ops', 'bob', 4000.00);
EXPLAIN SELECT id, rank() OVER (PARTITION BY dept ORDER BY salary DESC) FROM emp;
EXPLAIN SELECT id, count(*) OVER () FROM emp WHERE salary > 100;
EXPLAIN SELECT id, row_number() OVER (ORDER BY id), sum(salary) OVER (PARTITION BY dept) FROM emp ORDER BY id;
EXPLAIN SELECT dept, sum(salary), rank() OVER (ORDER BY sum(salary)) FROM emp GROUP BY dept;
EXPLAIN VERBOSE SELECT id, lag(name) OVER w, first_value(name) OVER w FROM emp WINDOW w AS (ORDER BY id);
EXPLAIN SELECT DISTINCT ON (dept) dept, name FROM emp ORDER BY dept, salary DESC;
EXPLAIN VERBOSE SELECT count(*) FILTER (WHERE salary > 10), string_agg(name, ',' ORDER BY name) FROM emp;
