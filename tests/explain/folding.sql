-- Constant folding (planner/fold.rs): constants are evaluated at planning, so a key
-- compared with a constant expression is read by point, and filters simplify as
-- PostgreSQL's do.
CREATE TABLE t (id int PRIMARY KEY, x int, s text, ts timestamptz);
CREATE INDEX ASYNC t_x ON t (x);
EXPLAIN SELECT * FROM t WHERE id = 1 + 1;
EXPLAIN SELECT * FROM t WHERE id = abs(-3) AND true;
EXPLAIN SELECT * FROM t WHERE x = 2 * 3;
EXPLAIN SELECT * FROM t WHERE s = 'a' || 'b';
EXPLAIN SELECT * FROM t WHERE s = 'a' OR true;
EXPLAIN SELECT * FROM t WHERE NOT NOT (s > 'a');
EXPLAIN SELECT * FROM t WHERE NOT (s > 'a');
EXPLAIN SELECT * FROM t WHERE id = $1 + 1;
EXPLAIN SELECT * FROM t WHERE ts < now();
EXPLAIN VERBOSE SELECT x + (2 * 3), CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END FROM t;
