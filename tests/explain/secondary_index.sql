-- Reads through a secondary index: equality and ranges, index order serving ORDER BY with
-- LIMIT, and index-only reads from INCLUDE columns.
CREATE TABLE events (id int PRIMARY KEY, owner int, created int, kind text, body text);
INSERT INTO events VALUES (1, 7, 100, 'x', 'a'), (2, 7, 200, 'y', 'b'), (3, 8, 150, 'x', 'c');
CREATE INDEX ASYNC events_owner_created ON events (owner, created) INCLUDE (kind);
EXPLAIN SELECT body FROM events WHERE owner = 7;
EXPLAIN SELECT body FROM events WHERE owner = 7 AND created > 120;
EXPLAIN SELECT body FROM events WHERE owner = 7 ORDER BY created DESC LIMIT 10;
EXPLAIN SELECT owner, created FROM events ORDER BY owner, created LIMIT 5;
EXPLAIN SELECT kind FROM events WHERE owner = 7 AND created BETWEEN 100 AND 200;
EXPLAIN SELECT body FROM events WHERE created = 100;
EXPLAIN SELECT body FROM events WHERE owner = 7 ORDER BY body;
