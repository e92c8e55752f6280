#!/usr/bin/env bash
# Cancel fan-out benchmark (not a test): how long the daemon takes to cancel a
# collaborative package of 10,000 entities and 10,000 orders, from
# POST /v1/packages/{id}/cancel to the job being `succeeded`, next to the same writes
# done by a hand-written SQL script (bench/cancel_by_hand.sql) in one psql transaction
# on an identically seeded package of the same database. Builds the release daemon,
# starts it on a private cluster under /tmp, runs bench/cancel_bench.py, stops it and
# deletes the cluster. See bench/JOBS.md.
#
#   bash bench/cancel.sh
#   BENCH_RUNS=3 BENCH_AUDIENCE=all bash bench/cancel.sh
set -euo pipefail
NAME=cancel
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ENTITIES=${BENCH_ENTITIES:-10000}   # the audience: every entity
ORDERS=${BENCH_ORDERS:-10000}       # orders of the current revision, one per entity
PROCESSES=${BENCH_PROCESSES:-4}     # running processes of the reference campaign
OTHER_ORDERS=${BENCH_OTHER_ORDERS:-200000}  # orders of other packages (0: none)
RUNS=${BENCH_RUNS:-5}               # rounds per way of waiting (poll, listen): 2 x RUNS rounds in all
AUDIENCE=${BENCH_AUDIENCE:-list}    # list: 10,000 codes; all: audience_all
POLL_MS=${BENCH_POLL_MS:-5}         # GET /v1/jobs/{id} spacing
WORKERS=${BENCH_WORKERS:-2}         # the daemon's job workers
PROFILE=${BENCH_PROFILE:-1}         # 1: a last, unmeasured round with EXPLAIN and the server's statement log
SETUP_SQL=${BENCH_SETUP_SQL:-}      # SQL run once before seeding (e.g. to try an index)
SQL_ROLE=${BENCH_SQL_ROLE:-auto}    # role of the hand-written SQL; auto: the daemon's own role
positive ENTITIES ORDERS PROCESSES RUNS WORKERS
[[ $OTHER_ORDERS =~ ^[0-9]+$ ]] || die "BENCH_OTHER_ORDERS must be a whole number"
[[ $AUDIENCE == list || $AUDIENCE == all ]] || die "BENCH_AUDIENCE must be list or all"
(( ORDERS <= ENTITIES )) || die "one order per entity and revision: BENCH_ORDERS must be <= BENCH_ENTITIES"

build
python_env "psycopg[binary]==$PSYCOPG_VERSION"
# One operator drives the whole cycle here: four eyes are not what this measures.
start_serve --workers "$WORKERS" --allow-self-approval
TOKEN=$(cd "$ROOT" && "$BIN" token create --central bench --data-dir "$DIR")
[[ -n $TOKEN ]] || die "token create printed nothing"
machine_facts
echo "daemon: serve --workers $WORKERS (default pool size, default poll interval)"

if [[ -n $SETUP_SQL ]]; then
    say "BENCH_SETUP_SQL: $SETUP_SQL"
    psql_run -c "$SETUP_SQL"
fi

say "cancel benchmark: 2 x $RUNS rounds"
"$PY" "$BENCH/cancel_bench.py" --port "$PORT" --token "$TOKEN" --conninfo "$CONNINFO" \
    --sql-file "$BENCH/cancel_by_hand.sql" --minimal-sql-file "$BENCH/cancel_minimal.sql" --server-log "$DIR/postgresql.log" \
    --entities "$ENTITIES" --orders "$ORDERS" --processes "$PROCESSES" --other-orders "$OTHER_ORDERS" --runs "$RUNS" \
    --audience "$AUDIENCE" --poll-ms "$POLL_MS" --profile "$PROFILE" --sql-role "$SQL_ROLE"
echo "$(load)"
say "done"
