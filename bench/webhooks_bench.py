"""Webhook fan-out benchmark (driven by bench/webhooks.sh; not a test).

A collaborative package of --entities entities, each with one order and one webhook
endpoint, all endpoints on one local receiver process (bench/webhook_sink.py, which
checks every signature). Each round cancels the package through the API: the cancel
job writes one package_cancelled notification per entity and, in the same statements
(the outbox), one delivery per endpoint; the daemon's deliverer then sends them. The
round measures, from POST /cancel: the job, the first delivery received, the last one
received (all --entities acknowledged), and the last one recorded as delivered in the
database; deliveries per second between the first and the last. Then, in the same
round, wrk sends the same receiver one signed request of the same size over and over,
with as many connections as the daemon serves endpoints at once: the receiver's rate
on this machine, the physical limit the daemon's rate is compared with.
"""

import argparse
import base64
import hashlib
import hmac
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
    p.add_argument("--sink-port", type=int, required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--entities", type=int, default=10000)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--wrk-seconds", type=int, default=10)
    p.add_argument("--workdir", required=True)
    return p.parse_args()


ARGS = parse_args()


api = daemon_api.API(ARGS.port, ARGS.token, name="webhooks_bench")
sink = daemon_api.API(ARGS.sink_port, name="webhooks_bench (receiver)")
db = psycopg.connect(ARGS.conninfo, autocommit=True)


def sql(query, params=None):
    return db.execute(query, params or {})


def wait(what, condition, timeout=600, every=0.02):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"webhooks_bench: {what} did not happen within {timeout} s")
        time.sleep(every)


def wait_job(job_id):
    def done():
        job = api.request("GET", f"/v1/jobs/{job_id}")
        if job["status"] == "failed":
            sys.exit(f"webhooks_bench: job {job_id} failed: {job.get('last_error')}")
        return job["status"] == "succeeded"
    wait(f"job {job_id}", done)


# --- seed ---------------------------------------------------------------------------------
if sql("SELECT count(*) FROM central.entities").fetchone()[0] == 0:
    sql("""INSERT INTO central.entities (code, label, created_by)
           SELECT 'E' || lpad(i::text, 5, '0'), 'Entity ' || i, 'bench' FROM generate_series(1, %(n)s) AS i""",
        {"n": ARGS.entities})
package = int(api.request("POST", "/v1/packages", {
    "label": "Webhook bench", "type": "collaborative", "campaign_name": "Webhook bench campaign",
    "campaign_folder": "/bench/webhooks", "audience": None})["id"])


def prepare(first):
    """Publishes the package (reinitialized after a cancel) with no endpoint registered,
    then seeds one order per entity and registers one endpoint per entity."""
    sql("DELETE FROM central.webhooks WHERE created_by = 'bench'")
    if not first:
        wait_job(api.request("POST", f"/v1/packages/{package}/reinitialize", {"comment": "next round"})["job"]["id"])
    for action in ("submit", "approve", "publish"):
        api.request("POST", f"/v1/packages/{package}/{action}", {})
    wait("the publication's jobs", lambda: sql(
        "SELECT count(*) FROM central.jobs WHERE package_id = %(p)s AND status IN ('queued', 'running')",
        {"p": package}).fetchone()[0] == 0)
    revision = sql("SELECT revision FROM central.packages WHERE id = %(p)s", {"p": package}).fetchone()[0]
    sql("""INSERT INTO local.orders (entity_id, package_id, revision, label, status, single, created_by, updated_by)
           SELECT id, %(p)s, %(r)s, 'Order of ' || code, 'pending_approval', true, 'entity:' || code, 'entity:' || code
           FROM central.entities""", {"p": package, "r": revision})
    sql("""INSERT INTO central.webhooks (entity_id, url, secret, created_by)
           SELECT id, 'http://127.0.0.1:' || %(port)s || '/e/' || id, %(secret)s, 'bench' FROM central.entities""",
        {"port": ARGS.sink_port, "secret": ARGS.secret})
    sql("VACUUM (ANALYZE) local.orders, local.notifications, central.webhooks, central.webhook_deliveries, central.jobs")
    sql("CHECKPOINT")


def delivered():
    return sql("""SELECT count(*) FILTER (WHERE d.status = 'delivered'), coalesce(sum(d.attempts), 0),
                         max(d.delivered_at)
                  FROM central.webhook_deliveries d JOIN central.webhooks w ON w.id = d.webhook_id
                  WHERE w.created_by = 'bench'""").fetchone()


def daemon_round():
    sink.request("POST", "/_reset")
    start = time.time()
    job = api.request("POST", f"/v1/packages/{package}/cancel", {"comment": "benchmark"})["job"]
    wait_job(job["id"])
    job_done = time.time()
    stats = {}

    def all_received():
        stats.update(sink.request("GET", "/_stats"))
        return stats["requests"] >= ARGS.entities
    wait("every delivery received", all_received, every=0.05)
    wait("every delivery recorded", lambda: delivered()[0] >= ARGS.entities, every=0.05)
    time.sleep(0.5)  # anything sent twice would arrive now
    stats.update(sink.request("GET", "/_stats"))
    count, attempts, last_recorded = delivered()
    return {
        "job_s": job_done - start, "first_s": stats["first"] - start, "last_s": stats["last"] - start,
        "recorded_s": last_recorded.timestamp() - start,
        "rate": (stats["unique_ids"] - 1) / (stats["last"] - stats["first"]),
        "requests": stats["requests"], "unique": stats["unique_ids"], "bad": stats["bad_signatures"],
        "attempts": attempts, "delivered": count,
    }


def wrk_round(body):
    """wrk sends one signed delivery of the same size as the daemon's, again and again."""
    msg_id, timestamp = "msg_wrk", str(int(time.time()))
    key = base64.b64decode(ARGS.secret.removeprefix("whsec_"))
    signature = "v1," + base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body.encode(),
                                                  hashlib.sha256).digest()).decode()
    script = f"{ARGS.workdir}/webhook.lua"
    with open(script, "w") as f:
        f.write(f"""wrk.method = "POST"
wrk.body = {json.dumps(body)}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["webhook-id"] = "{msg_id}"
wrk.headers["webhook-timestamp"] = "{timestamp}"
wrk.headers["webhook-signature"] = "{signature}"
""")
    sink.request("POST", "/_reset")
    threads = min(2, ARGS.concurrency)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{ARGS.concurrency}", f"-d{ARGS.wrk_seconds}s", "-s", script,
                          f"http://127.0.0.1:{ARGS.sink_port}/e/1"], capture_output=True, text=True, check=True).stdout
    stats = sink.request("GET", "/_stats")
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    if stats["bad_signatures"]:
        sys.exit(f"webhooks_bench: wrk's requests failed the signature check: {stats}")
    return rate


def fmt(values, unit=""):
    return f"median {statistics.median(values):8.2f}{unit}  min {min(values):8.2f}{unit}  max {max(values):8.2f}{unit}"


print(f"{ARGS.entities} entities, each with one order and one webhook endpoint on one receiver process; "
      f"daemon: --webhook-concurrency {ARGS.concurrency}; wrk: {ARGS.concurrency} connections, {ARGS.wrk_seconds} s")
results, limits = [], []
for run in range(1, ARGS.runs + 1):
    prepare(run == 1)
    r = daemon_round()
    if r["delivered"] != ARGS.entities or r["unique"] != ARGS.entities or r["bad"]:
        sys.exit(f"webhooks_bench: round {run} is incomplete or wrong: {r}")
    body = sql("""SELECT body FROM central.webhook_deliveries WHERE body IS NOT NULL ORDER BY id DESC LIMIT 1""").fetchone()[0]
    limit = wrk_round(body)
    results.append(r)
    limits.append(limit)
    print(f"round {run}: cancel job {r['job_s'] * 1000:.0f} ms; first delivery at {r['first_s'] * 1000:.0f} ms; "
          f"all {r['unique']} received at {r['last_s']:.2f} s, recorded delivered at {r['recorded_s']:.2f} s; "
          f"{r['rate']:.0f} deliveries/s; {r['requests']} requests ({r['requests'] - r['unique']} repeated), "
          f"{r['attempts']} attempts, bad signatures {r['bad']} | wrk on the same receiver: {limit:.0f} requests/s "
          f"(ratio {r['rate'] / limit:.2f}); body {len(body)} bytes")

print()
print(f"POST /cancel -> all {ARGS.entities} deliveries received : {fmt([r['last_s'] for r in results], ' s')}")
print(f"POST /cancel -> all recorded delivered       : {fmt([r['recorded_s'] for r in results], ' s')}")
print(f"cancel job (10,000 notifications + outbox)   : {fmt([r['job_s'] * 1000 for r in results], ' ms')}")
print(f"deliveries per second (first to last)        : {fmt([r['rate'] for r in results])}")
print(f"wrk, same receiver, same connections         : {fmt(limits)} requests/s")
print(f"ratio daemon / wrk (median of rounds)        : {statistics.median(r['rate'] / l for r, l in zip(results, limits)):.2f}")
