#!/usr/bin/env bash
# Feed stress run (a correctness check under load, not a test of the suite): long-polling
# and plain-polling clients read their entities' notifications while writers approve,
# reject and cancel orders and a package is published to every entity every 0.3 s. Each
# client's rows are then compared with the database's: none missed, none twice, none out
# of order (bench/feed_stress.py). Bounded: BENCH_RUNS runs of BENCH_SECONDS each.
#
#   bash bench/feed_stress.sh                      # 3 runs of 30 s
#   BENCH_RUNS=1 BENCH_SECONDS=10 bash bench/feed_stress.sh
#
# Exits 1 when any run missed, doubled or misordered a row.
set -euo pipefail

RUNS=${BENCH_RUNS:-3}              # runs, one after the other, on the same daemon
SECONDS_PER_RUN=${BENCH_SECONDS:-30}
LONG=${BENCH_LONG_CLIENTS:-24}     # long-polling clients (wait=5), one entity each
PLAIN=${BENCH_PLAIN_CLIENTS:-4}    # plain pollers (wait=0), one entity each
WRITERS=${BENCH_WRITERS:-4}        # threads placing and deciding orders
PUBLISH_EVERY=${BENCH_PUBLISH_EVERY:-0.3}

NAME=feed-stress
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
positive RUNS SECONDS_PER_RUN LONG WRITERS

build
start_serve --pool-size 10 --allow-self-approval # one operator publishes the packages
machine_facts
CENTRAL_TOKEN=$(cd "$ROOT" && "$BIN" token create --central stress --data-dir "$DIR")
[[ -n $CENTRAL_TOKEN ]] || die "token create printed nothing"

failed=0
for run in $(seq 1 "$RUNS"); do
    say "run $run of $RUNS: $LONG long-polling + $PLAIN plain clients, $WRITERS writers, a broadcast every $PUBLISH_EVERY s, for $SECONDS_PER_RUN s"
    BENCH_PORT=$PORT BENCH_CENTRAL_TOKEN=$CENTRAL_TOKEN BENCH_CONNINFO=$CONNINFO \
        python3 "$BENCH/feed_stress.py" --run "$run" --long "$LONG" --plain "$PLAIN" --writers "$WRITERS" \
        --seconds "$SECONDS_PER_RUN" --publish-every "$PUBLISH_EVERY" || failed=1
done
(( failed == 0 )) || die "a run missed, doubled or misordered rows (see above)"
say "every run: 0 missed, 0 doubled, 0 out of order"
