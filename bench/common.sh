# Shared by every benchmark script (sourced, not run): bench/backoffice.sh, cancel.sh,
# latency.sh, notifications.sh and throughput.sh.
#
# Builds the release daemon, makes a Python virtual environment for the benchmark
# helpers, starts `campaignd serve` on a private embedded cluster under /tmp (the
# first daemon starts the cluster, so it stops it last), and on exit stops every
# process it started (by pid) and deletes the folder.
#
# The sourcing script sets NAME (for messages) before sourcing.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BENCH_BIN:-$ROOT/.build/release/campaignd}  # BENCH_BIN: another build (before/after figures)
BENCH="$ROOT/bench"
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
KEEP=${BENCH_KEEP:-0}
# Python helpers run in their own virtual environment (psycopg, and pgqueuer for
# throughput.sh); it is made once and reused.
VENV=${BENCH_VENV:-$ROOT/.venv-bench}
PSYCOPG_VERSION=${BENCH_PSYCOPG_VERSION:-3.3.9}
PGQUEUER_VERSION=${BENCH_PGQUEUER_VERSION:-1.6.0}
ASYNCPG_VERSION=${BENCH_ASYNCPG_VERSION:-0.32.0}
T0=$(date +%s)

say() { printf '\n== %s (t+%ss)\n' "$*" "$(( $(date +%s) - T0 ))"; }
die() { echo "$NAME: $*" >&2; exit 1; }
positive() { # NAME...: each BENCH_NAME must be a positive whole number
    local n
    for n in "$@"; do
        [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || die "BENCH_$n must be a positive whole number (got '${!n}')"
    done
}

command -v psql >/dev/null || die "psql is needed (Debian package postgresql-client)"
command -v python3 >/dev/null || die "python3 is needed"

build() {
    if [[ $SKIP_BUILD != 1 ]]; then
        say "swift build -c release --product campaignd"
        (cd "$ROOT" && swift build -c release --product campaignd 2>&1 | tail -n 3)
    fi
    [[ -x $BIN ]] || die "$BIN is missing (build it, or unset BENCH_SKIP_BUILD)"
}

# python_env PACKAGE...: the virtual environment with these PyPI packages (pinned above).
python_env() {
    if [[ ! -x $VENV/bin/python ]]; then
        say "python3 -m venv $VENV"
        python3 -m venv "$VENV" || die "python3 -m venv failed (Debian package python3-venv)"
    fi
    if ! "$VENV/bin/python" - "$@" <<'PY' 2>/dev/null; then
import importlib.metadata as m, sys
for spec in sys.argv[1:]:
    name, _, version = spec.partition("==")
    name = name.split("[")[0]
    if m.version(name) != version:
        sys.exit(1)
PY
        say "pip install $*"
        "$VENV/bin/pip" install -q --disable-pip-version-check "$@" || die "pip install $* failed"
    fi
    PY="$VENV/bin/python"
}

DIR=$(mktemp -d /tmp/campaignd-$NAME.XXXXXX)
LOG="$DIR/campaignd.log"
CONNINFO="host=$DIR/run port=5432 user=postgres dbname=campaignd"
SERVE_PID=""
EXTRA_PIDS=()

# stop_pid PID [GRACE]: SIGTERM, wait up to GRACE seconds (default 90), then SIGKILL.
# Sets STOP_SECONDS (how long it took) and STOP_KILLED (1 when SIGKILL was needed).
stop_pid() {
    local pid=$1 grace=${2:-90} start=$SECONDS
    STOP_SECONDS=0 STOP_KILLED=0
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $(( grace * 10 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        STOP_KILLED=1
    fi
    wait "$pid" 2>/dev/null || true
    STOP_SECONDS=$(( SECONDS - start ))
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP PIPE
    # Finish the cleanup whatever happens to the output (a closed pipe, a lost terminal).
    set +e
    trap '' PIPE HUP
    local pid
    for pid in "${EXTRA_PIDS[@]}"; do stop_pid "$pid" 5; done
    # The serve process started the cluster: it stops it when it stops, so it goes last.
    # (Up to 60 s: the Upkeep service sleeps through graceful shutdown; see bench/JOBS.md.)
    if [[ -n $SERVE_PID ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
        echo "stopping the daemon (SIGTERM)"
        stop_pid "$SERVE_PID" 90
        echo "the daemon stopped ${STOP_SECONDS} s after SIGTERM$( (( STOP_KILLED )) && echo ' (killed after 90 s)')"
    fi
    # Should the daemon have died without stopping its cluster, stop the cluster here.
    if [[ -f $DIR/pgdata/postmaster.pid ]]; then
        local pgbin=${CAMPAIGND_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
        if [[ $(id -u) == 0 ]]; then
            runuser -u postgres -- "$pgbin/pg_ctl" stop -D "$DIR/pgdata" -m immediate >/dev/null 2>&1 || true
        else
            "$pgbin/pg_ctl" stop -D "$DIR/pgdata" -m immediate >/dev/null 2>&1 || true
        fi
    fi
    if (( status != 0 )) && [[ -f $LOG ]]; then
        echo "--- last lines of the daemon's log ($LOG)" >&2
        tail -n 20 "$LOG" >&2 || true
    fi
    if [[ $KEEP == 1 ]]; then
        echo "kept $DIR (BENCH_KEEP=1)"
    else
        rm -rf "$DIR"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# start_serve ARGS...: `campaignd serve --data-dir DIR --port 0 ARGS`; sets SERVE_PID and PORT.
start_serve() {
    say "campaignd serve --data-dir $DIR --port 0 $*"
    (cd "$ROOT" && exec "$BIN" serve --data-dir "$DIR" --port 0 "$@" 2>"$LOG" >/dev/null) &
    SERVE_PID=$!
    PORT=""
    for _ in $(seq 1 240); do
        kill -0 "$SERVE_PID" 2>/dev/null || die "the daemon exited before listening"
        # "... notice campaignd: address=[IPv4]127.0.0.1/127.0.0.1:PORT [campaignd] listening"
        PORT=$(sed -nE '/listening/s/.*address=[^ ]*:([0-9]+)( .*)?$/\1/p' "$LOG" 2>/dev/null | head -n 1)
        [[ -n $PORT ]] && break
        sleep 0.5
    done
    [[ -n $PORT ]] || die "the daemon did not log 'listening ... address=...:PORT' within 120 s"
    echo "daemon pid $SERVE_PID listening on 127.0.0.1:$PORT; database: psql \"$CONNINFO\""
}

psql_run() { psql "$CONNINFO" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_value() { psql "$CONNINFO" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

# The load average: other work on the machine skews every figure.
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

# Machine facts for the report.
machine_facts() {
    echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, $(uname -sr); $(load)"
    echo "postgres: $(psql_value 'SHOW server_version'); fsync=$(psql_value 'SHOW fsync'), synchronous_commit=$(psql_value 'SHOW synchronous_commit'), shared_buffers=$(psql_value 'SHOW shared_buffers')"
}

# seed_entities_with_tokens N: N local entities (E00001 …, contiguous ids) and one local
# token each, written to $DIR/tokens.tsv for bench/longpoll.py; sets FIRST_ID and LAST_ID.
# Into a fresh cluster only. Tokens are cdt_ + a 16-digit lookup (10^15 + i: decimal
# digits are hex digits, and pgbench can compute it) + 64 random hex digits; only their
# SHA-256 is stored.
seed_entities_with_tokens() {
    local n=$1 count
    say "seeding $n entities and one local token each"
    psql_run -v entities="$n" <<'SQL'
INSERT INTO central.entities (code, label, created_by)
SELECT 'E' || lpad(i::text, greatest(5, length(i::text)), '0'), 'Entity ' || i, 'bench'
FROM generate_series(1, :entities) AS i;
SQL
    read -r FIRST_ID LAST_ID count <<<"$(psql_value "SELECT min(id), max(id), count(*) FROM central.entities" | tr '|' ' ')"
    (( LAST_ID - FIRST_ID + 1 == count && count == n )) || die "entity ids are not contiguous: seed into a fresh cluster"
    python3 "$BENCH/longpoll.py" tokens --count "$n" --first-id "$FIRST_ID" \
        --copy-out "$DIR/api_tokens.copy" --tokens-out "$DIR/tokens.tsv"
    psql_run -c "\\copy central.api_tokens (lookup, secret_hash, entity_id, label) FROM '$DIR/api_tokens.copy'"
    rm -f "$DIR/api_tokens.copy"
}
