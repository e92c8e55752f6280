#!/usr/bin/env python3
"""Driver of bench/scale.sh (Python 3 standard library only).

  participation  GET /v1/packages/{id}/participation: the first page, and the
                 no_response filter; min, p50, p95, max in ms over keep-alive requests.
  export         GET /v1/orders?format=csv read to the end in 64 KiB reads: rows, seconds,
                 rows/s; the daemon's resident memory (VmRSS) before and at its peak,
                 sampled every 10 ms during the export.
  bulk           POST /v1/orders/bulk (approve the package's pending orders), then
                 GET /v1/jobs/{id} every 5 ms until it is done: the time from the request
                 to the job's end, and the job's own time (started_at to finished_at).

The bearer token comes from BENCH_TOKEN.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import socket
import threading
import time


def connect(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def headers(extra=None):
    base = {"Authorization": "Bearer " + os.environ["BENCH_TOKEN"], "Content-Type": "application/json"}
    base.update(extra or {})
    return base


def request(conn, method, path, body=None):
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers())
    answer = conn.getresponse()
    data = answer.read()
    if answer.status >= 300:
        raise SystemExit(f"{method} {path}: {answer.status} {data[:300]!r}")
    return json.loads(data) if data else None


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def participation(args):
    conn = connect(args.port)
    for name, path in (
        ("first page (limit 50)", f"/v1/packages/{args.package}/participation?limit=50"),
        ("status=no_response", f"/v1/packages/{args.package}/participation?status=no_response&limit=50"),
    ):
        for _ in range(30):
            request(conn, "GET", path)
        times = []
        for _ in range(args.requests):
            start = time.perf_counter()
            page = request(conn, "GET", path)
            times.append((time.perf_counter() - start) * 1000)
        counts = page["counts"]
        print(f"participation, {name}: min {min(times):.2f}  p50 {percentile(times, 0.5):.2f}  "
              f"p95 {percentile(times, 0.95):.2f}  max {max(times):.2f} ms (goal p50 <= 20 ms); "
              f"counts {json.dumps(counts, sort_keys=True)}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def export(args):
    before = rss_kib(args.pid)
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(args.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    conn = connect(args.port)
    start = time.perf_counter()
    conn.request("GET", "/v1/orders?format=csv", headers=headers())
    answer = conn.getresponse()
    if answer.status != 200:
        raise SystemExit(f"export: {answer.status}")
    lines = 0
    size = 0
    while True:
        chunk = answer.read1(65536)
        if not chunk:
            break
        size += len(chunk)
        # Every line ends with CRLF, and no cell of the seeded data holds a line break.
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    rows = lines - 1
    print(f"round {args.round} daemon export: {rows} rows, {size / 1e6:.0f} MB in {seconds:.2f} s = "
          f"{rows / seconds:,.0f} rows/s; daemon RSS {before / 1024:.0f} MB before, {peak[0] / 1024:.0f} MB at its peak "
          f"(+{(peak[0] - before) / 1024:.0f} MB, goal <= 50)")


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def bulk(args):
    conn = connect(args.port)
    start = time.perf_counter()
    job = request(conn, "POST", "/v1/orders/bulk", {
        "action": "approve", "filter": {"package": str(args.package), "status": ["pending_approval"]}, "comment": "bench"})["job"]
    while True:
        job = request(conn, "GET", f"/v1/jobs/{job['id']}")
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.005)
    total = (time.perf_counter() - start) * 1000
    own = (parse_time(job["finished_at"]) - parse_time(job["started_at"])).total_seconds() * 1000
    result = job.get("result") or {}
    print(f"round {args.round} daemon bulk job: {job['status']}, {result.get('changed')} orders changed, "
          f"{len(result.get('skipped', []))} skipped; {total:.0f} ms from the request to the job's end, "
          f"{own:.0f} ms in the job (started_at to finished_at)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["participation", "export", "bulk"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--package", type=int)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--round", type=int, default=1)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    {"participation": participation, "export": export, "bulk": bulk}[args.scenario](args)


if __name__ == "__main__":
    main()
