#!/usr/bin/env bash
# Scale-out benchmark (not a test): the same polling load with 0, 1 and 2 hot standbys
# (--replica-url). Reports, for each: empty polls per second over HTTP (wrk), the share
# of feed reads the primary served, the primary's CPU per 1,000 polls (on one shared
# machine, the figure that says what the standbys take off the primary), 1,000
# long-pollers' commit -> delivery latency through the standbys (goal p99 <= 500 ms),
# and the standbys' lag as /readyz saw it.
#
# Builds the release daemon; makes a private embedded cluster under /tmp (the primary,
# track_commit_timestamp on) and two standbys of it with pg_basebackup -R, each on its
# own socket folder; a first daemon keeps the primary running (it started it); for each
# count of standbys, a second daemon on the primary with that many --replica-url serves
# the load; everything is stopped and deleted at the end.
#
#   bash bench/scaleout.sh
#   BENCH_REPLICAS="0 2" BENCH_HTTP_CLIENTS=100 bash bench/scaleout.sh
set -euo pipefail
NAME=scaleout
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ENTITIES=${BENCH_ENTITIES:-1000}         # local entities, one token each; as many long-pollers
ROUNDS=${BENCH_ROUNDS:-3}                # measured publish rounds of the long-poll test
HTTP_CLIENTS=${BENCH_HTTP_CLIENTS:-50}   # wrk's connections for the empty polls
DURATION=${BENCH_SECONDS:-10}            # seconds of the empty-poll test
REPLICAS=${BENCH_REPLICAS-"0 1 2"}       # standby counts measured, in turn (empty: none, the fleet only)
FLEET=${BENCH_FLEET:-1}                  # 1: last, three daemons through PgBouncer with both standbys
positive ENTITIES ROUNDS HTTP_CLIENTS DURATION
for n in $REPLICAS; do [[ $n =~ ^[0-2]$ ]] || die "BENCH_REPLICAS: '$n' is not 0, 1 or 2"; done
command -v wrk >/dev/null || die "wrk is needed (Debian package wrk)"
command -v curl >/dev/null || die "curl is needed"
[[ $FLEET != 1 ]] || command -v pgbouncer >/dev/null || die "pgbouncer is needed for BENCH_FLEET=1 (Debian package pgbouncer)"
(( $(ulimit -n) > ENTITIES + 100 )) || ulimit -n $(( ENTITIES + 1000 )) 2>/dev/null || die "ulimit -n is too low"

build
OUT="$DIR/results"
mkdir -p "$OUT"
PGBIN=${CAMPAIGND_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# --- the primary, kept by a first daemon -----------------------------------------------------
say "campaignd migrate --data-dir $DIR (creates the primary); track_commit_timestamp = on"
(cd "$ROOT" && "$BIN" migrate --data-dir "$DIR" >"$DIR/migrate.log" 2>&1) || { cat "$DIR/migrate.log" >&2; die "migrate failed"; }
echo "track_commit_timestamp = on" | as_postgres tee -a "$DIR/pgdata/postgresql.auto.conf" >/dev/null
start_serve --workers 0 --pool-size 2
KEEPER_PORT=$PORT
SERVICE_CONNINFO="host=$DIR/run port=5432 user=campaignd_app dbname=campaignd"
machine_facts
CENTRAL_TOKEN=$(cd "$ROOT" && "$BIN" token create --central bench --data-dir "$DIR")
export BENCH_CENTRAL_TOKEN=$CENTRAL_TOKEN

seed_entities_with_tokens "$ENTITIES"
psql_run -c "VACUUM ANALYZE"

# --- two standbys ----------------------------------------------------------------------------
for i in 1 2; do
    say "standby $i: pg_basebackup -R, then pg_ctl start on $DIR/standby$i-run"
    install -d -m 0700 "$DIR/standby$i-run"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$DIR/standby$i-run"
    as_postgres "$PGBIN/pg_basebackup" -D "$DIR/standby$i" -R -X stream -c fast -h "$DIR/run" -p 5432 -U postgres
    as_postgres "$PGBIN/pg_ctl" start -w -D "$DIR/standby$i" -l "$DIR/standby$i.log" \
        -o "-k $DIR/standby$i-run -p 5432 -c listen_addresses=''" >/dev/null
    EXTRA_PIDS+=("$(head -n 1 "$DIR/standby$i/postmaster.pid")")
done
STANDBY_URLS=("host=$DIR/standby1-run port=5432 user=campaignd_app dbname=campaignd"
              "host=$DIR/standby2-run port=5432 user=campaignd_app dbname=campaignd")

# start_daemon LOG ARGS...: `campaignd ARGS` in the background, logging to LOG; sets
# STARTED_PID and STARTED_PORT (from its `listening` line), and stops it at exit.
start_daemon() {
    local log=$1
    shift
    (cd "$ROOT" && exec "$BIN" "$@" 2>"$log" >/dev/null) &
    STARTED_PID=$!
    EXTRA_PIDS=("$STARTED_PID" "${EXTRA_PIDS[@]}")
    STARTED_PORT=""
    for _ in $(seq 1 120); do
        STARTED_PORT=$(sed -nE '/listening/s/.*address=[^ ]*:([0-9]+)( .*)?$/\1/p' "$log" | head -n 1)
        [[ -n $STARTED_PORT ]] && return 0
        kill -0 "$STARTED_PID" 2>/dev/null || break
        sleep 0.5
    done
    die "the daemon did not start: $(tail -n 5 "$log")"
}

metric() { # PORT NAME-PREFIX: the sum of the daemon's metric lines starting so
    curl -s "http://127.0.0.1:$1/metrics" | awk -v p="$2" 'index($0, p) == 1 { s += $NF } END { printf "%.0f", s + 0 }'
}

for R in $REPLICAS; do
    ARGS=(serve --database-url "$SERVICE_CONNINFO" --port 0 --allow-self-approval --pool-size 10)
    for (( i = 0; i < R; i++ )); do ARGS+=(--replica-url "${STANDBY_URLS[$i]}"); done
    say "$R standbys: campaignd ${ARGS[*]:0:6} … ($(load))"
    start_daemon "$DIR/daemon-$R.log" "${ARGS[@]}"
    DAEMON=$STARTED_PID
    P=$STARTED_PORT
    for _ in $(seq 1 60); do
        USED=$(curl -s "http://127.0.0.1:$P/readyz" | python3 -c 'import json,sys; print(sum(r["used"] for r in json.load(sys.stdin).get("replicas", [])))')
        (( USED == R )) && break
        sleep 0.5
    done
    (( USED == R )) || die "only $USED of $R standbys in use"
    # The standbys' lag as /readyz reports it, sampled every 0.2 s during the measures.
    ( while kill -0 "$DAEMON" 2>/dev/null; do
          curl -s "http://127.0.0.1:$P/readyz" | python3 -c 'import json,sys; print(" ".join(str(r["lag_seconds"]) for r in json.load(sys.stdin).get("replicas", [])))' 2>/dev/null || true
          sleep 0.2
      done >"$OUT/lag-$R.txt" ) &
    LAGGER=$!

    python3 "$BENCH/longpoll.py" longpoll --port "$P" --pid "$DAEMON" --postmaster-pid "$DIR/pgdata/postmaster.pid" \
        --tokens "$DIR/tokens.tsv" --conninfo "$CONNINFO" --clients "$ENTITIES" --rounds "$ROUNDS" --warmup-rounds 1 \
        --wait 30 --settle 2 --json "$OUT/longpoll-$R.json" | grep -E "LONG POLL|commit -> delivery|undelivered" || true
    MAX_CURSOR=$(psql_value "SELECT coalesce(max(cursor), 0) FROM local.notifications")
    PRIMARY_BEFORE=$(metric "$P" campaignd_primary_reads_total)
    REPLICA_BEFORE=$(metric "$P" campaignd_replica_reads_total)
    python3 "$BENCH/longpoll.py" throughput --port "$P" --pid "$DAEMON" --postmaster-pid "$DIR/pgdata/postmaster.pid" \
        --tokens "$DIR/tokens.tsv" --clients "$HTTP_CLIENTS" --seconds "$DURATION" --after "$MAX_CURSOR" \
        --json "$OUT/http-$R.json" | sed -n 1,2p
    PRIMARY_READS=$(( $(metric "$P" campaignd_primary_reads_total) - PRIMARY_BEFORE ))
    REPLICA_READS=$(( $(metric "$P" campaignd_replica_reads_total) - REPLICA_BEFORE ))
    kill "$LAGGER" 2>/dev/null || true
    stop_pid "$DAEMON" 30
    python3 - "$OUT" "$R" "$PRIMARY_READS" "$REPLICA_READS" <<'PY'
import json, sys
out, r, primary, replica = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
http = json.load(open(f"{out}/http-{r}.json"))
poll = json.load(open(f"{out}/longpoll-{r}.json"))
lags = [float(x) for line in open(f"{out}/lag-{r}.txt") for x in line.split() if x not in ("None", "null")]
reads = primary + replica
# Without standbys the daemon counts no reads by pool: every feed statement is the primary's.
share = 1.0 if r == 0 else (primary / reads if reads else float("nan"))
cpu = http["cpu"]["postgres_cpu_s"] or 0
p99 = poll["latency_from_commit"]["p99"]
summary = {"replicas": r, "polls_per_s": http["rps"], "polls": http["requests"], "primary_reads": primary,
           "replica_reads": replica, "primary_share": share,
           "primary_cpu_ms_per_1000_polls": cpu / http["requests"] * 1e6 if http["requests"] else None,
           "longpoll_p99_ms": p99, "longpoll_p50_ms": poll["latency_from_commit"]["p50"],
           "lag_max_s": max(lags) if lags else None}
json.dump(summary, open(f"{out}/summary-{r}.json", "w"))
print(f"RESULT {r} standbys: {http['rps']:.0f} empty polls/s; feed reads on the primary {share * 100:.0f} % "
      f"({primary} primary, {replica} standbys); primary CPU {summary['primary_cpu_ms_per_1000_polls']:.0f} ms "
      f"per 1,000 polls; 1,000 long polls commit -> delivery p50 {summary['longpoll_p50_ms']:.0f} ms, p99 {p99:.0f} ms "
      f"(goal <= 500); standby lag seen at most {summary['lag_max_s'] if lags else 'n/a'} s")
PY
done

# --- three daemons, PgBouncer, two standbys ---------------------------------------------------
if [[ $FLEET == 1 ]]; then
    say "three daemons through PgBouncer (transaction pooling, 10 server connections), both standbys ($(load))"
    install -d "$DIR/pgbouncer"
    [[ $(id -u) == 0 ]] && chown postgres:postgres "$DIR/pgbouncer"
    BOUNCER_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    printf '"campaignd_app" ""\n' >"$DIR/pgbouncer/users.txt"
    cat >"$DIR/pgbouncer/pgbouncer.ini" <<INI
[databases]
campaignd = host=$DIR/run port=5432 dbname=campaignd
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/pgbouncer/users.txt
pool_mode = transaction
default_pool_size = 10
max_client_conn = 2000
logfile = $DIR/pgbouncer/pgbouncer.log
pidfile = $DIR/pgbouncer/pgbouncer.pid
INI
    chmod 0644 "$DIR/pgbouncer/"*
    as_postgres pgbouncer -d "$DIR/pgbouncer/pgbouncer.ini"
    for _ in $(seq 1 50); do [[ -s $DIR/pgbouncer/pgbouncer.pid ]] && break; sleep 0.1; done
    EXTRA_PIDS=("$(cat "$DIR/pgbouncer/pgbouncer.pid")" "${EXTRA_PIDS[@]}")
    FLEET_PORTS=(); FLEET_PIDS=()
    for d in 1 2 3; do
        start_daemon "$DIR/fleet-$d.log" serve --port 0 --pool-size 10 --allow-self-approval \
            --database-url "host=127.0.0.1 port=$BOUNCER_PORT user=campaignd_app dbname=campaignd" \
            --listen-url "$SERVICE_CONNINFO" --replica-url "${STANDBY_URLS[0]}" --replica-url "${STANDBY_URLS[1]}"
        FLEET_PIDS+=("$STARTED_PID")
        P=$STARTED_PORT
        FLEET_PORTS+=("$P")
    done
    sleep 2  # the standbys checked once by each daemon
    MAX_CURSOR=$(psql_value "SELECT coalesce(max(cursor), 0) FROM local.notifications")
    before=(); for P in "${FLEET_PORTS[@]}"; do before+=("$(metric "$P" campaignd_primary_reads_total) $(metric "$P" campaignd_replica_reads_total)"); done
    RUNS=()
    for d in 0 1 2; do
        python3 "$BENCH/longpoll.py" throughput --port "${FLEET_PORTS[$d]}" --pid "${FLEET_PIDS[$d]}" \
            --postmaster-pid "$DIR/pgdata/postmaster.pid" --tokens "$DIR/tokens.tsv" --clients $(( HTTP_CLIENTS / 3 + 1 )) \
            --seconds "$DURATION" --after "$MAX_CURSOR" --wrk-threads 1 --json "$OUT/fleet-$d.json" >"$OUT/fleet-$d.txt" &
        RUNS+=("$!")
    done
    wait "${RUNS[@]}" || die "a fleet run failed: $(cat "$OUT"/fleet-*.txt)"
    PRIMARY_READS=0; REPLICA_READS=0
    for i in 0 1 2; do
        read -r p0 r0 <<<"${before[$i]}"
        PRIMARY_READS=$(( PRIMARY_READS + $(metric "${FLEET_PORTS[$i]}" campaignd_primary_reads_total) - p0 ))
        REPLICA_READS=$(( REPLICA_READS + $(metric "${FLEET_PORTS[$i]}" campaignd_replica_reads_total) - r0 ))
    done
    python3 - "$OUT" "$PRIMARY_READS" "$REPLICA_READS" <<'PY'
import json, sys
out, primary, replica = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
runs = [json.load(open(f"{out}/fleet-{d}.json")) for d in range(3)]
requests = sum(r["requests"] for r in runs)
rps = sum(r["rps"] for r in runs)
# The three runs share one window: each measured the primary's whole CPU in it.
cpu = max(r["cpu"]["postgres_cpu_s"] or 0 for r in runs)
reads = primary + replica
print(f"RESULT fleet (3 daemons, PgBouncer, 2 standbys): {rps:.0f} empty polls/s in all; feed reads on the primary "
      f"{(primary / reads * 100) if reads else float('nan'):.0f} % ({primary} primary, {replica} standbys); "
      f"primary CPU {cpu / requests * 1e6:.0f} ms per 1,000 polls; per daemon " + ", ".join(f"{r['rps']:.0f}/s" for r in runs))
PY
fi

say "summary ($(load))"
for R in $REPLICAS; do cat "$OUT/summary-$R.json"; echo; done
