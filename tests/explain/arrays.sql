-- Arrays in plans: unnest is a Function Scan (per left row when LATERAL), ARRAY(subquery)
-- a subplan, = ANY (array) a filter over the array expression (no key access), and array
-- expressions in a select list.
CREATE TABLE t (id int PRIMARY KEY, n int, label text);

EXPLAIN SELECT * FROM unnest(ARRAY[1, 2]) WITH ORDINALITY AS u(v, i);
EXPLAIN SELECT t.id, u FROM t, unnest(ARRAY[t.id, t.n]) u;
EXPLAIN SELECT unnest(ARRAY[1, 2]);
EXPLAIN SELECT ARRAY(SELECT id FROM t ORDER BY id);
EXPLAIN SELECT id FROM t WHERE id = ANY(ARRAY[1, 2]);
EXPLAIN SELECT id FROM t WHERE label <> ALL('{a,b}');
EXPLAIN VERBOSE SELECT (ARRAY[id, n])[1], (ARRAY[id, n])[1:2], ARRAY[id] || n, ARRAY[n] @> ARRAY[1] FROM t;
EXPLAIN SELECT n, array_agg(id ORDER BY id) FROM t GROUP BY n;
