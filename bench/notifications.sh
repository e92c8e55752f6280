#!/usr/bin/env bash
# Notifications benchmark (not a test): long-poll delivery latency with 1,000 waiting
# clients, the daemon's memory and database connections while they wait, and the
# throughput of empty polls over HTTP next to pgbench running the same SQL.
#
# Builds the release daemon, makes a private embedded cluster under /tmp (with
# track_commit_timestamp = on, so that a notification's commit time can be read),
# starts `campaignd serve` on it, seeds entities and one local token each, runs
# bench/longpoll.py, then stops the daemon (which stops the cluster) and deletes the folder.
#
#   bash bench/notifications.sh
#   BENCH_ROUNDS=3 BENCH_HTTP_CLIENTS="10 50" bash bench/notifications.sh
#
# See bench/NOTIFICATIONS.md for the settings and the figures.
set -euo pipefail

ENTITIES=${BENCH_ENTITIES:-1000}          # local entities, one token each
CLIENTS=${BENCH_CLIENTS:-$ENTITIES}       # long-polling clients (one per entity)
ROUNDS=${BENCH_ROUNDS:-5}                 # measured publish rounds
WARMUP_ROUNDS=${BENCH_WARMUP_ROUNDS:-1}   # unmeasured rounds before them
WAIT=${BENCH_WAIT:-30}                    # wait= of the long polls, seconds
SETTLE=${BENCH_SETTLE:-3}                 # seconds every client has waited before a publish
HTTP_CLIENTS=${BENCH_HTTP_CLIENTS:-"10 50 100"}  # concurrent clients of the throughput tests, each run in turn
DURATION=${BENCH_SECONDS:-10}             # seconds of each throughput measurement
POOL_SIZE=${BENCH_POOL_SIZE:-10}          # the daemon's --pool-size (its default is 10)
LOG_LEVEL=${BENCH_LOG_LEVEL:-}            # the daemon's --log-level (empty: its default, info, one line per request)
PERF=${BENCH_PERF:-0}                     # 1: perf record the daemon during the first HTTP throughput test
DIAGNOSE=${BENCH_DIAGNOSE:-0}             # 1: also the diagnosis runs (a second event during the re-poll storm; cost split of a poll)
PHASES=${BENCH_PHASES:-"longpoll throughput"}  # which measurements to run
HTTP_DRIVER=${BENCH_HTTP_DRIVER:-wrk}     # the empty-poll load generator: wrk, or python (bench/longpoll.py's asyncio clients)

NAME=notifications
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

positive ENTITIES CLIENTS ROUNDS WAIT SETTLE DURATION POOL_SIZE
[[ $WARMUP_ROUNDS =~ ^[0-9]+$ ]] || die "BENCH_WARMUP_ROUNDS must be a whole number"
for n in $HTTP_CLIENTS; do [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "BENCH_HTTP_CLIENTS: '$n' is not a positive number"; done
(( CLIENTS <= ENTITIES )) || die "BENCH_CLIENTS must be <= BENCH_ENTITIES (one client per entity)"
(( WAIT <= 60 )) || die "BENCH_WAIT must be <= 60 (the API's limit)"
[[ -z $LOG_LEVEL || $LOG_LEVEL =~ ^(trace|debug|info|notice)$ ]] \
    || die "BENCH_LOG_LEVEL must be trace, debug, info or notice (the 'listening' line, which gives the port, is a notice)"
for phase in $PHASES; do [[ $phase =~ ^(longpoll|throughput)$ ]] || die "BENCH_PHASES: '$phase' is not longpoll or throughput"; done
[[ $HTTP_DRIVER =~ ^(wrk|python)$ ]] || die "BENCH_HTTP_DRIVER must be wrk or python"
command -v pgbench >/dev/null || die "pgbench is needed (Debian package postgresql-15)"
if [[ $HTTP_DRIVER == wrk ]] && ! command -v wrk >/dev/null; then
    die "wrk is needed for the empty-poll test (Debian: apt-get install -y wrk), or set BENCH_HTTP_DRIVER=python"
fi
has_phase() { [[ " $PHASES " == *" $1 "* ]]; }
(( $(ulimit -n) > CLIENTS + 100 )) || ulimit -n $(( CLIENTS + 1000 )) 2>/dev/null \
    || die "ulimit -n is $(ulimit -n): too low for $CLIENTS connections"

build

# --- private cluster and daemon -----------------------------------------------------------
OUT="$DIR/results"
mkdir -p "$OUT"
PERF_PID=""
PGBIN=${CAMPAIGND_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The cluster is created and migrated first (`migrate` starts it and stops it again), so
# that track_commit_timestamp, which needs a server start, is on when `serve` starts it.
say "campaignd migrate --data-dir $DIR (creates the cluster); track_commit_timestamp = on"
(cd "$ROOT" && "$BIN" migrate --data-dir "$DIR" >"$DIR/migrate.log" 2>&1) || { cat "$DIR/migrate.log" >&2; die "migrate failed"; }
echo "track_commit_timestamp = on    # bench/notifications.sh: commit times of notifications" \
    | as_postgres tee -a "$DIR/pgdata/postgresql.auto.conf" >/dev/null

SERVE_ARGS=(--pool-size "$POOL_SIZE" --allow-self-approval) # one operator publishes the packages
[[ -n $LOG_LEVEL ]] && SERVE_ARGS+=(--log-level "$LOG_LEVEL")
start_serve "${SERVE_ARGS[@]}"
# The daemon's own role on the embedded cluster (no superuser: row level security applies).
SERVICE_CONNINFO="host=$DIR/run port=5432 user=campaignd_app dbname=campaignd"
POSTMASTER_PID_FILE="$DIR/pgdata/postmaster.pid"
echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -sr); $(load)"
echo "postgres: $(psql_value 'SHOW server_version'); track_commit_timestamp=$(psql_value 'SHOW track_commit_timestamp'), fsync=$(psql_value 'SHOW fsync'), shared_buffers=$(psql_value 'SHOW shared_buffers'), max_connections=$(psql_value 'SHOW max_connections')"
echo "daemon runs as: $(psql_value "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE datname = 'campaignd' AND pid <> pg_backend_pid()")"
[[ $(psql_value 'SHOW track_commit_timestamp') == on ]] || die "track_commit_timestamp is not on"

CENTRAL_TOKEN=$(cd "$ROOT" && "$BIN" token create --central bench --data-dir "$DIR")
[[ -n $CENTRAL_TOKEN ]] || die "token create printed nothing"
export BENCH_CENTRAL_TOKEN=$CENTRAL_TOKEN

# --- seed ---------------------------------------------------------------------------------
seed_entities_with_tokens "$ENTITIES"
psql_run -c "VACUUM ANALYZE"
echo "entities $FIRST_ID..$LAST_ID; $(psql_value 'SELECT count(*) FROM central.api_tokens WHERE entity_id IS NOT NULL') local tokens"

# --- long poll ----------------------------------------------------------------------------
if has_phase longpoll; then
    say "long poll: $CLIENTS clients, $ROUNDS rounds (+$WARMUP_ROUNDS warm-up), wait=$WAIT; $(load)"
    python3 "$BENCH/longpoll.py" longpoll --port "$PORT" --pid "$SERVE_PID" --postmaster-pid "$POSTMASTER_PID_FILE" \
        --tokens "$DIR/tokens.tsv" --conninfo "$CONNINFO" --clients "$CLIENTS" --rounds "$ROUNDS" \
        --warmup-rounds "$WARMUP_ROUNDS" --wait "$WAIT" --settle "$SETTLE" --json "$OUT/longpoll.json"
    echo "after the long polls: $(load)"
else
    # Without the long polls, rows as they would have left behind: 6 per entity.
    psql_run -c "INSERT INTO local.notifications (entity_id, kind, package_id, revision, event_key)
                 SELECT e.id, 'package_available', p, 1, 'bench:' || p FROM central.entities e, generate_series(1, 6) AS p"
fi

# --- throughput of empty polls --------------------------------------------------------------
MAX_CURSOR=$(psql_value "SELECT coalesce(max(cursor), 0) FROM local.notifications")
psql_run -c "VACUUM ANALYZE local.notifications"
echo "local.notifications: $(psql_value 'SELECT count(*) FROM local.notifications') rows; polls ask after=$MAX_CURSOR"

# pgbench's two scripts. feed.sql: the feed SELECT itself, as a client polling over SQL
# would send it (the rows of one entity after a cursor).
cat >"$DIR/feed.sql" <<'SQL'
\set i random(1, :entities)
\set e :first_id + :i - 1
SELECT cursor, entity_id, kind, package_id, order_id, revision, comment, created_at FROM local.notifications
WHERE entity_id = :e AND cursor > :after
ORDER BY cursor LIMIT :limit;
SQL
# server.sql: the statement the daemon sends for a lone GET /v1/notifications?after=MAX
# (FeedReader: local.notifications_after_each scopes itself to the entity and
# runs that SELECT under row level security; no transaction around it). Polls that
# arrive while reads are running share the next statement (FeedReader); the HTTP test
# prints how many polls each statement carried. The token check is answered from the
# daemon's 5 s cache: with 1,000 tokens in turn, one lookup per token every 5 s, about
# 1 poll in 25 at 5,000 polls/s, left out here.
cat >"$DIR/server.sql" <<'SQL'
\set i random(1, :entities)
\set e :first_id + :i - 1
SELECT request, cursor, entity_id, kind, package_id, order_id, revision, comment, created_at
FROM local.notifications_after_each(ARRAY[CAST(:e AS bigint)], ARRAY[CAST(:after AS bigint)], ARRAY[CAST(:limit AS bigint)]);
SQL
DEFINES=(--define "entities=$ENTITIES" --define "first_id=$FIRST_ID" --define "after=$MAX_CURSOR" --define "limit=50")

FIRST=1
for N in $(has_phase throughput && echo "$HTTP_CLIENTS"); do
    say "empty polls: $N clients, HTTP then pgbench (the feed SELECT, then the daemon's statement); $(load)"
    if [[ $PERF == 1 && $FIRST == 1 ]] && command -v perf >/dev/null; then
        perf record -F 999 -g -p "$SERVE_PID" -o "$DIR/perf.data" -- sleep $(( DURATION + 1 )) >/dev/null 2>"$DIR/perf.log" &
        PERF_PID=$!
        EXTRA_PIDS+=("$PERF_PID")
    fi
    python3 "$BENCH/longpoll.py" throughput --port "$PORT" --pid "$SERVE_PID" --postmaster-pid "$POSTMASTER_PID_FILE" \
        --tokens "$DIR/tokens.tsv" --clients "$N" --seconds "$DURATION" --after "$MAX_CURSOR" --driver "$HTTP_DRIVER" \
        --json "$OUT/http-$N.json"
    if [[ -n $PERF_PID ]]; then wait "$PERF_PID" || true; PERF_PID=""; fi
    python3 "$BENCH/longpoll.py" pgbench --script "$DIR/feed.sql" --clients "$N" --seconds "$DURATION" \
        "${DEFINES[@]}" --postmaster-pid "$POSTMASTER_PID_FILE" --conninfo "$SERVICE_CONNINFO" --json "$OUT/pgbench-feed-$N.json"
    python3 "$BENCH/longpoll.py" pgbench --script "$DIR/server.sql" --clients "$N" --seconds "$DURATION" \
        "${DEFINES[@]}" --postmaster-pid "$POSTMASTER_PID_FILE" --conninfo "$SERVICE_CONNINFO" --json "$OUT/pgbench-server-$N.json"
    FIRST=0
done
if [[ $PERF == 1 && -f $DIR/perf.data ]]; then
    say "perf: where the daemon's CPU went during the first HTTP test"
    echo "-- by thread (TP-#n: the pool's libpq threads; NIO-*: event loops; *default-qos: Swift's cooperative pool):"
    perf report -i "$DIR/perf.data" --no-children --sort comm --stdio 2>/dev/null >"$DIR/perf-comm.txt" || true
    awk '/^ +[0-9.]+%/ { pct = $1; sub("%", "", pct); name = $2;
             group = name ~ /^TP-#/ ? "TP-# (libpq threads)" : name ~ /^NIO-/ ? "NIO event loops" : name ~ /default-qos/ ? "Swift cooperative pool" : name;
             sum[group] += pct }
         END { for (g in sum) printf "    %6.2f%%  %s\n", sum[g], g }' "$DIR/perf-comm.txt" | sort -rn || true
    echo "-- hottest symbols (self time):"
    perf report -i "$DIR/perf.data" --no-children --sort dso,symbol --stdio >"$DIR/perf.txt" 2>/dev/null || true
    grep -E '^ +[0-9.]+%' "$DIR/perf.txt" | sed -E 's/ +$//' | cut -c1-160 | head -n 25 || true
    echo "-- by shared object:"
    perf report -i "$DIR/perf.data" --no-children --sort dso --stdio 2>/dev/null >"$DIR/perf-dso.txt" || true
    grep -E '^ +[0-9.]+%' "$DIR/perf-dso.txt" | sed -E 's/ +$//' | head -n 12 || true
fi

# --- diagnosis (BENCH_DIAGNOSE=1) ------------------------------------------------------------
if [[ $DIAGNOSE == 1 ]]; then
    say "diagnosis: a second event committed (straight in SQL) 50 ms after the first publish answered, while the clients re-poll; $(load)"
    python3 "$BENCH/longpoll.py" longpoll --port "$PORT" --pid "$SERVE_PID" --postmaster-pid "$POSTMASTER_PID_FILE" \
        --tokens "$DIR/tokens.tsv" --conninfo "$CONNINFO" --clients "$CLIENTS" --rounds 3 --warmup-rounds 0 \
        --wait "$WAIT" --settle "$SETTLE" --second-after-ms 50 --second-via sql --json "$OUT/diagnosis-second-event.json" \
        | grep -vE '^ +[0-9]+  campaignd_app|by last statement'
    N=$(set -- $HTTP_CLIENTS; echo "$1")
    MAX_CURSOR=$(psql_value "SELECT coalesce(max(cursor), 0) FROM local.notifications")
    say "diagnosis: what a request costs the daemon, $N clients: /healthz (no database), the token check alone (limit=0: 422 before any SQL of the handler), an empty poll; $(load)"
    for spec in "/healthz 200" "/v1/notifications?limit=0 422" "/v1/notifications?after={after}&wait=0 200"; do
        set -- $spec
        python3 "$BENCH/longpoll.py" throughput --port "$PORT" --pid "$SERVE_PID" --postmaster-pid "$POSTMASTER_PID_FILE" \
            --tokens "$DIR/tokens.tsv" --clients "$N" --seconds "$DURATION" --after "$MAX_CURSOR" --path "$1" --expect "$2" \
            --driver "$HTTP_DRIVER" --json "$OUT/diagnosis-cost-$(echo "$1" | tr -c 'a-z0-9' '_').json"
    done
fi

# --- end ------------------------------------------------------------------------------------
say "summary; $(load)"
python3 "$BENCH/longpoll.py" summary --longpoll "$OUT/longpoll.json" --dir "$OUT" --clients $HTTP_CLIENTS
echo "daemon at the end: $(grep -E '^(VmRSS|VmHWM|Threads)' /proc/$SERVE_PID/status | tr -s ' \t' ' ' | paste -sd ';')"
echo "daemon log: $(wc -l <"$LOG") lines, $(grep -ciE 'error|warning|critical' "$LOG" || true) with error/warning/critical"
grep -iE 'error|warning|critical' "$LOG" | cut -c1-300 | sort | uniq -c | sort -rn | head -n 5 || true
if [[ $KEEP == 1 ]]; then cp "$LOG" "$OUT/"; fi
