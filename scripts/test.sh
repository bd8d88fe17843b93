#!/usr/bin/env bash
# Every check and test. Run by `make test` (and so by CI's .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONDONTWRITEBYTECODE=1
SCHEMATHESIS=tequio/core/tests/test_api_schemathesis.py

echo "== Lint and layer rules"
$BIN/ruff check tequio browser_tests
$BIN/lint-imports --no-cache

echo "== Migrations match the models"
$BIN/python manage.py makemigrations --check --dry-run >/dev/null

echo "== Translations complete (es, en)"
$BIN/python scripts/check_messages.py

echo "== Production settings pass check --deploy"
# A PostgreSQL URL (never connected to by the checks) because production means PostgreSQL here.
TEQUIO_ENV=production SECRET_KEY="ci-$(head -c 64 /dev/urandom | base64 -w0 | tr -d '/+=')" ALLOWED_HOSTS=tequio.example \
  SITE_URL=https://tequio.example DATABASE_URL=postgres://tequio@localhost/tequio \
  $BIN/python manage.py check --deploy --fail-level WARNING

echo "== Tests on SQLite (unit, request, API, browser journeys)"
# -p no:cacheprovider: a clean clone stays clean.
$BIN/python -m pytest -p no:cacheprovider -n 2 --dist loadfile --ignore=$SCHEMATHESIS
echo "== API schema tests on SQLite (schemathesis, one process: under xdist its cases go unreported)"
$BIN/python -m pytest -p no:cacheprovider $SCHEMATHESIS

echo "== Tests on PostgreSQL"
source scripts/pg.sh
trap pg_stop EXIT
$BIN/python -m pytest -p no:cacheprovider -n 2 --dist loadfile -m "not browser and not nodb" --ignore=$SCHEMATHESIS tequio
$BIN/python -m pytest -p no:cacheprovider $SCHEMATHESIS
