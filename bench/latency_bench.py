"""Enqueue -> start latency of the job workers, woken by NOTIFY alone (driven by
bench/latency.sh; not a test).

Enqueues `noop` jobs one at a time, as the server's enqueue does: in one transaction,
INSERT INTO central.jobs ... then pg_notify('campaignd_jobs', kind); then COMMIT. The
workers run with a 60 s poll interval, so only the NOTIFY can wake them within the
run. Latency = the job's started_at (now() of the worker's claim transaction) minus
  * server: clock_timestamp() read in the enqueue transaction right before COMMIT
    (so it includes the COMMIT's own WAL flush), and
  * client: the client's clock when COMMIT returned (same machine, same clock).
"""

import argparse
import statistics
import sys
import time

import psycopg

p = argparse.ArgumentParser()
p.add_argument("--conninfo", required=True)
p.add_argument("--samples", type=int, default=300)
p.add_argument("--warmup", type=int, default=20)
p.add_argument("--spacing-ms", type=float, default=20.0)
p.add_argument("--goal-ms", type=float, default=5.0)
ARGS = p.parse_args()


def percentile(values, q):
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values):
    return (f"p50 {percentile(values, 0.50):6.2f}  p95 {percentile(values, 0.95):6.2f}  "
            f"p99 {percentile(values, 0.99):6.2f}  max {max(values):6.2f}  min {min(values):6.2f} ms")


STAT = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
stats = psycopg.connect(ARGS.conninfo, autocommit=True)
commits_before = stats.execute(STAT).fetchone()[0]
conn = psycopg.connect(ARGS.conninfo)  # not autocommit: each enqueue is one transaction
samples = []
spacing = ARGS.spacing_ms / 1000
total = ARGS.warmup + ARGS.samples
next_at = time.perf_counter()
for i in range(total):
    job_id, inserted = conn.execute(
        "INSERT INTO central.jobs (kind, created_by) VALUES ('noop', 'bench') RETURNING id, clock_timestamp()"
    ).fetchone()
    conn.execute("SELECT pg_notify('campaignd_jobs', 'noop')")
    before_commit = conn.execute("SELECT clock_timestamp()").fetchone()[0]
    conn.commit()
    committed = time.time()
    if i >= ARGS.warmup:
        samples.append((job_id, before_commit.timestamp(), committed))
    next_at += spacing
    pause = next_at - time.perf_counter()
    if pause > 0:
        time.sleep(pause)
    else:
        next_at = time.perf_counter()

ids = [s[0] for s in samples]
deadline = time.monotonic() + 30
queries = 0
with psycopg.connect(ARGS.conninfo, autocommit=True) as reader:
    while True:
        queries += 1
        left = reader.execute(
            "SELECT count(*) FROM central.jobs WHERE id = ANY(%s) AND status <> 'succeeded'", (ids,)
        ).fetchone()[0]
        if left == 0:
            break
        if time.monotonic() > deadline:
            sys.exit(f"latency_bench: {left} jobs still not succeeded after 30 s")
        time.sleep(0.1)
    rows = dict(
        (r[0], (r[1].timestamp(), r[2].timestamp()))
        for r in reader.execute(
            "SELECT id, started_at, finished_at FROM central.jobs WHERE id = ANY(%s)", (ids,)
        ).fetchall()
    )
    workers = reader.execute(
        "SELECT count(DISTINCT worker) FROM central.jobs WHERE id = ANY(%s)", (ids,)
    ).fetchone()[0]

# The workers' transactions: all commits of the database during the run, less the
# enqueues and this script's own reads (backends report their counters within a second
# or so of going idle, hence the pause).
time.sleep(2.5)
commits = stats.execute(STAT).fetchone()[0] - commits_before - total - queries - 4
server = [(rows[i][0] - before) * 1000 for i, before, _ in samples]
client = [(rows[i][0] - after) * 1000 for i, _, after in samples]
run = [(rows[i][1] - rows[i][0]) * 1000 for i, _, _ in samples]
print(f"{len(samples)} samples (after {ARGS.warmup} warm-up), one every {ARGS.spacing_ms:g} ms; "
      f"claimed by {workers} distinct workers")
print(f"started_at - clock_timestamp() before COMMIT : {summary(server)}")
print(f"started_at - client clock after COMMIT       : {summary(client)}")
print(f"noop job started_at -> finished_at            : {summary(run)}")
print(f"worker transactions per job: ~{commits / total:.2f} (its claim and its own transaction = 2, "
      f"+ 1 empty claim that ends the woken worker's drain loop, + 1 empty claim per other worker, "
      f"since every NOTIFY wakes every worker)")
p50 = percentile(server, 0.5)
print(f"goal p50 <= {ARGS.goal_ms:g} ms (server clock, COMMIT included): {'met' if p50 <= ARGS.goal_ms else 'NOT met'}")
