#!/usr/bin/env python3
"""Driver of bench/feed_stress.sh (Python 3 standard library only): does every
notification reach its entity's clients once, under load?

Against a running daemon (BENCH_PORT, BENCH_CENTRAL_TOKEN in the environment):

- creates LONG + PLAIN local entities, one token each, and a published package that
  allows several orders;
- LONG clients long-poll GET /v1/notifications?after=<cursor>&wait=W in a loop, each on
  its own entity, resuming from the next_cursor of each answer;
- PLAIN clients poll the same way with wait=0, as fast as answers come;
- WRITERS threads place orders for random entities (as the entity) and approve, reject
  or cancel them (as the central operator): one notification row each;
- a publisher publishes a package to every entity every PUBLISH seconds (one row per
  entity);
- after SECONDS, the writers stop, every client drains its feed until it has reached
  the last cursor its entity has (read in the database afterwards), and each client's
  rows are compared with the database's: missed rows, rows twice, rows out of order.

Prints one line per run and exits 1 when any row was missed, doubled or misordered.
The database's rows are read through psql (BENCH_CONNINFO).
"""

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time

PORT = int(os.environ["BENCH_PORT"])
CENTRAL = os.environ["BENCH_CENTRAL_TOKEN"]
CONNINFO = os.environ["BENCH_CONNINFO"]


class Client:
    """One keep-alive HTTP/1.1 connection with a bearer token."""

    def __init__(self, token, timeout=90):
        self.token = token
        self.timeout = timeout
        self.connection = None

    def request(self, method, path, body=None):
        for attempt in range(3):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=self.timeout)
                headers = {"Authorization": f"Bearer {self.token}"}
                data = None
                if body is not None:
                    data = json.dumps(body).encode()
                    headers["Content-Type"] = "application/json"
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                text = response.read()
                return response.status, (json.loads(text) if text else None)
            except (ConnectionError, http.client.HTTPException, TimeoutError):
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def must(self, method, path, body=None, expect=(200, 201, 202)):
        status, answer = self.request(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer


PACKAGE = {"type": "local", "campaign_name": "stress", "campaign_folder": "/stress"}


def publish(central, label, several=False):
    body = dict(PACKAGE, label=label)
    if several:
        body["allows_several_orders"] = True
    package = central.must("POST", "/v1/packages", body)["id"]
    for action in ("submit", "approve", "publish"):
        central.must("POST", f"/v1/packages/{package}/{action}")
    return package


class Feed(threading.Thread):
    """A client of one entity's feed: long polls (wait > 0) or plain polls (wait = 0)."""

    def __init__(self, token, wait, stop):
        super().__init__(daemon=True)
        self.client = Client(token)
        self.wait = wait
        self.stop = stop
        self.cursor = 0
        self.rows = []  # cursors, in the order received
        self.polls = 0
        self.error = None

    def poll_once(self, wait):
        answer = self.client.must("GET", f"/v1/notifications?after={self.cursor}&limit=100&wait={wait}", expect=(200,))
        self.polls += 1
        for item in answer["items"]:
            self.rows.append(item["cursor"])
        self.cursor = answer["next_cursor"]
        return len(answer["items"])

    def run(self):
        try:
            while not self.stop.is_set():
                self.poll_once(self.wait)
        except Exception as error:  # reported by the main thread
            self.error = error

    def drain(self, last):
        """Reads until the entity's last cursor is reached (plain polls)."""
        deadline = time.monotonic() + 60
        while self.cursor < last and time.monotonic() < deadline:
            if self.poll_once(0) == 0:
                time.sleep(0.05)


class Writer(threading.Thread):
    """Orders for random entities, then approves, rejects or cancels them."""

    def __init__(self, package, entities, stop, seed):
        super().__init__(daemon=True)
        self.central = Client(CENTRAL)
        self.entities = entities  # [(code, Client)]
        self.package = package
        self.stop = stop
        self.random = random.Random(seed)
        self.actions = 0
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                code, client = self.random.choice(self.entities)
                order = client.must("POST", f"/v1/packages/{self.package}/orders", {"label": "stress"})["id"]
                action = self.random.choice(("approve", "reject", "cancel"))
                self.central.must("POST", f"/v1/orders/{order}/{action}", {"comment": "stress"})
                self.actions += 1
        except Exception as error:
            self.error = error


class Publisher(threading.Thread):
    def __init__(self, every, stop):
        super().__init__(daemon=True)
        self.central = Client(CENTRAL)
        self.every = every
        self.stop = stop
        self.published = 0
        self.error = None

    def run(self):
        try:
            while not self.stop.wait(self.every):
                publish(self.central, f"broadcast {self.published}")
                self.published += 1
        except Exception as error:
            self.error = error


def database_rows(entity_ids):
    """Every entity's cursors, in cursor order, as the database has them."""
    ids = ",".join(str(i) for i in entity_ids)
    output = subprocess.run(
        ["psql", CONNINFO, "-X", "-q", "-A", "-t", "-F", " ", "-c",
         f"SELECT entity_id, cursor FROM local.notifications WHERE entity_id IN ({ids}) ORDER BY entity_id, cursor"],
        check=True, capture_output=True, text=True).stdout
    rows = {i: [] for i in entity_ids}
    for line in output.splitlines():
        if line.strip():
            entity, cursor = line.split()
            rows[int(entity)].append(int(cursor))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--run", type=int, default=1)
    parser.add_argument("--long", type=int, default=24)
    parser.add_argument("--plain", type=int, default=4)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--publish-every", type=float, default=0.3)
    parser.add_argument("--wait", type=int, default=5)
    options = parser.parse_args()

    central = Client(CENTRAL)
    entities = []  # (code, id, token)
    for index in range(options.long + options.plain):
        code = f"S{options.run}-{index:03d}"
        created = central.must("POST", "/v1/entities", {"code": code, "label": code})
        token = central.must("POST", f"/v1/entities/{code}/tokens")["token"]
        entities.append((code, int(created["id"]), token))
    package = publish(central, f"stress orders {options.run}", several=True)

    stop = threading.Event()
    feeds = [Feed(token, options.wait if n < options.long else 0, stop) for n, (_, _, token) in enumerate(entities)]
    # Each feed starts at the entity's current end, so earlier runs' rows do not count.
    for feed in feeds:
        feed.drain(0)
        feed.rows = []
    starts = [feed.cursor for feed in feeds]
    writers = [
        Writer(package, [(code, Client(token)) for code, _, token in entities], stop, seed=options.run * 100 + n)
        for n in range(options.writers)
    ]
    publisher = Publisher(options.publish_every, stop)
    threads = feeds + writers + [publisher]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(options.seconds)
    stop.set()
    for thread in writers + [publisher]:
        thread.join(30)
    for feed in feeds:
        feed.join(options.wait + 30)
    elapsed = time.monotonic() - began
    errors = [t.error for t in threads if t.error is not None]
    if errors:
        print(f"run {options.run}: client errors: {errors[:3]}", file=sys.stderr)
        return 1

    truth = database_rows([entity_id for _, entity_id, _ in entities])
    for feed, (_, entity_id, _) in zip(feeds, entities):
        last = truth[entity_id][-1] if truth[entity_id] else 0
        feed.drain(last)

    missed = doubled = misordered = total = 0
    for feed, start, (code, entity_id, _) in zip(feeds, starts, entities):
        expected = [c for c in truth[entity_id] if c > start]
        total += len(expected)
        got = feed.rows
        doubled += len(got) - len(set(got))
        misordered += sum(1 for a, b in zip(got, got[1:]) if b <= a)
        lost = sorted(set(expected) - set(got))
        missed += len(lost)
        if lost:
            print(f"run {options.run}: {code} never got cursors {lost[:10]}", file=sys.stderr)
    long_polls = sum(f.polls for f in feeds[: options.long])
    plain_polls = sum(f.polls for f in feeds[options.long:])
    actions = sum(w.actions for w in writers)
    print(
        f"run {options.run}: {elapsed:.1f} s, {total} rows for {len(feeds)} clients "
        f"({actions} order actions, {publisher.published} broadcasts; {long_polls} long polls, "
        f"{plain_polls} plain polls): missed {missed}, doubled {doubled}, out of order {misordered}")
    return 1 if missed or doubled or misordered else 0


if __name__ == "__main__":
    sys.exit(main())
