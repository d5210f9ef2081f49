-- INSERT, UPDATE and DELETE: what they read and write.
CREATE TABLE acct (id int PRIMARY KEY, owner text, balance int);
CREATE TABLE log (msg text, n int);
EXPLAIN INSERT INTO acct VALUES (1, 'ann', 0);
EXPLAIN INSERT INTO acct VALUES (1, 'ann', 0), (2, 'bob', 5);
EXPLAIN INSERT INTO log SELECT owner, balance FROM acct WHERE balance > 0;
EXPLAIN UPDATE acct SET balance = balance + 1 WHERE id = 1;
EXPLAIN VERBOSE UPDATE acct SET balance = 0, owner = 'x' WHERE owner = 'ann';
EXPLAIN DELETE FROM acct WHERE id BETWEEN 1 AND 10;
EXPLAIN DELETE FROM log;
