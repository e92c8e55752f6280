#!/usr/bin/env python3
"""Latency driver of bench/backoffice.sh (Python 3 standard library only).

One keep-alive HTTP/1.1 connection, requests one after the other, each timed with
time.perf_counter() from the first byte sent to the last byte of the body read.
For each scenario: a warm-up, then the measured requests; prints min, p50, p95,
p99 and max in milliseconds (nearest-rank percentiles).

The bearer token is read from the environment variable BENCH_TOKEN (so that it
does not show in `ps`). With BENCH_SESSION (a console session cookie), the console's
package list and a package's dashboard are measured too, beside the JSON API's same
requests, against --page-goal-ms.
"""

import argparse
import http.client
import json
import math
import os
import socket
import sys
import time
import urllib.parse

PACKAGE_FILTER = "status=published,pending_approval&type=collaborative"


class Client:
    """One keep-alive connection; counts the connections it had to open."""

    def __init__(self, host, port, token, session=None):
        self.host, self.port = host, port
        self.headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
        if session:
            self.headers["Cookie"] = "campaignd_session=" + session
        self.connections = 0
        self.conn = None
        self.sock = None

    def _ensure(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        if self.conn.sock is None:
            self.conn.connect()
            self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.conn.sock is not self.sock:
            self.sock = self.conn.sock
            self.connections += 1

    def get(self, path):
        """(milliseconds, decoded JSON body, or the HTML text of a page) of GET path; exits on anything but 200."""
        self._ensure()
        start = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000.0
        if response.status != 200:
            sys.exit(f"measure.py: GET {path}: HTTP {response.status}: {body[:400]!r}")
        if (response.getheader("Connection") or "").lower() == "close":
            self.conn.close()
        if path.startswith("/console/"):
            return elapsed, {"html": body.decode()}
        return elapsed, json.loads(body)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def run_scenario(client, name, paths, warmup, count):
    """Warm up, then time `count` requests cycling over `paths`."""
    items = None
    for i in range(warmup):
        client.get(paths[i % len(paths)])
    timings = []
    for i in range(count):
        elapsed, body = client.get(paths[(warmup + i) % len(paths)])
        timings.append(elapsed)
        if items is None:
            items = len(body["items"]) if "items" in body else body["html"].count("<tr>") - 1 if "html" in body else "-"
    timings.sort()
    return {
        "scenario": name,
        "example": paths[warmup % len(paths)],
        "items": items,
        "n": count,
        "min": timings[0],
        "p50": percentile(timings, 50),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "max": timings[-1],
        "mean": sum(timings) / count,
    }


def find_deep_cursor(client, page):
    """Follows next_cursor from the first page; returns (cursor of page `page`, page number reached)."""
    path = "/v1/packages?" + PACKAGE_FILTER
    _, body = client.get(path)
    cursor, reached = None, 1
    while reached < page and body["next_cursor"] is not None:
        cursor = body["next_cursor"]
        reached += 1
        _, body = client.get(path + "&cursor=" + urllib.parse.quote(cursor))
    return cursor, reached


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", type=int, default=500, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests per scenario first")
    parser.add_argument("--deep-page", type=int, default=200, help="page number of the deep package page")
    parser.add_argument("--entities", type=int, required=True, help="number of seeded entities (E00001..)")
    parser.add_argument("--goal-ms", type=float, default=10.0, help="goal for p50")
    parser.add_argument("--page-goal-ms", type=float, default=15.0, help="goal for p50 of the console's pages")
    parser.add_argument("--env-out", help="file to write DEEP_CURSOR=, DEEP_PAGE=, ENTITY= into (for the plans)")
    parser.add_argument("--json-out", help="file to write the figures into, as JSON")
    args = parser.parse_args()

    token = os.environ.get("BENCH_TOKEN")
    if not token:
        sys.exit("measure.py: set BENCH_TOKEN to a central bearer token")
    session = os.environ.get("BENCH_SESSION")
    client = Client(args.host, args.port, token, session)

    def code(n):
        return "E" + str(n).zfill(5)

    started = time.perf_counter()
    deep_cursor, deep_page = find_deep_cursor(client, args.deep_page)
    walk = time.perf_counter() - started
    if deep_cursor is None:
        sys.exit("measure.py: the package list has a single page; seed more packages")
    print(f"deep page: followed next_cursor to page {deep_page} (cursor {deep_cursor}) in {walk:.1f} s")

    entity = code(max(1, args.entities // 2))
    # A different entity for each request (as many as there are, spread over the range).
    rotation_size = min(args.entities, args.warmup + args.requests)
    step = max(1, args.entities // rotation_size)
    rotation = [code(1 + (i * step) % args.entities) for i in range(rotation_size)]

    package_list = "/v1/packages?" + PACKAGE_FILTER
    scenarios = [
        ("baseline: /healthz (no token, no SQL)", ["/healthz"]),
        ("packages, first page", [package_list]),
        (f"packages, page {deep_page} (cursor={deep_cursor})", [package_list + "&cursor=" + deep_cursor]),
        (f"orders, entity={entity}", ["/v1/orders?entity=" + entity]),
        (f"orders, entity rotating over {len(rotation)} entities", ["/v1/orders?entity=" + c for c in rotation]),
    ]
    goals = [args.goal_ms] * len(scenarios)
    if session:
        # The page of the package with the most orders of the first API page.
        _, first = client.get(package_list)
        busiest = max(first["items"], key=lambda p: sum(p["order_counts"].values()))
        orders = sum(busiest["order_counts"].values())
        page_list = "/console/packages?status=published&status=pending_approval&type=collaborative"
        scenarios += [
            ("api: package detail", ["/v1/packages/" + busiest["id"]]),
            ("page: Campaign packages, first page", [page_list]),
            (f"page: Campaign packages, page {deep_page}", [page_list + "&cursor=" + deep_cursor]),
            (f"page: dashboard ({orders} orders)", ["/console/packages/" + busiest["id"]]),
        ]
        goals += [args.goal_ms] + [args.page_goal_ms] * 3
    results = [run_scenario(client, name, paths, args.warmup, args.requests) for name, paths in scenarios]

    print()
    print(f"{args.requests} measured requests per scenario after {args.warmup} warm-up requests, "
          f"one keep-alive connection ({client.connections} opened in all), times in ms")
    print()
    header = f"| {'scenario':<55} | items |   p50 |   p95 |   p99 |   max |  mean | p50 goal |"
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")
    for r, goal in zip(results, goals):
        ok = f"{goal:g} ms: " + ("yes" if r["p50"] <= goal else "**NO**")
        print(f"| {r['scenario']:<55} | {r['items']:>5} | {r['p50']:5.2f} | {r['p95']:5.2f} | {r['p99']:5.2f} "
              f"| {r['max']:5.2f} | {r['mean']:5.2f} | {ok:<8} |")
    print()
    for r in results:
        print(f"  {r['scenario']}: GET {r['example']}")

    if args.env_out:
        with open(args.env_out, "w") as out:
            out.write(f"DEEP_CURSOR={int(deep_cursor)}\nDEEP_PAGE={deep_page}\nENTITY={entity}\n")
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump({"deep_page": deep_page, "deep_cursor": deep_cursor, "results": results}, out, indent=2)
    if any(r["p50"] > goal for r, goal in zip(results[1:], goals[1:])):
        print("\nsome scenario misses its goal")


if __name__ == "__main__":
    main()
