#!/usr/bin/env bash
# Prints SQL that creates and fills pgbench's tables at scale factor $1 (default 1).
#
# `pgbench -i` cannot be used: it runs TRUNCATE and VACUUM, which DSQL refuses, and loads with
# COPY. This loader creates the same tables (with their primary keys declared up front) and
# fills them with multi-row INSERTs of 1,000 rows, under DSQL's 3,000-rows-per-transaction limit.
set -euo pipefail
scale=${1:-1}
cat <<SQL
DROP TABLE IF EXISTS pgbench_history;
DROP TABLE IF EXISTS pgbench_tellers;
DROP TABLE IF EXISTS pgbench_accounts;
DROP TABLE IF EXISTS pgbench_branches;
CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
CREATE TABLE pgbench_tellers (tid int NOT NULL PRIMARY KEY, bid int, tbalance int, filler char(84));
CREATE TABLE pgbench_accounts (aid int NOT NULL PRIMARY KEY, bid int, abalance int, filler char(84));
CREATE TABLE pgbench_branches (bid int NOT NULL PRIMARY KEY, bbalance int, filler char(88));
SQL
awk -v scale="$scale" 'BEGIN {
  for (b = 1; b <= scale; b++) printf "INSERT INTO pgbench_branches (bid, bbalance) VALUES (%d, 0);\n", b;
  n = 10 * scale; sep = "";
  printf "INSERT INTO pgbench_tellers (tid, bid, tbalance) VALUES ";
  for (t = 1; t <= n; t++) { printf "%s(%d, %d, 0)", sep, t, int((t - 1) / 10) + 1; sep = ", " }
  print ";";
  n = 100000 * scale;
  for (a = 1; a <= n; a++) {
    if ((a - 1) % 1000 == 0) { printf "INSERT INTO pgbench_accounts (aid, bid, abalance, filler) VALUES "; sep = "" }
    printf "%s(%d, %d, 0, %s)", sep, a, int((a - 1) / 100000) + 1, "'"'"''"'"'"; sep = ", ";
    if (a % 1000 == 0 || a == n) print ";";
  }
}'
