#!/usr/bin/env bash
# End-to-end tests with real clients: boto3 and the AWS CLI generate IAM tokens, psql and psycopg
# connect with them. Installs the Python clients into a virtualenv under target/ on first use.
#
#   tests/e2e/run.sh [path/to/dsql]        (default: target/debug/dsql, built if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."

dsql="${1:-target/debug/dsql}"
if [[ ! -x "$dsql" ]]; then
  cargo build --quiet --bin dsql
fi
venv="target/e2e-venv"
if [[ ! -x "$venv/bin/pytest" ]] || ! cmp -s tests/e2e/requirements.txt "$venv/requirements.txt"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt
  cp tests/e2e/requirements.txt "$venv/requirements.txt"
fi
command -v psql >/dev/null || { echo "psql is required (postgresql-client)" >&2; exit 1; }
DSQL_BIN="$(realpath "$dsql")" PATH="$(realpath "$venv/bin"):$PATH" \
  "$venv/bin/pytest" -q -p no:cacheprovider tests/e2e "${@:2}"
