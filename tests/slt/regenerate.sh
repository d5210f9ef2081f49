#!/usr/bin/env bash
# Rewrites the expected results of tests/slt/*.slt from a throwaway PostgreSQL 15: starts one
# in a temporary folder (as the `postgres` user when run as root), runs every file against it
# in a database of its own, and stops it. Review the result with `git diff tests/slt`.
#
# Usage: tests/slt/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d)
port=${PG_PORT:-5491}
as_pg() { if [[ $(id -u) == 0 ]]; then su postgres -c "$*"; else bash -c "$*"; fi; }
[[ $(id -u) == 0 ]] && chown postgres "$work"
cleanup() {
  as_pg "$bin/pg_ctl -D $work/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
as_pg "$bin/initdb -D $work/data -A trust -U postgres --locale=C.UTF-8 -E UTF8" >/dev/null
as_pg "$bin/pg_ctl -D $work/data -o '-p $port -k $work -c listen_addresses=' -l $work/log start" >/dev/null
DSQL_SLT_POSTGRES="host=$work port=$port user=postgres" \
  cargo test --test slt -- --ignored regenerate_expected_results_from_postgresql --nocapture
