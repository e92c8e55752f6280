#!/usr/bin/env bash
# Job wake-up latency benchmark (not a test): from the commit of an enqueue
# (INSERT INTO central.jobs + pg_notify('campaignd_jobs') in one transaction, as the
# server's enqueue does) to a worker claiming the job (started_at), with a 60 s poll
# interval so that only LISTEN/NOTIFY can wake the workers. Builds the release daemon,
# starts it on a private cluster under /tmp, runs bench/latency_bench.py, stops it and
# deletes the cluster. See bench/JOBS.md.
#
#   bash bench/latency.sh
#   BENCH_WORKERS=8 BENCH_SAMPLES=1000 bash bench/latency.sh
set -euo pipefail
NAME=latency
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WORKERS=${BENCH_WORKERS:-2}         # the daemon's job workers
SAMPLES=${BENCH_SAMPLES:-400}       # measured enqueues
WARMUP=${BENCH_WARMUP:-20}          # enqueues before them, not measured
SPACING_MS=${BENCH_SPACING_MS:-20}  # time between two enqueues
POLL_S=60                           # the workers' poll interval: longer than the run
positive WORKERS SAMPLES WARMUP SPACING_MS
(( (SAMPLES + WARMUP) * SPACING_MS < 50000 )) || die "the run must end before the first poll tick (60 s): lower BENCH_SAMPLES or BENCH_SPACING_MS"

build
python_env "psycopg[binary]==$PSYCOPG_VERSION"
start_serve --workers "$WORKERS" --job-poll-interval "$POLL_S"
machine_facts
echo "daemon: serve --workers $WORKERS --job-poll-interval $POLL_S"

say "latency: $SAMPLES noop jobs, one every $SPACING_MS ms"
"$PY" "$BENCH/latency_bench.py" --conninfo "$CONNINFO" --samples "$SAMPLES" --warmup "$WARMUP" \
    --spacing-ms "$SPACING_MS"
echo "$(load)"
say "done"
