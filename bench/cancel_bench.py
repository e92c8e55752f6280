"""Cancel fan-out benchmark (driven by bench/cancel.sh; not a test).

Two collaborative packages A and B, each with the same audience (every entity, given
as a list of codes or as "all"), the same number of orders of the current revision
(60 % pending approval, 40 % approved) and the same running processes, published.
Each round cancels A through the API (POST /v1/packages/A/cancel, then waits for
the job) and B with the hand-written script bench/cancel_by_hand.sql in one psql
transaction; the next round reinitializes both (revision + 1) and seeds them again.
Which side goes first alternates from round to round. The first --runs rounds wait
for the job by polling GET /v1/jobs/{id} every --poll-ms; the next --runs rounds by
LISTEN (the job's commit sends NOTIFY campaignd_notifications), then one GET: the
polling loads the 2-core machine while the job runs. The database also holds
--other-orders orders of other packages.

Optionally a last, unmeasured profile round: EXPLAIN (ANALYZE, BUFFERS) of the job's
two big statements (in a transaction rolled back), then one API cancel with
log_min_duration_statement = 0, and the job transaction's statements as the server
logged them.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import daemon_api  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--conninfo", required=True)
    p.add_argument("--sql-file", required=True)
    p.add_argument("--minimal-sql-file", required=True)
    p.add_argument("--server-log", required=True)
    p.add_argument("--entities", type=int, default=10000)
    p.add_argument("--orders", type=int, default=10000)
    p.add_argument("--processes", type=int, default=4)
    p.add_argument("--other-orders", type=int, default=200000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--audience", choices=["list", "all"], default="list")
    p.add_argument("--poll-ms", type=float, default=5.0)
    p.add_argument("--sql-role", default="auto")
    p.add_argument("--profile", type=int, default=1)
    p.add_argument("--goal-ratio", type=float, default=1.3)
    p.add_argument("--goal-minimal-ratio", type=float, default=2.5)
    p.add_argument("--goal-ms", type=float, default=1000.0)
    return p.parse_args()


ARGS = parse_args()
COMMENT = "benchmark: cancelled by the head office"


class API(daemon_api.API):
    """The daemon's API, and waiting for a job."""

    def __init__(self, port, token):
        super().__init__(port, token, name="cancel_bench")

    def wait_job(self, job_id, poll_s):
        """Polls the job until it is no longer queued or running; returns it."""
        while True:
            job = self.request("GET", f"/v1/jobs/{job_id}")
            if job["status"] in ("succeeded", "failed"):
                if job["status"] != "succeeded":
                    sys.exit(f"cancel_bench: job {job_id} failed: {job.get('last_error')}")
                return job
            time.sleep(poll_s)


def ts(text):
    """RFC 3339 (…Z, milliseconds) to seconds since the epoch."""
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


api = API(ARGS.port, ARGS.token)
db = psycopg.connect(ARGS.conninfo, autocommit=True)
poll_s = ARGS.poll_ms / 1000


def sql(query, params=None):
    return db.execute(query, params or {})


# --- seed ---------------------------------------------------------------------------------
existing = sql("SELECT count(*) FROM central.entities").fetchone()[0]
if existing == 0:
    sql(
        """INSERT INTO central.entities (code, label, created_by)
           SELECT 'E' || lpad(i::text, 6, '0'), 'Entity ' || i, 'bench' FROM generate_series(1, %(n)s) AS i""",
        {"n": ARGS.entities},
    )
codes = [r[0] for r in sql("SELECT code FROM central.entities ORDER BY id").fetchall()]
if len(codes) != ARGS.entities:
    sys.exit(f"cancel_bench: the database has {len(codes)} entities, expected {ARGS.entities}")
if ARGS.orders > ARGS.entities:
    sys.exit("cancel_bench: one order per entity and revision: BENCH_ORDERS must be <= BENCH_ENTITIES")
# Background: orders of other (local, published) packages, so that the planner sees a
# database where the package's orders are a small part of local.orders. Order k is
# entity k mod E's order of the (k div E)-th package: every (entity, package) pair once.
if ARGS.other_orders > 0 and sql("SELECT count(*) FROM local.orders").fetchone()[0] == 0:
    others = -(-ARGS.other_orders // ARGS.entities)
    first = sql(
        """INSERT INTO central.packages (label, type, campaign_name, campaign_folder, status, created_by, updated_by)
           SELECT 'Background ' || i, 'local', 'Background ' || i, '/bench/background', 'published', 'bench', 'bench'
           FROM generate_series(1, %(n)s) AS i RETURNING id""",
        {"n": others},
    ).fetchone()[0]
    sql(
        """INSERT INTO local.orders (entity_id, package_id, revision, label, status, single, created_by, updated_by,
                                     cancelled_at, cancelled_by, cancel_reason)
           SELECT e.id, %(first)s + k / %(e)s, 1, 'Background order ' || k, s.status, true, 'bench', 'bench',
                  CASE WHEN s.status = 'cancelled' THEN now() END, CASE WHEN s.status = 'cancelled' THEN 'bench' END,
                  CASE WHEN s.status = 'cancelled' THEN 'cancelled_by_entity' END
           FROM generate_series(0, %(n)s - 1) AS k
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM central.entities) AS e ON e.i = k %% %(e)s
           CROSS JOIN LATERAL (SELECT (ARRAY['pending_approval', 'approved', 'approved', 'approved', 'rejected',
                                             'cancelled'])[1 + k %% 6] AS status) AS s""",
        {"first": first, "e": ARGS.entities, "n": ARGS.other_orders},
    )
    sql("VACUUM (ANALYZE) local.orders")


# The hand-written SQL runs as the role the daemon serves as (on the embedded cluster a
# login role that is no superuser, so row level security applies to it), so that both
# sides do the same work; "auto" takes the role of the daemon's own connections.
if ARGS.sql_role == "auto":
    roles = [r[0] for r in sql(
        """SELECT DISTINCT usename FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename IS NOT NULL""").fetchall()]
    ARGS.sql_role = "campaignd_app" if "campaignd_app" in roles else "postgres"
SQL_ROLE = ARGS.sql_role
ROLE_BYPASSES_RLS = sql(
    "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %(r)s", {"r": SQL_ROLE}).fetchone()[0]


def create_package(label):
    body = {"label": label, "type": "collaborative", "campaign_name": f"{label} campaign",
            "campaign_folder": "/bench/cancel", "description": "cancel benchmark"}
    body["audience"] = codes if ARGS.audience == "list" else None
    return int(api.request("POST", "/v1/packages", body)["id"])


PUBLISH_MS = []  # POST /publish of package A: the broadcast (offers and one notification per entity)


def prepare(package_id, first, timed=False):
    """Publishes the package (reinitializing it first after a cancel), seeds its orders
    of the current revision and registers its processes. Returns the revision."""
    if not first:
        job = api.request("POST", f"/v1/packages/{package_id}/reinitialize", {"comment": "next round"})["job"]
        api.wait_job(job["id"], 0.02)
    for action in ("submit", "approve", "publish"):
        start = time.perf_counter()
        api.request("POST", f"/v1/packages/{package_id}/{action}", {})
        if timed and action == "publish":
            PUBLISH_MS.append((time.perf_counter() - start) * 1000)
    revision = sql("SELECT revision FROM central.packages WHERE id = %(p)s", {"p": package_id}).fetchone()[0]
    sql(
        """INSERT INTO local.orders (entity_id, package_id, revision, label, status, single,
                                     created_by, updated_by, decided_at, decided_by)
           SELECT e.id, %(p)s, %(r)s, 'Order of ' || e.code,
                  CASE WHEN n %% 5 < 3 THEN 'pending_approval' ELSE 'approved' END, true,
                  'entity:' || e.code, 'entity:' || e.code,
                  CASE WHEN n %% 5 >= 3 THEN now() END, CASE WHEN n %% 5 >= 3 THEN 'operator:bench' END
           FROM (SELECT id, code, row_number() OVER (ORDER BY id) AS n FROM central.entities) AS e
           WHERE n <= %(o)s""",
        {"p": package_id, "r": revision, "o": ARGS.orders},
    )
    for i in range(ARGS.processes):
        kind = "workflow" if i % 2 == 0 else "delivery"
        api.request("POST", f"/v1/packages/{package_id}/processes", {"kind": kind, "name": f"{kind} {i + 1}"})
    return revision


# The yardstick of the schema's weight (bench/cancel_minimal.sql): bare copies of the
# tables the job writes, each with its primary key (and orders with the one index its
# search needs), nothing else. They hold the same rows as the real ones: package B's,
# copied each round before its cancel, and the rest of the orders and notifications.
BARE = [
    # (table, copied from, primary key)
    ("orders", "local.orders", "entity_id, id"),
    ("notifications", "local.notifications", "entity_id, cursor"),
    ("package_offers", "local.package_offers", "package_id, revision, entity_id"),
    ("packages", "central.packages", "id"),
    ("reference_campaigns", "central.reference_campaigns", "package_id"),
    ("processes", "central.processes", "id"),
    ("process_events", "central.process_events", "id"),
    ("audit_journal", "central.audit_journal", "id"),
]


def make_bare():
    sql("DROP SCHEMA IF EXISTS bare CASCADE")
    sql("CREATE SCHEMA bare")
    for table, source, key in BARE:
        sql(f"CREATE TABLE bare.{table} (LIKE {source} INCLUDING DEFAULTS INCLUDING IDENTITY, PRIMARY KEY ({key}))")
    sql("CREATE INDEX ON bare.orders (package_id, revision)")
    sql("INSERT INTO bare.orders OVERRIDING SYSTEM VALUE SELECT * FROM local.orders")
    sql("INSERT INTO bare.notifications SELECT * FROM local.notifications")
    sql(f"GRANT USAGE ON SCHEMA bare TO {SQL_ROLE}")
    sql(f"GRANT ALL ON ALL TABLES IN SCHEMA bare TO {SQL_ROLE}")
    sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA bare TO {SQL_ROLE}")


def copy_to_bare(package_id, revision):
    """Package B's rows of this round, as the job and the hand SQL find them."""
    p = {"p": package_id, "r": revision}
    sql("INSERT INTO bare.orders OVERRIDING SYSTEM VALUE SELECT * FROM local.orders WHERE package_id = %(p)s AND revision = %(r)s", p)
    for table in ("package_offers", "reference_campaigns", "processes"):
        source = dict((t, src) for t, src, _ in BARE)[table]
        sql(f"DELETE FROM bare.{table} WHERE package_id = %(p)s", p)
        sql(f"INSERT INTO bare.{table} OVERRIDING SYSTEM VALUE SELECT * FROM {source} WHERE package_id = %(p)s", p)
    sql("DELETE FROM bare.packages WHERE id = %(p)s", p)
    sql("INSERT INTO bare.packages OVERRIDING SYSTEM VALUE SELECT * FROM central.packages WHERE id = %(p)s", p)


def settle():
    """Same starting conditions for both sides: no autovacuum debt, a fresh checkpoint."""
    sql("VACUUM (ANALYZE) local.orders, local.notifications, central.packages, central.jobs, central.processes")
    sql("VACUUM (ANALYZE) bare.orders, bare.notifications, bare.packages, bare.processes, bare.package_offers")
    sql("CHECKPOINT")


def effects(package_id, revision):
    row = sql(
        """SELECT (SELECT status FROM central.packages WHERE id = %(p)s),
                  (SELECT count(*) FROM local.orders WHERE package_id = %(p)s AND revision = %(r)s
                      AND status = 'cancelled' AND cancel_reason = 'package_cancelled'),
                  (SELECT count(*) FROM local.notifications WHERE package_id = %(p)s AND revision = %(r)s
                      AND kind = 'package_cancelled'),
                  (SELECT count(*) FROM central.processes WHERE package_id = %(p)s AND archived_at IS NULL
                      AND status = 'stopped'),
                  (SELECT status FROM central.reference_campaigns WHERE package_id = %(p)s)""",
        {"p": package_id, "r": revision},
    ).fetchone()
    return {"package": row[0], "orders_cancelled": row[1], "notifications": row[2],
            "processes_stopped": row[3], "reference_campaign": row[4]}


listener = psycopg.connect(ARGS.conninfo, autocommit=True)
listener.execute("LISTEN campaignd_notifications")


def cancel_api(package_id, wait):
    """POST /cancel, then wait for the job: `poll` GETs it every --poll-ms; `listen`
    waits for the NOTIFY campaignd_notifications that the job's transaction sends as it
    commits (it wrote notification rows), then GETs it once (polling from then on, in
    the unexpected case it is not yet succeeded)."""
    for _ in listener.notifies(timeout=0.01):  # drop older wake-ups
        pass
    start = time.perf_counter()
    job = api.request("POST", f"/v1/packages/{package_id}/cancel", {"comment": COMMENT})["job"]
    accepted = time.perf_counter()
    if wait == "listen":
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any(n.payload == "package_cancelled" for n in listener.notifies(timeout=1, stop_after=1)):
                break
    job = api.wait_job(job["id"], poll_s)
    done = time.perf_counter()
    return {
        "wait": wait,
        "post_ms": (accepted - start) * 1000,
        "e2e_ms": (done - start) * 1000,
        "wait_ms": (ts(job["started_at"]) - ts(job["created_at"])) * 1000,
        "job_ms": (ts(job["finished_at"]) - ts(job["started_at"])) * 1000,
    }


def cancel_sql(package_id, revision, sql_file):
    conninfo = re.sub(r"user=\S+", f"user={SQL_ROLE}", ARGS.conninfo)
    command = ["psql", conninfo, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"pkg={package_id}",
               "-v", f"rev={revision}", "-v", f"audience_all={'true' if ARGS.audience == 'all' else 'false'}",
               "-v", f"comment={COMMENT}", "-v", "actor=operator:bench", "-f", sql_file]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"cancel_bench: psql -f {sql_file} failed ({done.returncode}): {done.stderr.strip()}")
    out = done.stdout
    times = [float(t) for t in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)]
    return {"statements_ms": sum(times), "wall_ms": wall * 1000, "statements": len(times)}


def fmt(values):
    return f"median {statistics.median(values):7.1f}  min {min(values):7.1f}  max {max(values):7.1f}"


# --- rounds ---------------------------------------------------------------------------------
print(f"audience: {ARGS.audience} ({ARGS.entities} entities); orders per round: {ARGS.orders} "
      f"(60 % pending_approval, 40 % approved); processes: {ARGS.processes}; "
      f"orders of other packages: {ARGS.other_orders}; rounds: {ARGS.runs} polling + {ARGS.runs} listening")
print(f"hand-written SQL runs as role {SQL_ROLE} (row level security "
      f"{'bypassed' if ROLE_BYPASSES_RLS else 'applies'}, as for the daemon's connections)")
package_a = create_package("Cancel bench A (API)")
package_b = create_package("Cancel bench B (hand SQL)")
make_bare()
api_results, sql_results, bare_results = [], [], []
for run in range(1, 2 * ARGS.runs + 1):
    setup = time.perf_counter()
    rev_a = prepare(package_a, run == 1, timed=True)
    rev_b = prepare(package_b, run == 1)
    copy_to_bare(package_b, rev_b)
    settle()
    setup = time.perf_counter() - setup
    # Which side goes first turns from round to round.
    order = ["api", "sql", "bare"][run % 3:] + ["api", "sql", "bare"][:run % 3]
    for side in order:
        if side == "api":
            api_results.append(cancel_api(package_a, "poll" if run <= ARGS.runs else "listen"))
        elif side == "sql":
            sql_results.append(cancel_sql(package_b, rev_b, ARGS.sql_file))
        else:
            bare_results.append(cancel_sql(package_b, rev_b, ARGS.minimal_sql_file))
    ea, eb = effects(package_a, rev_a), effects(package_b, rev_b)
    bare_rows = sql("""SELECT (SELECT count(*) FROM bare.orders WHERE package_id = %(p)s AND revision = %(r)s
                                  AND status = 'cancelled'),
                              (SELECT count(*) FROM bare.notifications WHERE package_id = %(p)s AND revision = %(r)s
                                  AND kind = 'package_cancelled')""", {"p": package_b, "r": rev_b}).fetchone()
    a, b, m = api_results[-1], sql_results[-1], bare_results[-1]
    print(f"round {run} (revision {rev_a}, setup {setup:.1f} s, {' then '.join(order)}, API waits by {a['wait']}): "
          f"publish {PUBLISH_MS[-1]:.1f} ms; cancel: API POST {a['post_ms']:.1f} ms, POST->succeeded {a['e2e_ms']:.1f} ms "
          f"(queued {a['wait_ms']:.1f} ms, job {a['job_ms']:.1f} ms) | hand SQL {b['statements_ms']:.1f} ms "
          f"| minimal schema {m['statements_ms']:.1f} ms | job / minimal {a['job_ms'] / m['statements_ms']:.2f}")
    if ea != eb or ea["orders_cancelled"] != ARGS.orders or ea["package"] != "cancelled":
        sys.exit(f"cancel_bench: the two sides differ or are incomplete: API {ea} vs SQL {eb}")
    if bare_rows != (ea["orders_cancelled"], ea["notifications"]):
        sys.exit(f"cancel_bench: the minimal schema's side wrote {bare_rows}, the job {ea}")
print(f"effects of each side, every round: {ea}")

hand = [r["statements_ms"] for r in sql_results]
hand_wall = [r["wall_ms"] for r in sql_results]
print()
for wait, how in (("poll", f"GET /v1/jobs/{{id}} every {ARGS.poll_ms:g} ms"),
                  ("listen", "LISTEN campaignd_notifications, then one GET")):
    mine = [r for r in api_results if r["wait"] == wait]
    e2e, job = [r["e2e_ms"] for r in mine], [r["job_ms"] for r in mine]
    print(f"API, waiting by {how} ({len(mine)} rounds):")
    print(f"  POST /cancel -> job seen succeeded (client) : {fmt(e2e)} ms")
    print(f"  job started_at -> finished_at              : {fmt(job)} ms")
    print(f"  POST /cancel answered (202)                : {fmt([r['post_ms'] for r in mine])} ms")
    print(f"  job created_at -> started_at               : {fmt([r['wait_ms'] for r in mine])} ms")
print(f"hand-written SQL, one psql transaction ({len(hand)} rounds):")
print(f"  sum of \\timing (BEGIN .. COMMIT)            : {fmt(hand)} ms")
print(f"  psql wall clock (connection included)      : {fmt(hand_wall)} ms")
minimal = [r["statements_ms"] for r in bare_results]
jobs = [r["job_ms"] for r in api_results]
print(f"minimal schema (bench/cancel_minimal.sql), one psql transaction ({len(minimal)} rounds):")
print(f"  sum of \\timing (BEGIN .. COMMIT)            : {fmt(minimal)} ms")
ratio_minimal = statistics.median(a["job_ms"] / m["statements_ms"] for a, m in zip(api_results, bare_results))
job_median = statistics.median(jobs)
print(f"weight of the schema: median over rounds of job started->finished / minimal schema = {ratio_minimal:.2f} "
      f"(goal <= {ARGS.goal_minimal_ratio}: {'met' if ratio_minimal <= ARGS.goal_minimal_ratio else 'NOT met'})")
print(f"per entity ({ARGS.entities} entities, {ARGS.orders} orders): job {job_median * 1000 / ARGS.entities:.1f} us, "
      f"minimal schema {statistics.median(minimal) * 1000 / ARGS.entities:.1f} us; "
      f"publish (the broadcast) {statistics.median(PUBLISH_MS):.1f} ms = "
      f"{statistics.median(PUBLISH_MS) * 1000 / ARGS.entities:.1f} us per entity")
print(f"GROWTH|{ARGS.entities}|{job_median:.1f}|{statistics.median(minimal):.1f}|{ratio_minimal:.2f}|"
      f"{statistics.median(PUBLISH_MS):.1f}|{statistics.median(a['e2e_ms'] for a in api_results):.1f}")
# Each round's two sides ran back to back, in alternating order: the ratio of the pair
# cancels the drift of the machine's load (other processes, checkpoints) between rounds.
for wait in ("poll", "listen"):
    pairs = [(a, b) for a, b in zip(api_results, sql_results) if a["wait"] == wait]
    e2e = statistics.median(a["e2e_ms"] for a, _ in pairs)
    ratio = statistics.median(a["e2e_ms"] / b["statements_ms"] for a, b in pairs)
    ratio_job = statistics.median(a["job_ms"] / b["statements_ms"] for a, b in pairs)
    ok = ratio <= ARGS.goal_ratio and e2e < ARGS.goal_ms
    print(f"ratio ({wait}): median over rounds of POST->succeeded / hand SQL of the same round = {ratio:.2f} "
          f"(job started->finished alone: {ratio_job:.2f}); median POST->succeeded {e2e:.0f} ms; "
          f"goal <= {ARGS.goal_ratio} and < {ARGS.goal_ms:.0f} ms: {'met' if ok else 'NOT met'}")


# --- profile ---------------------------------------------------------------------------------
# The statements below are copies of the ones PackageJobEffects.cancel and
# NotificationWriter.write send for a collaborative package (parameters inlined).
def profile():
    print("\n== profile round (not measured above): package A reinitialized and seeded again")
    rev = prepare(package_a, False)
    settle()
    audience = ("SELECT id AS entity_id FROM central.entities" if ARGS.audience == "all"
                else f"SELECT entity_id FROM central.package_audience WHERE package_id = {package_a}")
    statements = {
        "package read (PackageRepository.find, lock: true)": f"""
            SELECT p.id, CASE WHEN p.audience_all THEN NULL ELSE ARRAY(
                SELECT e.code FROM central.package_audience a JOIN central.entities e ON e.id = a.entity_id
                WHERE a.package_id = p.id ORDER BY e.code) END AS audience
            FROM central.packages p WHERE p.id = {package_a} FOR UPDATE OF p""",
        "cancel the orders (PackageJobEffects.cancelOrders)": f"""
            UPDATE local.orders SET status = 'cancelled', cancelled_at = now(), cancelled_by = 'operator:bench',
                cancel_comment = 'x', cancel_reason = 'package_cancelled', version = version + 1,
                updated_at = now(), updated_by = 'operator:bench'
            WHERE package_id = {package_a} AND revision BETWEEN {rev} AND {rev}
              AND status = ANY('{{pending_approval,approved,rejected}}'::text[])""",
        "notifications (NotificationWriter.write)": f"""
            INSERT INTO local.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
            SELECT DISTINCT target.entity_id, 'package_cancelled', {package_a}, NULL::bigint, {rev}, 'x',
                   'package_cancelled:{package_a}:{rev}'
            FROM ({audience}
                  UNION SELECT entity_id FROM local.orders WHERE package_id = {package_a} AND revision = {rev}) AS target
            ORDER BY target.entity_id
            ON CONFLICT (entity_id, event_key) DO NOTHING""",
    }
    with psycopg.connect(ARGS.conninfo) as conn:  # one transaction, rolled back
        conn.execute(f'SET LOCAL ROLE "{SQL_ROLE}"')  # the daemon's role: its row level security
        for title, statement in statements.items():
            plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, WAL, COSTS OFF) " + statement).fetchall()
            print(f"\n-- EXPLAIN (ANALYZE, BUFFERS, WAL): {title}")
            print("\n".join("   " + r[0] for r in plan))
        conn.rollback()
    settle()

    with open(ARGS.server_log, "rb") as f:
        f.seek(0, 2)
        offset = f.tell()
    sql("ALTER SYSTEM SET log_min_duration_statement = 0")
    sql("SELECT pg_reload_conf()")
    time.sleep(0.3)
    try:
        result = cancel_api(package_a, "listen")
    finally:
        sql("ALTER SYSTEM RESET log_min_duration_statement")
        sql("SELECT pg_reload_conf()")
    with open(ARGS.server_log, "rb") as f:
        f.seek(offset)
        lines = f.read().decode(errors="replace").splitlines()
    pattern = re.compile(r"\[(\d+)\] LOG:  duration: ([0-9.]+) ms  (parse|bind|execute|statement)[^:]*: (.*)")
    entries = [(m.group(1), float(m.group(2)), m.group(3), m.group(4)) for m in map(pattern.search, lines) if m]
    worker = next((pid for pid, _, _, text in entries if text.startswith("UPDATE local.orders SET status = ")), None)
    if worker is None:
        print("profile: the job's statements were not found in the server log")
        return
    mine = [e for e in entries if e[0] == worker]
    # The job's transaction: from the BEGIN before the orders update to the next COMMIT.
    at = next(i for i, e in enumerate(mine) if e[3].startswith("UPDATE local.orders SET status = "))
    begin = max(i for i in range(at + 1) if mine[i][3].startswith("BEGIN"))
    end = next(i for i in range(at, len(mine)) if mine[i][3].startswith("COMMIT"))
    totals = {}
    for _, ms, _, text in mine[begin:end + 1]:
        key = " ".join(text.split())[:110]
        totals[key] = totals.get(key, 0.0) + ms
    print(f"\n-- the job's transaction as the server logged it (backend {worker}; log_min_duration_statement = 0;"
          f" job started->finished {result['job_ms']:.1f} ms): parse + bind + execute per statement")
    for key, ms in sorted(totals.items(), key=lambda kv: -kv[1])[:12]:
        print(f"   {ms:8.2f} ms  {key}")
    print(f"   {sum(totals.values()):8.2f} ms  in all ({len(totals)} distinct statements)")


if ARGS.profile:
    profile()
