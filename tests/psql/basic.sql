-- A psql session against dsql: DDL, DML, queries, transactions and errors.
CREATE TABLE accounts (
    id integer PRIMARY KEY,
    owner varchar(20) NOT NULL,
    balance numeric(12, 2) DEFAULT 0,
    opened date,
    active boolean DEFAULT true
);
INSERT INTO accounts (id, owner, balance, opened) VALUES
    (1, 'alice', 100.50, '2024-01-15'),
    (2, 'bob', 20, '2024-02-29'),
    (3, 'carol', 0, '2023-12-31');
INSERT INTO accounts (id, owner) VALUES (4, 'dave') RETURNING id, owner, balance, active;
SELECT * FROM accounts ORDER BY id;
SELECT owner, balance * 2 AS doubled FROM accounts WHERE balance > 10 ORDER BY balance DESC;
SELECT count(*), sum(balance), avg(balance), min(opened), max(owner) FROM accounts;
SELECT active, count(*) FROM accounts GROUP BY active ORDER BY active;
SELECT id FROM accounts WHERE id BETWEEN 2 AND 3 ORDER BY id DESC;
SELECT id, CASE WHEN balance >= 100 THEN 'rich' WHEN balance > 0 THEN 'ok' ELSE 'empty' END AS status
  FROM accounts ORDER BY id LIMIT 3 OFFSET 1;
UPDATE accounts SET balance = balance - 20.25 WHERE owner = 'alice';
DELETE FROM accounts WHERE id = 3;
BEGIN;
UPDATE accounts SET balance = balance + 1 WHERE id = 2;
SELECT id, balance FROM accounts WHERE id = 2;
ROLLBACK;
SELECT id, balance FROM accounts ORDER BY id;
BEGIN;
INSERT INTO accounts (id, owner) VALUES (1, 'again');
SELECT 1;
COMMIT;
INSERT INTO accounts (id, owner) VALUES (5, NULL);
UPDATE accounts SET owner = 'a name that is far too long' WHERE id = 1;
SELECT * FROM missing;
SELECT 1 + 'x';
SHOW transaction_isolation;
SELECT lower('ABC') || upper('def') AS s, length('hello'), abs(-3), coalesce(NULL, 7), round(2.567, 1);
DROP TABLE accounts;
DROP TABLE IF EXISTS accounts;
