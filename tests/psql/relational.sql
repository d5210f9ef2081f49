-- The relational engine through psql: a three-table join with a correlated subquery, a
-- recursive CTE, and a few other shapes. The expected transcript is PostgreSQL 15's.
CREATE TABLE dept (id int PRIMARY KEY, name text, parent int);
CREATE TABLE emp (id int PRIMARY KEY, name text, dept_id int, salary numeric(10,2), manager int);
CREATE TABLE proj (id int PRIMARY KEY, emp_id int, title text);
INSERT INTO dept VALUES (1, 'hq', NULL), (2, 'eng', 1), (3, 'ops', 1), (4, 'db', 2);
INSERT INTO emp VALUES (1, 'ann', 1, 300, NULL), (2, 'bob', 2, 200, 1), (3, 'cyd', 2, 150, 2),
  (4, 'dee', 3, 120, 1), (5, 'eve', 4, 180, 2), (6, 'fay', NULL, 90, 4);
INSERT INTO proj VALUES (1, 2, 'compiler'), (2, 3, 'parser'), (3, 3, 'planner'), (4, 5, 'storage'),
  (5, 4, 'backup');

-- Three tables, an outer join, and correlated subqueries in the select list and WHERE.
SELECT d.name AS dept, e.name AS emp, p.title,
       (SELECT count(*) FROM proj p2 WHERE p2.emp_id = e.id) AS projects
FROM dept d
JOIN emp e ON e.dept_id = d.id
LEFT JOIN proj p ON p.emp_id = e.id
WHERE e.salary >= (SELECT avg(salary) FROM emp e2 WHERE e2.dept_id = e.dept_id)
   OR p.title IS NOT NULL
ORDER BY d.name, e.name, p.title;

-- The management chain, walked by a recursive CTE and joined back to the tables.
WITH RECURSIVE chain (id, name, depth, path) AS (
  SELECT id, name, 0, name FROM emp WHERE manager IS NULL
  UNION ALL
  SELECT e.id, e.name, c.depth + 1, c.path || ' > ' || e.name
  FROM emp e JOIN chain c ON e.manager = c.id
)
SELECT c.name, c.depth, c.path, d.name AS dept
FROM chain c JOIN emp e ON e.id = c.id LEFT JOIN dept d ON d.id = e.dept_id
ORDER BY c.path;

-- The department tree with the head count under each department.
WITH RECURSIVE sub (root, id) AS (
  SELECT id, id FROM dept
  UNION
  SELECT s.root, d.id FROM dept d JOIN sub s ON d.parent = s.id
)
SELECT d.name, count(e.id) AS people
FROM dept d JOIN sub s ON s.root = d.id LEFT JOIN emp e ON e.dept_id = s.id
GROUP BY d.name ORDER BY people DESC, d.name;

-- EXISTS, NOT IN and a set operation.
SELECT name FROM emp e WHERE EXISTS (SELECT 1 FROM proj p WHERE p.emp_id = e.id AND p.title LIKE 'p%');
SELECT name FROM emp WHERE id NOT IN (SELECT emp_id FROM proj) ORDER BY name;
SELECT name FROM dept UNION ALL SELECT title FROM proj EXCEPT SELECT 'db' ORDER BY 1;
