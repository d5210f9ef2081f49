#!/usr/bin/env bash
# Rewrites tests/corpus/expected.txt from a throwaway PostgreSQL 15: starts one in a temporary
# folder (as the `postgres` user when run as root) whose superuser is `admin`, as on dsql, loads
# tests/corpus/schema.sql into its `postgres` database, answers every catalog query, and stops
# it. Review the result with `git diff tests/corpus`.
#
# Usage: tests/corpus/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d)
port=${PG_PORT:-5492}
as_pg() { if [[ $(id -u) == 0 ]]; then su postgres -c "$*"; else bash -c "$*"; fi; }
[[ $(id -u) == 0 ]] && chown postgres "$work"
cleanup() {
  as_pg "$bin/pg_ctl -D $work/data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
as_pg "$bin/initdb -D $work/data -A trust -U admin --locale=C.UTF-8 -E UTF8" >/dev/null
as_pg "$bin/pg_ctl -D $work/data -o '-p $port -k $work -c listen_addresses=' -l $work/log start" >/dev/null
DSQL_CORPUS_POSTGRES="host=$work port=$port user=admin dbname=postgres" \
  cargo test --test corpus -- --ignored regenerate_expected_answers_from_postgresql --nocapture
