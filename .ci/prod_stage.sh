#!/usr/bin/env bash
# The production-shaped stage (issue 17): the shop as docs/deploy.md runs it, on loopback.
#
# A fresh PostgreSQL database, media in an S3 bucket (moto's server on loopback), Stripe's
# API answered by the tests' stand-in on loopback (tests/production/fake_stripe_server.py),
# production settings, gunicorn (deploy/gunicorn.conf.py, two
# workers), a Celery worker and Celery beat on Redis as the broker (nothing eager); then
# tests/production/ (marker `production`) drives buyers' and teams' journeys over plain
# HTTP against PROD_BASE_URL and reads the worker's log to check that every Celery task
# the shop defines ran there. Bounded: the whole stage is cut off after PROD_STAGE_TIMEOUT
# seconds (900). On failure the tails of the gunicorn, worker and beat logs are printed.
#
#   PROD_STAGE_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/nongzhu_prod_stage
#                            (dropped and created again: use a database of its own)
#   PROD_STAGE_REDIS_URL     default redis://127.0.0.1:6379/13 (flushed: a db of its own)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PROD_STAGE_INNER:-}" ]; then
  export PROD_STAGE_INNER=1
  exec timeout --kill-after=20 "${PROD_STAGE_TIMEOUT:-900}" "$0" "$@"
fi

PY=.venv/bin/python
STAGE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/nongzhu-prod-stage.XXXXXX")"
DB_URL="${PROD_STAGE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nongzhu_prod_stage}"
REDIS="${PROD_STAGE_REDIS_URL:-redis://127.0.0.1:6379/13}"
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
S3_PORT="$(free_port)"
STRIPE_PORT="$(free_port)"
PIDS=()
STARTED=$(date +%s)

show_logs() {
  for name in gunicorn worker beat s3 stripe; do
    if [ -f "$STAGE_DIR/$name.log" ]; then
      echo "----- last 60 lines of $name.log -----"
      tail -n 60 "$STAGE_DIR/$name.log"
    fi
  done
}

finish() {
  status=$?
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 1 20); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    echo "production stage FAILED (exit $status) after $(($(date +%s) - STARTED)) s"
    show_logs
  else
    echo "production stage passed in $(($(date +%s) - STARTED)) s"
  fi
  [ "$status" = 0 ] && [ -z "${PROD_STAGE_KEEP:-}" ] && rm -rf "$STAGE_DIR"
  [ "$status" != 0 ] && echo "logs and files kept in $STAGE_DIR"
  exit "$status"
}
trap finish EXIT
trap 'exit 143' TERM INT

# --- the environment every process of the shop gets (production settings) ----------
mkdir -p "$STAGE_DIR/mail" "$STAGE_DIR/data"
cat >"$STAGE_DIR/env" <<ENV
DJANGO_SETTINGS_MODULE=shop.settings.production
DJANGO_SECRET_KEY=prod-stage-$($PY -c 'import secrets; print(secrets.token_urlsafe(48))')
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$PORT
SITE_URL=http://127.0.0.1:$PORT
DATABASE_URL=$DB_URL
REDIS_URL=$REDIS
CELERY_BROKER_URL=$REDIS
DATA_DIR=$STAGE_DIR/data
STATIC_ROOT=$STAGE_DIR/static
SECURE_SSL_REDIRECT=0
SESSION_COOKIE_SECURE=0
CSRF_COOKIE_SECURE=0
SECURE_HSTS_SECONDS=0
QUEUED_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
EMAIL_FILE_PATH=$STAGE_DIR/mail
AWS_STORAGE_BUCKET_NAME=nongzhu-media
AWS_S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
AWS_S3_REGION_NAME=us-east-1
AWS_ACCESS_KEY_ID=prod-stage
AWS_SECRET_ACCESS_KEY=prod-stage
AWS_DEFAULT_ACL=public-read
METRICS_TOKEN=prod-stage-metrics-token
STRIPE_SECRET_KEY=sk_test_prod_stage
STRIPE_PUBLISHABLE_KEY=pk_test_prod_stage
STRIPE_WEBHOOK_SECRET=whsec_prod_stage
STRIPE_API_BASE=http://127.0.0.1:$STRIPE_PORT
PROMETHEUS_MULTIPROC_DIR=$STAGE_DIR/prometheus
WEB_CONCURRENCY=2
GUNICORN_THREADS=2
GUNICORN_BIND=127.0.0.1:$PORT
GUNICORN_ACCESS_LOG=$STAGE_DIR/access.log
ENV
mkdir -p "$STAGE_DIR/prometheus"
set -a
# shellcheck disable=SC1091
. "$STAGE_DIR/env"
set +a

echo "== production stage in $STAGE_DIR, shop on 127.0.0.1:$PORT, media bucket on 127.0.0.1:$S3_PORT"
# The media store: an S3-compatible HTTP endpoint on loopback (moto's server, a dev
# dependency) standing in for OSS/COS/MinIO.
.venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" >"$STAGE_DIR/s3.log" 2>&1 &
PIDS+=($!)
$PY - "$DB_URL" "$REDIS" <<'PYEOF'
import sys

import dj_database_url
import psycopg
import redis

db = dj_database_url.parse(sys.argv[1])
with psycopg.connect(
    host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
    dbname="postgres", autocommit=True,
) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
redis.Redis.from_url(sys.argv[2]).flushdb()
PYEOF
$PY - <<'PYEOF'
import os
import time

import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"], region_name="us-east-1")
for _ in range(60):
    try:
        s3.create_bucket(Bucket=os.environ["AWS_STORAGE_BUCKET_NAME"])
        break
    except Exception:
        time.sleep(0.5)
else:
    raise SystemExit("the S3 endpoint never answered")
PYEOF

step() { echo "== $* ($(($(date +%s) - STARTED)) s)"; }
step migrate
$PY manage.py migrate --noinput -v 0
step load_demo
$PY manage.py load_demo >"$STAGE_DIR/load_demo.log" 2>&1 || { tail -n 40 "$STAGE_DIR/load_demo.log"; exit 1; }
step collectstatic
$PY manage.py collectstatic --noinput -v 0

step "start gunicorn, celery worker, celery beat"
.venv/bin/gunicorn -c deploy/gunicorn.conf.py shop.wsgi >"$STAGE_DIR/gunicorn.log" 2>&1 &
PIDS+=($!)
.venv/bin/celery -A shop worker -l info --concurrency=2 --without-gossip --without-mingle \
  --hostname "prodstage@%h" >"$STAGE_DIR/worker.log" 2>&1 &
PIDS+=($!)
.venv/bin/celery -A shop beat -l info --schedule "$STAGE_DIR/beat-schedule" \
  >"$STAGE_DIR/beat.log" 2>&1 &
PIDS+=($!)
echo "pids: s3 ${PIDS[0]}, gunicorn ${PIDS[1]}, worker ${PIDS[2]}, beat ${PIDS[3]}" | tee "$STAGE_DIR/pids"
# Stripe: the tests' stand-in for its API, over HTTP on loopback (STRIPE_API_BASE).
$PY -m tests.production.fake_stripe_server "$STRIPE_PORT" >"$STAGE_DIR/stripe.log" 2>&1 &
PIDS+=($!)

ready=""
for _ in $(seq 1 120); do
  if curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/readyz/"; then ready=1; break; fi
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "process $pid died"; exit 1; }; done
  sleep 1
done
[ -n "$ready" ] || { echo "/readyz/ never answered 200"; exit 1; }
for _ in $(seq 1 60); do grep -q "ready\." "$STAGE_DIR/worker.log" && break; sleep 1; done
grep -q "ready\." "$STAGE_DIR/worker.log" || { echo "the Celery worker never became ready"; exit 1; }

step "journeys (tests/production)"
# The test process talks to the shop over HTTP only; it runs the shop's own commands with
# the production environment from PROD_ENV_FILE, and touches neither its Redis nor its DB.
env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL -u DJANGO_SETTINGS_MODULE \
  PROD_BASE_URL="http://127.0.0.1:$PORT" PROD_ENV_FILE="$STAGE_DIR/env" \
  PROD_STAGE_DIR="$STAGE_DIR" \
  $PY -m pytest -p no:xdist -m production tests/production -v --tb=short "$@"
