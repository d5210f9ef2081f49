-- WITH queries are planned where they are read; a recursive one is a recursive union over
-- its work table. Set operations append their inputs (UNION removes duplicates).
CREATE TABLE node (id int PRIMARY KEY, parent int, label text);

EXPLAIN WITH top AS (SELECT id, label FROM node WHERE parent IS NULL) SELECT n.label FROM node n JOIN top t ON n.parent = t.id;
EXPLAIN WITH RECURSIVE walk(id, depth) AS (SELECT id, 0 FROM node WHERE id = 1 UNION ALL SELECT n.id, w.depth + 1 FROM node n JOIN walk w ON n.parent = w.id) SELECT * FROM walk;
EXPLAIN SELECT label FROM node UNION SELECT 'x' ORDER BY 1;
EXPLAIN SELECT id FROM node INTERSECT ALL SELECT parent FROM node;
EXPLAIN SELECT id FROM node EXCEPT SELECT parent FROM node LIMIT 3;
