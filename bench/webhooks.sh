#!/usr/bin/env bash
# Webhook fan-out benchmark (not a test): a collaborative package of 10,000 entities,
# each with a webhook endpoint on one local receiver process (bench/webhook_sink.py),
# is cancelled; how long until all 10,000 deliveries are acknowledged, and deliveries
# per second, next to wrk hitting the same receiver with as many connections (the
# physical limit of this machine for that receiver). Builds the release daemon, starts
# it on a private cluster under /tmp, runs bench/webhooks_bench.py, stops everything.
#
#   bash bench/webhooks.sh
#   BENCH_RUNS=3 BENCH_CONCURRENCY=64 bash bench/webhooks.sh
set -euo pipefail
NAME=webhooks
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ENTITIES=${BENCH_ENTITIES:-10000}        # entities, orders and endpoints
RUNS=${BENCH_RUNS:-2}                    # rounds (each: one cancel, one wrk run)
CONCURRENCY=${BENCH_CONCURRENCY:-32}     # --webhook-concurrency, and wrk's connections
POOL=${BENCH_POOL:-10}                   # the daemon's --pool-size
WORKERS=${BENCH_WORKERS:-2}              # the daemon's job workers
WRK_SECONDS=${BENCH_WRK_SECONDS:-10}
positive ENTITIES RUNS CONCURRENCY POOL WORKERS WRK_SECONDS
command -v wrk >/dev/null || die "wrk is needed (Debian package wrk)"

build
python_env "psycopg[binary]==$PSYCOPG_VERSION"
SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
python3 "$BENCH/webhook_sink.py" "$DIR/sink.port" "$SECRET" 2>"$DIR/sink.log" &
EXTRA_PIDS+=($!)
for _ in $(seq 1 50); do [[ -s $DIR/sink.port ]] && break; sleep 0.1; done
SINK_PORT=$(cat "$DIR/sink.port")
echo "receiver pid ${EXTRA_PIDS[-1]} on 127.0.0.1:$SINK_PORT"
start_serve --workers "$WORKERS" --allow-self-approval --webhook-allow-private \
    --webhook-concurrency "$CONCURRENCY" --pool-size "$POOL"
TOKEN=$(cd "$ROOT" && "$BIN" token create --central bench --data-dir "$DIR")
[[ -n $TOKEN ]] || die "token create printed nothing"
machine_facts
echo "daemon: serve --workers $WORKERS --pool-size $POOL --webhook-concurrency $CONCURRENCY"

say "webhook benchmark: $RUNS rounds"
"$PY" "$BENCH/webhooks_bench.py" --port "$PORT" --token "$TOKEN" --conninfo "$CONNINFO" \
    --sink-port "$SINK_PORT" --secret "$SECRET" --entities "$ENTITIES" --runs "$RUNS" \
    --concurrency "$CONCURRENCY" --wrk-seconds "$WRK_SECONDS" --workdir "$DIR"
echo "$(load)"
say "done"
