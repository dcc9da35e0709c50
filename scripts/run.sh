#!/usr/bin/env bash
# `make run`: migrate, load the demo debates, make sure a demo moderator exists, serve.
# Idempotent: a second run finds everything in place and just serves.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var

$BIN/python manage.py migrate --noinput
$BIN/python manage.py load_demo
$BIN/python manage.py ensure_demo_moderator

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

if [ -n "${REDIS_URL:-}" ]; then
  echo "REDIS_URL is set: starting a Celery worker and beat beside the web server."
  OMP_NUM_THREADS=1 $BIN/celery -A forum worker --loglevel=INFO --concurrency=1 \
    --max-memory-per-child=350000 &
  pids+=($!)
  $BIN/celery -A forum beat --loglevel=INFO --schedule var/celerybeat-schedule &
  pids+=($!)
fi

echo "Crux is starting on http://$HOST:$PORT/ (Ctrl-C stops it)."
$BIN/python manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)
wait "${pids[-1]}"
