#!/usr/bin/env bash
# Job queue throughput benchmark (not a test): how fast N campaignd workers drain a
# pre-filled queue of `noop` jobs, side by side with pgqueuer (PyPI) draining the same
# number of no-op jobs from its own tables on the same PostgreSQL server, in the same
# run. Builds the release daemon, starts `campaignd serve --workers 0` on a private
# cluster under /tmp (it owns the cluster), installs pgqueuer's schema `pgq` there,
# then for each N runs `campaignd worker --workers N` and N pgqueuer processes in turn,
# stops everything and deletes the cluster. See bench/JOBS.md.
#
#   bash bench/throughput.sh
#   BENCH_JOBS=5000 BENCH_WORKER_COUNTS="2 4" BENCH_PGQ_BATCHES=10 bash bench/throughput.sh
set -euo pipefail
NAME=throughput
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

JOBS=${BENCH_JOBS:-20000}                     # jobs in the queue at the start of each run
WORKER_COUNTS=${BENCH_WORKER_COUNTS:-"1 2 4 8"}  # campaignd workers = pgqueuer processes
PGQ_BATCHES=${BENCH_PGQ_BATCHES:-"1 10"}      # pgqueuer batch sizes (10 is its default)
TIMEOUT=${BENCH_TIMEOUT:-600}                 # seconds one run may take
positive JOBS TIMEOUT
for n in $WORKER_COUNTS $PGQ_BATCHES; do
    [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || die "BENCH_WORKER_COUNTS and BENCH_PGQ_BATCHES are lists of positive whole numbers"
done

build
python_env "psycopg[binary]==$PSYCOPG_VERSION" "pgqueuer==$PGQUEUER_VERSION" "asyncpg==$ASYNCPG_VERSION"
start_serve --workers 0
machine_facts
# pgqueuer reaches the same cluster through libpq's variables, set for its commands
# alone (campaignd would take them for an external database).
pgq_env() {
    env PGHOST="$DIR/run" PGPORT=5432 PGUSER=postgres PGDATABASE=campaignd PGQUEUER_SCHEMA=pgq "$@"
}
say "pgq install (schema pgq, durable tables)"
psql_run -c "CREATE SCHEMA pgq"
pgq_env "$VENV/bin/pgq" install 2>&1 | tail -n 1
echo "pgqueuer $("$PY" -c 'import pgqueuer; print(pgqueuer.__version__)'), asyncpg $("$PY" -c 'import asyncpg; print(asyncpg.__version__)'), $("$PY" --version)"

# counters SUFFIX: commits of this database, WAL syncs and WAL position, into shell variables.
counters() {
    local row
    row=$(psql_value "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())
                             || ' ' || (SELECT wal_sync FROM pg_stat_wal) || ' ' || pg_current_wal_lsn()")
    read -r "commits_$1" "syncs_$1" "lsn_$1" <<<"$row"
}
# report SIDE N SETTINGS SECONDS: one result line, with the costs per job since `counters before`.
RESULTS=()
report() {
    sleep 1.5 # backends report their statistics within a second
    counters after
    local bytes per_job
    bytes=$(psql_value "SELECT pg_wal_lsn_diff('$lsn_after', '$lsn_before')")
    per_job=$(awk -v j="$JOBS" -v s="$4" -v c=$((commits_after - commits_before)) -v w=$((syncs_after - syncs_before)) -v b="$bytes" \
        'BEGIN { printf "%8.0f jobs/s  (%6.2f s; per job: %4.2f commits, %4.2f WAL syncs, %5.0f WAL bytes)", j / s, s, c / j, w / j, b / j }')
    RESULTS+=("$1|$2|$3|$(awk -v j="$JOBS" -v s="$4" 'BEGIN { printf "%.1f", j / s }')")
    printf '%-10s N=%-2s %-34s %s\n' "$1" "$2" "$3" "$per_job"
}

wait_until() { # SQL: polls every 0.25 s until SQL returns t
    local deadline=$(( $(date +%s) + TIMEOUT ))
    until [[ $(psql_value "$1") == t ]]; do
        (( $(date +%s) < deadline )) || die "timed out after $TIMEOUT s waiting for: $1"
        sleep 0.25
    done
}

run_campaignd() { # N
    local n=$1 pid
    psql_run -c "DELETE FROM central.jobs WHERE kind = 'noop'" -c "VACUUM (ANALYZE) central.jobs" \
        -c "INSERT INTO central.jobs (kind, created_by) SELECT 'noop', 'bench' FROM generate_series(1, $JOBS)" \
        -c "VACUUM (ANALYZE) central.jobs" -c "CHECKPOINT"
    counters before
    (cd "$ROOT" && exec "$BIN" worker --data-dir "$DIR" --workers "$n" 2>"$DIR/worker-$n.log" >/dev/null) &
    pid=$!
    EXTRA_PIDS+=("$pid")
    wait_until "SELECT NOT EXISTS (SELECT 1 FROM central.jobs WHERE kind = 'noop' AND status <> 'succeeded')"
    # The workers are idle now. Up to 60 s to stop on SIGTERM (Upkeep sleeps through a
    # graceful shutdown, see bench/JOBS.md): an idle worker is killed after 5 s instead.
    stop_pid "$pid" 5
    if (( STOP_KILLED )); then echo "  (the idle worker process had not exited 5 s after SIGTERM: killed)"; fi
    local seconds
    seconds=$(psql_value "SELECT extract(epoch FROM max(finished_at) - min(started_at)) FROM central.jobs WHERE kind = 'noop'")
    [[ $(psql_value "SELECT count(*) FROM central.jobs WHERE kind = 'noop' AND status = 'succeeded' AND attempts = 1") == "$JOBS" ]] \
        || die "campaignd: not every job succeeded at its first attempt"
    report campaignd "$n" "1 process, $n workers, 10 jobs per claim" "$seconds"
}

run_pgqueuer() { # N BATCH
    local n=$1 batch=$2 i pids=()
    psql_run -c "TRUNCATE pgq.pgqueuer, pgq.pgqueuer_log, pgq.pgqueuer_statistics"
    pgq_env "$PY" "$BENCH/pgq_noop.py" enqueue "$JOBS"
    psql_run -c "VACUUM (ANALYZE) pgq.pgqueuer, pgq.pgqueuer_log" -c "CHECKPOINT"
    counters before
    for (( i = 0; i < n; i++ )); do
        pgq_env "$PY" "$BENCH/pgq_noop.py" work "$batch" 2>>"$DIR/pgqueuer.log" &
        pids+=($!)
        EXTRA_PIDS+=("$!")
    done
    for i in "${pids[@]}"; do wait "$i" || die "a pgqueuer process failed (see $DIR/pgqueuer.log)"; done
    [[ $(psql_value "SELECT count(*) FROM pgq.pgqueuer_log WHERE status = 'successful'") == "$JOBS" \
        && $(psql_value "SELECT count(*) FROM pgq.pgqueuer") == 0 ]] || die "pgqueuer: not every job succeeded"
    local seconds
    seconds=$(psql_value "SELECT extract(epoch FROM (SELECT max(created) FROM pgq.pgqueuer_log WHERE status = 'successful')
                                              - (SELECT min(created) FROM pgq.pgqueuer_log WHERE status = 'picked'))")
    report pgqueuer "$n" "$n processes, batch_size=$batch" "$seconds"
}

say "throughput: $JOBS jobs per run; N in $WORKER_COUNTS; pgqueuer batch sizes $PGQ_BATCHES"
for n in $WORKER_COUNTS; do
    run_campaignd "$n"
    for batch in $PGQ_BATCHES; do run_pgqueuer "$n" "$batch"; done
done

say "summary (jobs/s; ratio = campaignd / pgqueuer, goal >= 1.0)"
printf '%-4s %12s' N campaignd
for batch in $PGQ_BATCHES; do printf ' %16s %8s' "pgqueuer b=$batch" ratio; done
echo
for n in $WORKER_COUNTS; do
    ours=""
    declare -A theirs=()
    for r in "${RESULTS[@]}"; do
        IFS='|' read -r side rn settings rate <<<"$r"
        [[ $rn == "$n" ]] || continue
        if [[ $side == campaignd ]]; then ours=$rate; else theirs[${settings##*=}]=$rate; fi
    done
    printf '%-4s %12s' "$n" "$ours"
    for batch in $PGQ_BATCHES; do
        printf ' %16s %8s' "${theirs[$batch]}" "$(awk -v a="$ours" -v b="${theirs[$batch]}" 'BEGIN { printf "%.2f", a / b }')"
    done
    echo
    unset theirs
done
echo "$(load)"
say "done"
