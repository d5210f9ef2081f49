-- Set-returning functions: a function in FROM is a Function Scan (read again for each left
-- row when its arguments read an earlier FROM item), the select list's functions run in a
-- ProjectSet node (below a Sort that does not read their values), and VALUES lists in FROM.
CREATE TABLE t (id int PRIMARY KEY, n int, label text);

-- A function scan, with and without an alias; a WHERE condition filters it.
EXPLAIN SELECT * FROM generate_series(1, 10);
EXPLAIN SELECT g FROM generate_series(1, 10) g WHERE g > 5;
EXPLAIN VERBOSE SELECT n FROM generate_series(1, 10, 2) WITH ORDINALITY AS g(n, i);
-- Arguments reading an earlier FROM item: read for each of its rows.
EXPLAIN SELECT t.id, g FROM t, generate_series(1, t.n) g;
EXPLAIN SELECT t.id, g FROM t LEFT JOIN generate_series(1, t.n) g ON true;
-- Constant arguments: joined like a table (the condition on it pushed down).
EXPLAIN SELECT t.id, g FROM t, generate_series(1, 3) g WHERE g > 1;
EXPLAIN SELECT g, t.label FROM generate_series(1, 4) g JOIN t ON t.id = g;
-- In a select list: ProjectSet.
EXPLAIN SELECT generate_series(1, 3);
EXPLAIN SELECT id, generate_series(1, n), generate_series(1, 2) FROM t;
EXPLAIN SELECT id, generate_series(1, n) FROM t ORDER BY label;
EXPLAIN SELECT id, generate_series(1, n) AS g FROM t ORDER BY g DESC LIMIT 3;
EXPLAIN SELECT generate_series(1, count(*)) FROM t;
-- VALUES in FROM, joined with a table.
EXPLAIN SELECT t.id, v.word FROM t JOIN (VALUES (1, 'one'), (3, 'three')) AS v(k, word) ON v.k = t.id;
