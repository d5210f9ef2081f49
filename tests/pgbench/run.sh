#!/usr/bin/env bash
# Runs the real pgbench against `dsql start`: its built-in tpcb-like, simple-update and
# select-only scripts, 4 clients for $PGBENCH_SECONDS (default 10) seconds each, in the simple,
# extended and prepared protocols, retrying 40001 conflicts (--max-tries). After every run it
# checks that the balances add up:
#   tpcb-like:     sum(abalance) = sum(tbalance) = sum(bbalance) = sum(history.delta)
#   simple-update: sum(abalance) = sum(history.delta), tellers and branches unchanged
#   select-only:   nothing changed
# and that pgbench reported no failed transactions.
#
# Usage: tests/pgbench/run.sh path/to/dsql
set -euo pipefail
dsql=${1:?usage: run.sh path/to/dsql}
seconds=${PGBENCH_SECONDS:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
log="$work/server.log"
cleanup() {
  [[ -n "${server_pid:-}" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$dsql" start --data-dir "$work/data" --listen 127.0.0.1:0 --password pgbench >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  sleep 0.1
done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log")
[[ -n "$port" ]] || { cat "$log"; echo "server did not start"; exit 1; }
export PGHOST=localhost PGPORT=$port PGUSER=admin PGPASSWORD=pgbench PGDATABASE=postgres
export PGSSLMODE=verify-full PGSSLROOTCERT="$work/data/tls/ca.crt"

echo "loading pgbench tables (scale 1)"
"$here/load.sh" 1 | psql -q -v ON_ERROR_STOP=1 >/dev/null

sums() {
  psql -At -c "SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts" \
    -c "SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers" \
    -c "SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches" \
    -c "SELECT coalesce(sum(delta), 0) FROM pgbench_history" | tr '\n' ' '
}

failed=0
for script in tpcb-like simple-update select-only; do
  for mode in simple extended prepared; do
    before=$(sums)
    out=$(pgbench -n -c 4 -j 2 -T "$seconds" -M "$mode" -b "$script" --max-tries=1000 2>&1) || {
      echo "$out"; echo "FAIL: pgbench $script -M $mode exited non-zero"; failed=1; continue; }
    tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
    processed=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
    failures=$(echo "$out" | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p')
    retried=$(echo "$out" | sed -n 's/^number of transactions retried: \([0-9]*\).*/\1/p')
    read -r a t b h <<<"$(sums)"
    read -r a0 t0 b0 h0 <<<"$before"
    ok=1
    case $script in
      tpcb-like) [[ $a == "$t" && $t == "$b" && $b == "$h" ]] || ok=0 ;;
      simple-update) [[ $a == "$h" && $t == "$t0" && $b == "$b0" ]] || ok=0 ;;
      select-only) [[ $a == "$a0" && $t == "$t0" && $b == "$b0" && $h == "$h0" ]] || ok=0 ;;
    esac
    [[ "${failures:-0}" == 0 && "${processed:-0}" -gt 0 ]] || ok=0
    printf '%-14s %-9s tps=%-10s processed=%-7s retried=%-5s failed=%-3s sums: accounts=%s tellers=%s branches=%s history=%s\n' \
      "$script" "$mode" "${tps:-?}" "${processed:-?}" "${retried:-0}" "${failures:-?}" "$a" "$t" "$b" "$h"
    if [[ $ok == 0 ]]; then
      echo "$out"
      echo "FAIL: $script -M $mode: balances do not add up or transactions failed"
      failed=1
    fi
  done
done
[[ $failed == 0 ]] && echo "pgbench: all runs consistent"
exit $failed
