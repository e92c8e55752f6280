#!/usr/bin/env python3
"""Driver of bench/notifications.sh (Python 3 standard library only).

Subcommands:

  tokens      writes N local tokens for the entities FIRST_ID ... FIRST_ID+N-1: a COPY
              file for central.api_tokens (lookup, secret_hash, entity_id, label) and a
              token file (index, entity id, token) for the other subcommands.
  longpoll    opens one keep-alive HTTP/1.1 connection per token, each long-polling
              GET /v1/notifications?after=<its cursor>&wait=W and re-polling as soon as
              an answer comes; publishes, round after round, a package whose audience is
              every entity (one package_available row per entity) and times, for every
              client, commit -> delivery. Samples the daemon's memory (/proc/PID/status)
              and pg_stat_activity while the clients wait.
  throughput  empty polls (GET /v1/notifications?after=MAX&wait=0) from N keep-alive
              connections in a closed loop for T seconds: answers per second. Driven by
              wrk (--driver wrk, the default) or by this process (--driver python).
  pgbench     runs pgbench with a script and measures PostgreSQL's CPU around it.
  summary     prints the figures of the JSON files the other subcommands wrote.

Timestamps are wall-clock (CLOCK_REALTIME), the clock PostgreSQL's commit timestamps
(track_commit_timestamp) use too, on the same machine. An answer's delivery time is
the kernel's receive timestamp of its last segment (SO_TIMESTAMPNS), so the time this
single-threaded driver takes to get to it is left out (it is printed as its "lag"). Tokens are read from files, never from the
command line (so that they do not show in `ps`); the central token comes from the
environment variable BENCH_CENTRAL_TOKEN.
"""

import argparse
import asyncio
import hashlib
import json
import math
import os
import re
import resource
import secrets
import socket
import struct
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ----------------------------------------------------------------------------------------
# Figures


def percentile(values, p):
    """Nearest-rank percentile of a list (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds):
    """p50/p95/p99/max/mean in ms of a list of durations in seconds."""
    if not seconds:
        return {"n": 0}
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "min": min(ms),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms),
        "mean": sum(ms) / len(ms),
    }


def fmt_ms(s, keys=("p50", "p95", "p99", "max")):
    if not s or s.get("n", 0) == 0:
        return "no samples"
    return "  ".join(f"{k} {s[k]:8.1f}" for k in keys) + f"   (n={s['n']}, min {s['min']:.1f}, mean {s['mean']:.1f}) ms"


# ----------------------------------------------------------------------------------------
# Processes: memory and CPU


def proc_status(pid):
    """VmRSS and VmHWM of a process, in kB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:", "Threads:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    return out


def proc_cpu(pid, children=False):
    """CPU seconds (user + system) of a process; with children, of its reaped children too."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def context_switches(pid):
    """Context switches (voluntary + involuntary) of all the live threads of a process."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def postgres_cpu(postmaster_pid):
    """CPU seconds of a PostgreSQL cluster: the postmaster, its reaped children and its live ones."""
    if not postmaster_pid:
        return None
    total = proc_cpu(postmaster_pid, children=True)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster_pid:
                total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return total


def read_postmaster_pid(path):
    if not path:
        return None
    with open(path) as f:
        return int(f.readline().strip())


def machine_busy():
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLK_TCK


def self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class CPUMeter:
    """CPU used by the daemon, PostgreSQL and this process between start() and stop()."""

    def __init__(self, daemon_pid, postmaster_pid):
        self.daemon_pid, self.postmaster_pid = daemon_pid, postmaster_pid

    def _read(self):
        return (
            time.monotonic(),
            proc_cpu(self.daemon_pid) if self.daemon_pid else None,
            postgres_cpu(self.postmaster_pid),
            self_cpu(),
            context_switches(self.daemon_pid) if self.daemon_pid else None,
            machine_busy(),
        )

    def start(self):
        self.begin = self._read()

    def stop(self):
        end = self._read()
        wall = end[0] - self.begin[0]

        def diff(i):
            return None if end[i] is None or self.begin[i] is None else end[i] - self.begin[i]

        ours = sum(diff(i) or 0.0 for i in (1, 2, 3))
        return {"wall_s": wall, "daemon_cpu_s": diff(1), "postgres_cpu_s": diff(2), "client_cpu_s": diff(3),
                "daemon_context_switches": diff(4), "machine_busy_s": diff(5), "others_cpu_s": diff(5) - ours}


def fmt_cpu(cpu, per=None, unit="request"):
    parts = []
    for key, name in (("daemon_cpu_s", "daemon"), ("postgres_cpu_s", "postgres"), ("client_cpu_s", "this driver")):
        value = cpu.get(key)
        if value is None:
            continue
        text = f"{name} {value:.2f} s ({100.0 * value / cpu['wall_s']:.0f} % of a core)"
        if per:
            text += f", {1000.0 * value / per:.3f} ms/{unit}"
        parts.append(text)
    others = cpu.get("others_cpu_s")
    if others is not None:
        parts.append(f"everything else on the machine {others:.2f} s ({100.0 * others / cpu['wall_s']:.0f} % of a core)")
    switches = cpu.get("daemon_context_switches")
    if switches is not None and per:
        parts.append(f"daemon context switches {switches / per:.1f}/{unit}")
    return f"CPU over {cpu['wall_s']:.1f} s: " + "; ".join(parts)


# ----------------------------------------------------------------------------------------
# A minimal HTTP/1.1 keep-alive client on asyncio.Protocol


# Linux: SO_TIMESTAMPNS (= SCM_TIMESTAMPNS): the kernel stamps every received segment
# with the time it reached the socket; recvmsg() returns it (struct timespec).
SO_TIMESTAMPNS = 35
TIMESPEC = struct.Struct("@qq")


class HTTPConnection:
    """One keep-alive connection on a non-blocking socket, one request at a time.

    Answers are timed twice: `arrived`, the kernel's receive timestamp of the segment
    that completed the answer (independent of how busy this driver is), and `seen`,
    time.time() when this driver read it."""

    def __init__(self, sock):
        self.sock = sock
        self.loop = asyncio.get_running_loop()
        self.buffer = bytearray()
        self.waiter = None
        self.lost = False
        self.loop.add_reader(sock.fileno(), self._readable)

    @classmethod
    async def open(cls, host, port):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            pass
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
        return cls(sock)

    def _readable(self):
        try:
            data, ancillary, _, _ = self.sock.recvmsg(262144, socket.CMSG_SPACE(TIMESPEC.size))
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._lost(error)
            return
        seen = time.time()
        if not data:
            self._lost(None)
            return
        arrived = seen
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(payload) >= TIMESPEC.size:
                seconds, nanoseconds = TIMESPEC.unpack_from(payload)
                arrived = seconds + nanoseconds / 1e9
        self.buffer += data
        if self.waiter is None:
            return
        parsed = self._parse()
        if parsed is not None:
            waiter, self.waiter = self.waiter, None
            if not waiter.done():
                waiter.set_result(parsed + (arrived, seen))

    def _lost(self, error):
        self.lost = True
        self.close()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {error or 'closed by the server'}"))

    def _parse(self):
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if "content-length" in headers:
            length = int(headers["content-length"])
            if len(self.buffer) < start + length:
                return None
            body = bytes(self.buffer[start : start + length])
            del self.buffer[: start + length]
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body, position = bytearray(), start
            while True:
                line_end = self.buffer.find(b"\r\n", position)
                if line_end < 0:
                    return None
                size = int(bytes(self.buffer[position:line_end]).split(b";")[0], 16)
                if size == 0:
                    trailer_end = self.buffer.find(b"\r\n\r\n", line_end)
                    if trailer_end < 0:
                        return None
                    del self.buffer[: trailer_end + 4]
                    body = bytes(body)
                    break
                if len(self.buffer) < line_end + 2 + size + 2:
                    return None
                body += self.buffer[line_end + 2 : line_end + 2 + size]
                position = line_end + 2 + size + 2
        else:
            body = b""
            del self.buffer[:start]
        return status, headers, body

    async def request(self, data):
        """(status, headers, body, kernel arrival time, time read) of one request."""
        if self.lost:
            raise ConnectionError("not connected")
        self.waiter = self.loop.create_future()
        try:
            sent = self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as error:
            self._lost(error)
            return await self.waiter
        if sent < len(data):
            await self.loop.sock_sendall(self.sock, data[sent:])
        return await self.waiter

    def close(self):
        if self.sock is not None:
            try:
                self.loop.remove_reader(self.sock.fileno())
            except (ValueError, OSError):
                pass
            self.sock.close()
            self.sock = None
            self.lost = True


async def connect(host, port):
    return await HTTPConnection.open(host, port)


def request_bytes(method, path, token, body=None):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {token}", "Accept: application/json"]
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def call(conn, method, path, token, body=None, expect=(200, 201, 202)):
    status, _, data, _, _ = await conn.request(request_bytes(method, path, token, body))
    if status not in expect:
        raise RuntimeError(f"{method} {path}: HTTP {status}: {data[:400]!r}")
    return json.loads(data) if data else None


METRIC_NAMES = ("campaignd_long_poll_waiters", "campaignd_pool_connections", "campaignd_pool_waiting_requests",
                "campaignd_feed_polls_total", "campaignd_feed_statements_total")


async def scrape(conn):
    """The daemon's gauges of interest from GET /metrics ({} when the route is absent)."""
    status, _, body, _, _ = await conn.request(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    if status != 200:
        return {}
    found = {}
    for line in body.decode().splitlines():
        if line.startswith(METRIC_NAMES):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


def metrics_text(found):
    return ", ".join(f"{k} {v:g}" for k, v in sorted(found.items())) if found else "no /metrics"


def read_tokens(path):
    tokens = []
    with open(path) as f:
        for line in f:
            index, entity_id, token = line.split()
            tokens.append((int(index), int(entity_id), token))
    return tokens


# ----------------------------------------------------------------------------------------
# A psql session kept open (one extra database connection, excluded from the counts)


class PSQL:
    def __init__(self, conninfo):
        self.conninfo = conninfo
        self.lock = asyncio.Lock()

    async def start(self):
        self.process = await asyncio.create_subprocess_exec(
            "psql", self.conninfo, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=0",
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    async def rows(self, sql):
        """Rows of one statement, as lists of strings."""
        async with self.lock:
            self.process.stdin.write(sql.strip().rstrip(";").encode() + b";\n\\echo __END__\n")
            await self.process.stdin.drain()
            rows = []
            while True:
                line = (await self.process.stdout.readline()).decode().rstrip("\n")
                if line == "__END__":
                    return rows
                if line.startswith(("ERROR", "psql:")):
                    raise RuntimeError(f"psql: {line} (in {sql.strip()[:200]})")
                if line:
                    rows.append(line.split("\t"))

    async def close(self):
        self.process.stdin.write(b"\\q\n")
        await self.process.stdin.drain()
        await self.process.wait()


ACTIVITY_DETAIL_SQL = """
SELECT coalesce(usename, '-'), coalesce(state, '-'), left(regexp_replace(query, '\\s+', ' ', 'g'), 60), count(*)
FROM pg_stat_activity WHERE datname = 'campaignd' AND pid <> pg_backend_pid()
GROUP BY 1, 2, 3 ORDER BY 4 DESC, 3
"""

ACTIVITY_SQL = """
SELECT coalesce(usename, '-'), coalesce(state, '-'), count(*)
FROM pg_stat_activity WHERE datname = 'campaignd' AND pid <> pg_backend_pid()
GROUP BY 1, 2 ORDER BY 1, 2
"""


# ----------------------------------------------------------------------------------------
# tokens


def cmd_tokens(args):
    """lookup = 16 decimal digits (hex digits too) 10^15 + i, so pgbench can name token i."""
    with open(args.copy_out, "w") as copy, open(args.tokens_out, "w") as out:
        for i in range(1, args.count + 1):
            entity_id = args.first_id + i - 1
            lookup = f"{10**15 + i:016d}"
            token = "cdt_" + lookup + secrets.token_hex(32)
            digest = hashlib.sha256(token.encode()).hexdigest()
            copy.write(f"{lookup}\t{digest}\t{entity_id}\tbench {i}\n")
            out.write(f"{i}\t{entity_id}\t{token}\n")
    os.chmod(args.tokens_out, 0o600)


# ----------------------------------------------------------------------------------------
# longpoll


class Poller:
    """One long-polling client: re-polls as soon as an answer comes."""

    def __init__(self, run, index, entity_id, token):
        self.run, self.index, self.entity_id, self.token = run, index, entity_id, token
        self.after = 0
        self.waiting_since = None  # the request in flight was sent at
        self.polls = 0

    async def loop(self):
        run = self.run
        conn = self.conn
        while not run.stopping:
            path = f"/v1/notifications?after={self.after}&wait={run.wait}"
            self.waiting_since = time.time()
            run.in_flight += 1
            try:
                status, _, body, arrived, seen = await conn.request(request_bytes("GET", path, self.token))
            except ConnectionError as error:
                run.in_flight -= 1
                if run.stopping:
                    return
                run.errors.append(f"client {self.index}: {error}")
                self.conn = conn = await connect(run.host, run.port)
                run.reconnects += 1
                continue
            run.in_flight -= 1
            self.waiting_since = None
            self.polls += 1
            if status != 200:
                run.errors.append(f"client {self.index}: HTTP {status}: {body[:200]!r}")
                await asyncio.sleep(0.1)
                continue
            document = json.loads(body)
            items = document["items"]
            if not items:
                run.empty_answers += 1
            for item in items:
                if item["kind"] == "package_available":
                    run.deliveries.setdefault(item["package_id"], {})[self.index] = (arrived, seen)
            run.answers_with_rows += bool(items)
            self.after = document["next_cursor"]
            if items and run.repoll_delay:
                await asyncio.sleep(run.repoll_delay)


class LongPollRun:
    def __init__(self, args):
        self.args = args
        self.host, self.port, self.wait = args.host, args.port, args.wait
        self.repoll_delay = args.repoll_delay
        self.stopping = False
        self.in_flight = 0
        self.errors = []
        self.reconnects = 0
        self.empty_answers = 0
        self.answers_with_rows = 0
        self.deliveries = {}  # package id -> {client index: arrival time}
        self.memory = []  # (time, VmRSS kB, VmHWM kB, threads)
        self.activity = []  # (time, phase, {(user, state): count})


async def wait_until(predicate, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


async def sample_memory(run, pid, period):
    while not run.stopping:
        try:
            s = proc_status(pid)
            run.memory.append((time.time(), s["VmRSS"], s["VmHWM"], s.get("Threads")))
        except FileNotFoundError:
            return
        await asyncio.sleep(period)


async def sample_activity(run, psql, phase_of, period):
    while not run.stopping:
        rows = await psql.rows(ACTIVITY_SQL)
        run.activity.append((time.time(), phase_of(), {(r[0], r[1]): int(r[2]) for r in rows}))
        await asyncio.sleep(period)


def activity_text(counts):
    total = sum(counts.values())
    return f"{total} (" + ", ".join(f"{user}/{state} {n}" for (user, state), n in sorted(counts.items())) + ")"


async def cmd_longpoll_async(args):
    central = os.environ["BENCH_CENTRAL_TOKEN"]
    tokens = read_tokens(args.tokens)[: args.clients]
    run = LongPollRun(args)
    psql = PSQL(args.conninfo)
    await psql.start()
    postmaster = read_postmaster_pid(args.postmaster_pid)
    admin = await connect(args.host, args.port)

    # Packages to publish, one per round (plus a warm-up round), made ready beforehand:
    # created (audience: every entity), submitted and approved.
    rounds = args.rounds + args.warmup_rounds
    async def ready_package(name):
        package = await call(admin, "POST", "/v1/packages", central, {
            "label": name, "type": "local", "campaign_name": name, "campaign_folder": "/bench/longpoll"})
        for action in ("submit", "approve"):
            await call(admin, "POST", f"/v1/packages/{package['id']}/{action}", central, {})
        return package["id"]

    packages, seconds = [], []
    for r in range(rounds):
        packages.append(await ready_package(f"Long poll round {r + 1}"))
        if args.second_after_ms is not None:
            seconds.append(await ready_package(f"Long poll round {r + 1}, second event") if args.second_via == "http"
                           else str(900000 + int(packages[-1])))
    print(f"{len(packages) + len(seconds)} packages ready to publish (audience: every entity)")

    memory_before = proc_status(args.pid)
    print(f"daemon before the clients: VmRSS {memory_before['VmRSS'] / 1024:.1f} MB, "
          f"VmHWM {memory_before['VmHWM'] / 1024:.1f} MB, {memory_before['Threads']} threads")
    activity_before = {(r[0], r[1]): int(r[2]) for r in await psql.rows(ACTIVITY_SQL)}
    print(f"database connections before the clients: {activity_text(activity_before)}")

    # Connect every client (at most 100 connects at a time), then start them together.
    pollers = [Poller(run, i, e, t) for i, e, t in tokens]
    gate = asyncio.Semaphore(100)

    async def open_one(poller):
        async with gate:
            poller.conn = await connect(args.host, args.port)

    t_connect = time.monotonic()
    await asyncio.gather(*(open_one(p) for p in pollers))
    print(f"{len(pollers)} connections open in {time.monotonic() - t_connect:.2f} s")

    phase = {"name": "connecting"}
    samplers = [
        asyncio.create_task(sample_memory(run, args.pid, 0.1)),
        asyncio.create_task(sample_activity(run, psql, lambda: phase["name"], args.activity_period)),
    ]
    cpu = CPUMeter(args.pid, postmaster)
    cpu.start()
    tasks = [asyncio.create_task(p.loop()) for p in pollers]

    def all_waiting():
        return run.in_flight == len(pollers)

    results = []
    waiting_snapshots = []
    waiting_metrics = []
    for r, package_id in enumerate(packages):
        measured = r >= args.warmup_rounds
        label = f"round {r + 1 - args.warmup_rounds}" if measured else "warm-up round"
        # Every client has a request in flight, and has had it for `settle` seconds.
        if not await wait_until(all_waiting, 60):
            print(f"{label}: only {run.in_flight} of {len(pollers)} clients are waiting after 60 s")
        await asyncio.sleep(args.settle)
        phase["name"] = "waiting"
        await asyncio.sleep(args.hold)
        snapshot = {(x[0], x[1]): int(x[2]) for x in await psql.rows(ACTIVITY_SQL)}
        mem = proc_status(args.pid)
        waiting_snapshots.append((snapshot, mem))
        gauges = await scrape(admin)
        waiting_metrics.append(gauges)
        if r == 0:
            print(f"the daemon's /metrics while they wait: {metrics_text(gauges)}")
            print("while the clients wait, database connections by last statement:")
            for user, state, query, n in await psql.rows(ACTIVITY_DETAIL_SQL):
                print(f"    {n:>3}  {user}/{state}: {query}")
        print(f"{label}: {run.in_flight} clients waiting; daemon VmRSS {mem['VmRSS'] / 1024:.1f} MB, "
              f"{mem['Threads']} threads; database connections: {activity_text(snapshot)}")

        # The event: publish; one package_available row for every entity, one commit.
        phase["name"] = "delivering"
        cpu0 = (proc_cpu(args.pid), postgres_cpu(postmaster), self_cpu(), machine_busy(), time.monotonic())
        t_send = time.time()
        status, _, body, t_returned, _ = await admin.request(
            request_bytes("POST", f"/v1/packages/{package_id}/publish", central, {}))
        if status != 200:
            raise RuntimeError(f"publish {package_id}: HTTP {status}: {body[:300]!r}")
        second = None
        if args.second_after_ms is not None:
            # Diagnosis: a second event while the clients re-poll after the first one.
            second = seconds[r]
            await asyncio.sleep(args.second_after_ms / 1000.0)
            if args.second_via == "http":
                status2, _, body2, _, _ = await admin.request(
                    request_bytes("POST", f"/v1/packages/{second}/publish", central, {}))
                if status2 != 200:
                    raise RuntimeError(f"publish {second}: HTTP {status2}: {body2[:300]!r}")
            else:
                # As NotificationWriter does, but straight in SQL (another daemon or a worker
                # committing): the feed's advisory lock, one row per entity, NOTIFY, commit.
                await psql.rows(f"""BEGIN; SELECT pg_advisory_xact_lock(7311447302201415002);
                    INSERT INTO local.notifications (entity_id, kind, package_id, revision, event_key)
                    SELECT id, 'package_available', {second}, 1, 'bench_second:{second}' FROM central.entities ORDER BY id;
                    SELECT pg_notify('campaignd_notifications', 'package_available'); COMMIT""")
            # (GET /metrics itself waits for a pool connection, for the job queue's depth: after the commit.)
            t_scrape = time.monotonic()
            storm_gauges = await scrape(admin)
            print(f"    gauges read at the second event (GET /metrics answered in "
                  f"{(time.monotonic() - t_scrape) * 1000:.0f} ms): {metrics_text(storm_gauges)}")
        delivered = await wait_until(
            lambda: len(run.deliveries.get(package_id, {})) >= len(pollers)
            and (second is None or len(run.deliveries.get(second, {})) >= len(pollers)),
            args.delivery_timeout, step=0.005)
        cpu1 = (proc_cpu(args.pid), postgres_cpu(postmaster), self_cpu(), machine_busy(), time.monotonic())
        window = {k: cpu1[i] - cpu0[i] for i, k in enumerate(("daemon", "postgres", "driver", "machine", "wall"))}
        window["others"] = window["machine"] - window["daemon"] - window["postgres"] - window["driver"]
        phase["name"] = "re-polling"

        commit_rows = await psql.rows(f"""
            SELECT extract(epoch FROM pg_xact_commit_timestamp(n.xmin))::float8, count(*),
                   (SELECT extract(epoch FROM at)::float8 FROM central.audit_journal
                     WHERE package_id = {package_id} AND action = 'publish' ORDER BY id DESC LIMIT 1)
            FROM local.notifications n WHERE n.package_id = {package_id} AND n.kind = 'package_available'
            GROUP BY 1""")
        if len(commit_rows) != 1 or commit_rows[0][0] == "":
            raise RuntimeError(f"publish {package_id}: expected one commit timestamp, got {commit_rows!r} "
                               "(is track_commit_timestamp on?)")
        t_commit, rows_written, t_journal = float(commit_rows[0][0]), int(commit_rows[0][1]), float(commit_rows[0][2])
        arrivals = run.deliveries.get(package_id, {})
        from_commit = [a - t_commit for a, _ in arrivals.values()]
        from_return = [a - t_returned for a, _ in arrivals.values()]
        from_journal = [a - t_journal for a, _ in arrivals.values()]
        seen_from_commit = [s - t_commit for _, s in arrivals.values()]
        driver_lag = [s - a for a, s in arrivals.values()]
        result = {
            "round": label, "package_id": package_id, "rows_written": rows_written,
            "delivered": len(arrivals), "clients": len(pollers), "all_delivered": delivered,
            "publish_request_ms": (t_returned - t_send) * 1000.0,
            "journal_to_commit_ms": (t_commit - t_journal) * 1000.0,
            "commit_to_return_ms": (t_returned - t_commit) * 1000.0,
            "from_commit": summary_ms(from_commit), "from_return": summary_ms(from_return),
            "from_journal": summary_ms(from_journal), "seen_from_commit": summary_ms(seen_from_commit),
            "driver_lag": summary_ms(driver_lag), "cpu_window_s": window,
            "_from_commit": from_commit, "_from_return": from_return, "_seen": seen_from_commit, "_lag": driver_lag,
        }
        if second is not None:
            rows2 = await psql.rows(f"""
                SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin))::float8 FROM local.notifications
                WHERE package_id = {second} AND kind = 'package_available' GROUP BY 1""")
            t_commit2 = float(rows2[0][0])
            arrivals2 = run.deliveries.get(second, {})
            second_latency = [a - t_commit2 for a, _ in arrivals2.values()]
            result["second"] = {"package_id": second, "after_first_commit_ms": (t_commit2 - t_commit) * 1000.0,
                                "delivered": len(arrivals2), "from_commit": summary_ms(second_latency)}
            result["_second"] = second_latency
        results.append((measured, result))
        print(f"{label}: package {package_id}, {rows_written} rows in one commit; publish request "
              f"{result['publish_request_ms']:.1f} ms (journal entry -> commit {result['journal_to_commit_ms']:.1f} ms, "
              f"commit -> answer received {result['commit_to_return_ms']:.1f} ms); delivered to "
              f"{len(arrivals)}/{len(pollers)} clients")
        print(f"    commit -> delivery        {fmt_ms(result['from_commit'])}")
        print(f"    answer -> delivery        {fmt_ms(result['from_return'])}")
        print(f"    commit -> driver read it  {fmt_ms(result['seen_from_commit'])}")
        if second is not None:
            print(f"    second event, committed {result['second']['after_first_commit_ms']:.0f} ms after the first, "
                  f"delivered to {result['second']['delivered']}/{len(pollers)}:")
            print(f"      commit -> delivery      {fmt_ms(result['second']['from_commit'])}")
        print(f"    CPU from the publish to the last delivery ({window['wall'] * 1000:.0f} ms): daemon "
              f"{window['daemon'] * 1000:.0f} ms, postgres {window['postgres'] * 1000:.0f} ms, this driver "
              f"{window['driver'] * 1000:.0f} ms, everything else {window['others'] * 1000:.0f} ms")
        if not delivered:
            print(f"    NOT DELIVERED to {len(pollers) - len(arrivals)} clients within {args.delivery_timeout} s")

    # Once more: the clients wait again after the last round.
    await wait_until(all_waiting, 60)
    await asyncio.sleep(args.settle)
    phase["name"] = "waiting"
    snapshot = {(x[0], x[1]): int(x[2]) for x in await psql.rows(ACTIVITY_SQL)}
    waiting_snapshots.append((snapshot, proc_status(args.pid)))
    cpu_used = cpu.stop()
    run.stopping = True
    for s in samplers:
        await s
    memory_after = proc_status(args.pid)
    for p in pollers:
        p.conn.close()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    # The clients are gone: does the daemon still hold their waits (until `wait` expires)?
    await asyncio.sleep(1.0)
    after_close = await scrape(admin)
    admin.close()

    # Figures.
    measured = [r for m, r in results if m]
    pooled_commit = [x for r in measured for x in r["_from_commit"]]
    pooled_return = [x for r in measured for x in r["_from_return"]]
    pooled_seen = [x for r in measured for x in r["_seen"]]
    pooled_second = [x for r in measured for x in r.get("_second", [])]
    pooled_lag = [x for r in measured for x in r["_lag"]]
    waiting_totals = [sum(s.values()) for s, _ in waiting_snapshots]
    by_phase = {}
    for _, name, counts in run.activity:
        total = sum(counts.values())
        active = sum(n for (u, st), n in counts.items() if st not in ("idle",))
        entry = by_phase.setdefault(name, {"samples": 0, "max_total": 0, "max_not_idle": 0})
        entry["samples"] += 1
        entry["max_total"] = max(entry["max_total"], total)
        entry["max_not_idle"] = max(entry["max_not_idle"], active)
    peak_rss = max((m[1] for m in run.memory), default=0)
    out = {
        "clients": len(pollers), "rounds": len(measured), "wait_s": args.wait,
        "latency_from_commit": summary_ms(pooled_commit), "latency_from_return": summary_ms(pooled_return),
        "latency_seen_from_commit": summary_ms(pooled_seen), "driver_lag": summary_ms(pooled_lag),
        "repoll_delay_s": args.repoll_delay, "second_after_ms": args.second_after_ms,
        "second_event_from_commit": summary_ms(pooled_second),
        "per_round": [{k: v for k, v in r.items() if not k.startswith("_")} for r in measured],
        "undelivered": sum(r["clients"] - r["delivered"] for r in measured),
        "memory_before_kb": memory_before, "memory_after_kb": memory_after, "peak_sampled_rss_kb": peak_rss,
        "waiting_connections": [{"/".join(k): v for k, v in s.items()} for s, _ in waiting_snapshots],
        "waiting_connections_max": max(waiting_totals), "activity_by_phase": by_phase,
        "errors": len(run.errors), "error_samples": run.errors[:10], "reconnects": run.reconnects,
        "metrics_while_waiting": waiting_metrics, "metrics_1s_after_clients_closed": after_close,
        "empty_answers": run.empty_answers, "cpu": cpu_used,
    }
    print()
    print(f"LONG POLL: {len(pollers)} clients, {len(measured)} measured rounds (+{args.warmup_rounds} warm-up), wait={args.wait}")
    print(f"  commit -> delivery (pooled)    {fmt_ms(out['latency_from_commit'])}")
    print(f"  publish answered -> delivery   {fmt_ms(out['latency_from_return'])}")
    print(f"  commit -> driver read it       {fmt_ms(out['latency_seen_from_commit'])}")
    print(f"  driver's own lag (read - kernel arrival) {fmt_ms(out['driver_lag'])}")
    if pooled_second:
        print(f"  second event ({args.second_after_ms} ms after the first answer) commit -> delivery "
              f"{fmt_ms(out['second_event_from_commit'])}")
    print(f"  undelivered: {out['undelivered']}; client errors: {len(run.errors)}; reconnects: {run.reconnects}; "
          f"empty answers (wait expired): {run.empty_answers}")
    for e in run.errors[:5]:
        print(f"    {e}")
    print(f"  daemon memory: VmRSS {memory_before['VmRSS'] / 1024:.1f} MB before the clients, "
          f"peak sampled {peak_rss / 1024:.1f} MB, VmHWM {memory_after['VmHWM'] / 1024:.1f} MB at the end; "
          f"threads {memory_before['Threads']} -> {memory_after['Threads']}")
    print(f"  database connections while {len(pollers)} clients wait (campaignd db, psql session excluded): "
          + "; ".join(activity_text(s) for s, _ in waiting_snapshots[:2]) + (" ..." if len(waiting_snapshots) > 2 else ""))
    for name, entry in by_phase.items():
        print(f"    sampled every {args.activity_period}s while {name}: at most {entry['max_total']} connections, "
              f"at most {entry['max_not_idle']} not idle ({entry['samples']} samples)")
    print("  " + fmt_cpu(cpu_used))
    if waiting_metrics and waiting_metrics[0]:
        print(f"  the daemon's /metrics while they wait: {metrics_text(waiting_metrics[-1])}")
        print(f"  the daemon's /metrics 1 s after the {len(pollers)} clients closed their connections: "
              f"{metrics_text(after_close)}")
    await psql.close()
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)


# ----------------------------------------------------------------------------------------
# throughput


async def cmd_throughput_async(args):
    tokens = read_tokens(args.tokens)
    postmaster = read_postmaster_pid(args.postmaster_pid)
    # A pre-encoded request per token; client c uses tokens c, c+N, c+2N, ... in turn.
    path = args.path.replace("{after}", str(args.after))
    requests = [request_bytes("GET", path, t) for _, _, t in tokens]
    conns = [await connect(args.host, args.port) for _ in range(args.clients)]
    state = {"measuring": False, "stop": False}
    latencies, errors, counts = [], [], [0]

    async def client(c, conn):
        j = c
        while not state["stop"]:
            data = requests[j % len(requests)]
            j += args.clients
            start = time.perf_counter()
            status, _, body, _, _ = await conn.request(data)
            if status != args.expect:
                errors.append(f"HTTP {status}: {body[:200]!r}")
            elif args.expect == 200 and path.startswith("/v1/notifications") and b'"items":[]' not in body:
                errors.append(f"not empty: {body[:200]!r}")
            if state["measuring"]:
                latencies.append(time.perf_counter() - start)
                counts[0] += 1

    tasks = [asyncio.create_task(client(c, conn)) for c, conn in enumerate(conns)]
    await asyncio.sleep(args.warmup)
    cpu = CPUMeter(args.pid, postmaster)
    state["measuring"] = True
    cpu.start()
    t0 = time.perf_counter()
    await asyncio.sleep(args.seconds)
    state["measuring"] = False
    elapsed = time.perf_counter() - t0
    used = cpu.stop()
    state["stop"] = True
    await asyncio.gather(*tasks, return_exceptions=True)
    for conn in conns:
        conn.close()
    n = counts[0]
    out = {"path": path, "clients": args.clients, "seconds": elapsed, "requests": n, "rps": n / elapsed,
           "latency": summary_ms(latencies), "errors": len(errors), "error_samples": errors[:5], "cpu": used}
    print(f"HTTP GET {path.split('?')[0]}{' (empty polls)' if path.startswith('/v1/notifications?after') else ''}, {args.clients} keep-alive clients, {elapsed:.1f} s: {n} answers, "
          f"{out['rps']:.0f} req/s; latency {fmt_ms(out['latency'], ('p50', 'p99', 'max'))}; errors {len(errors)}")
    for e in errors[:3]:
        print(f"    {e}")
    print("  " + fmt_cpu(used, per=n))
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)


WRK_SCRIPT = """\
-- bench/longpoll.py: wrk requests, each thread cycling through the tokens from its own offset.
local tokens, requests, n, step = {}, {}, 0, 1
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  local file = assert(io.open(args[1]))
  for line in file:lines() do
    local token = line:match("^%S+%s+%S+%s+(%S+)$")
    if token then tokens[#tokens + 1] = token end
  end
  file:close()
  for i, token in ipairs(tokens) do
    requests[i] = wrk.format("GET", args[2], { ["Authorization"] = "Bearer " .. token })
  end
  n = offset or 0
  step = tonumber(args[3])
end
function request()
  n = n + step
  return requests[(n % #requests) + 1]
end
"""


def run_wrk(args, path, seconds, lua, threads):
    command = ["wrk", "-t", str(threads), "-c", str(args.clients), "-d", f"{seconds}s", "--latency",
               "-s", lua, f"http://{args.host}:{args.port}", "--", args.tokens, path, str(threads)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"wrk failed ({done.returncode}): {done.stderr.strip()[-1000:]}\n{done.stdout[-1000:]}")
    return done.stdout, " ".join(command)


def wrk_latency_ms(text, label):
    m = re.search(rf"^\s*{label}%\s+([0-9.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


async def cmd_throughput_wrk(args):
    """The same closed loop, driven by wrk (C, 2 threads): far less CPU per request than this driver."""
    tokens = read_tokens(args.tokens)
    postmaster = read_postmaster_pid(args.postmaster_pid)
    path = args.path.replace("{after}", str(args.after))
    # One request checked here first: the answer wrk will get is the one expected.
    conn = await connect(args.host, args.port)
    status, _, body, _, _ = await conn.request(request_bytes("GET", path, tokens[0][2]))
    conn.close()
    if status != args.expect or (args.expect == 200 and path.startswith("/v1/notifications") and b'"items":[]' not in body):
        sys.exit(f"unexpected answer before the wrk run: HTTP {status} {body[:200]!r}")
    lua = os.path.join(os.path.dirname(os.path.abspath(args.json)), "requests.lua")
    with open(lua, "w") as f:
        f.write(WRK_SCRIPT)
    threads = max(1, min(args.wrk_threads, args.clients))
    run_wrk(args, path, max(1, round(args.warmup)), lua, threads)
    conn = await connect(args.host, args.port)
    metrics_before = await scrape(conn)
    cpu = CPUMeter(args.pid, postmaster)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.start()
    text, command = run_wrk(args, path, round(args.seconds), lua, threads)
    used = cpu.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used["client_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    used["others_cpu_s"] -= used["client_cpu_s"]
    metrics_after = await scrape(conn)
    conn.close()
    # How many polls each feed statement carried (FeedReader coalesces concurrent polls).
    polls, statements = (metrics_after.get(name, 0) - metrics_before.get(name, 0)
                         for name in ("campaignd_feed_polls_total", "campaignd_feed_statements_total"))
    answers = int(re.search(r"(\d+) requests in ([0-9.]+)(ms|s|m)", text).group(1))
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    errors = (int(bad.group(1)) if bad else 0)
    if args.expect != 200:
        errors = answers - errors  # every answer should have been the non-2xx status asked for
    latency = {k: wrk_latency_ms(text, label) for k, label in (("p50", "50"), ("p90", "90"), ("p99", "99"))}
    out = {"path": path, "clients": args.clients, "driver": "wrk", "command": command, "seconds": args.seconds,
           "requests": answers, "rps": rps, "latency": latency, "errors": errors,
           "error_samples": [socket_errors.group(0)] if socket_errors else [], "cpu": used,
           "feed_polls": polls, "feed_statements": statements}
    print(f"HTTP GET {path.split('?')[0]}{' (empty polls)' if path.startswith('/v1/notifications?after') else ''}, "
          f"wrk -t {threads} -c {args.clients}, {args.seconds:.0f} s: {answers} answers, {rps:.0f} req/s; "
          f"latency p50 {latency['p50']} ms, p99 {latency['p99']} ms; unexpected status {errors}"
          f"{'; ' + socket_errors.group(0) if socket_errors else ''}")
    print("  " + fmt_cpu(used, per=answers).replace("this driver", "wrk"))
    if statements:
        print(f"  feed reads: {polls:.0f} polls in {statements:.0f} statements, {polls / statements:.2f} polls per statement")
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)


# ----------------------------------------------------------------------------------------
# pgbench


def cmd_pgbench(args):
    postmaster = read_postmaster_pid(args.postmaster_pid)
    command = ["pgbench", "-n", "-M", args.mode, "-c", str(args.clients), "-j", str(args.threads),
               "-T", str(args.seconds), "-f", args.script] + [f"-D{d}" for d in args.define] + [args.conninfo]
    cpu = CPUMeter(None, postmaster)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.start()
    done = subprocess.run(command, capture_output=True, text=True)
    used = cpu.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used["client_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    used["others_cpu_s"] -= used["client_cpu_s"]
    if done.returncode != 0:
        sys.exit(f"pgbench failed ({done.returncode}): {done.stderr.strip()[-1000:]}\n{done.stdout[-1000:]}")
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
    latency = re.search(r"latency average = ([0-9.]+) ms", done.stdout)
    processed = re.search(r"number of transactions actually processed: (\d+)", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    out = {"script": os.path.basename(args.script), "clients": args.clients, "tps": float(tps.group(1)),
           "latency_avg_ms": float(latency.group(1)) if latency else None,
           "transactions": int(processed.group(1)) if processed else None,
           "failed": int(failed.group(1)) if failed else 0, "cpu": used, "command": " ".join(command)}
    print(f"pgbench {out['script']}, -c {args.clients} -j {args.threads} -T {args.seconds} -M {args.mode}: "
          f"{out['tps']:.0f} tps, latency average {out['latency_avg_ms']} ms, failed {out['failed']}")
    print("  " + fmt_cpu(used, per=out["transactions"], unit="transaction").replace("this driver", "pgbench"))
    with open(args.json, "w") as f:
        json.dump(out, f, indent=1)


# ----------------------------------------------------------------------------------------
# summary


def cmd_summary(args):
    if os.path.exists(args.longpoll):
        summary_longpoll(args.longpoll)
    if all(os.path.exists(f"{args.dir}/http-{n}.json") for n in args.clients):
        summary_throughput(args)


def summary_longpoll(path):
    with open(path) as f:
        lp = json.load(f)
    lat = lp["latency_from_commit"]
    print(f"long poll, {lp['clients']} clients x {lp['rounds']} rounds:")
    print(f"  commit -> delivery p50 {lat['p50']:.1f}  p95 {lat['p95']:.1f}  p99 {lat['p99']:.1f}  max {lat['max']:.1f} ms "
          f"(goal p99 <= 250 ms: {'met' if lat['p99'] <= 250 else 'NOT met'}); undelivered {lp['undelivered']}")
    hwm = lp["memory_after_kb"]["VmHWM"] / 1024
    print(f"  daemon VmHWM {hwm:.1f} MB (goal <= 150 MB: {'met' if hwm <= 150 else 'NOT met'})")
    print(f"  database connections while they wait: at most {lp['waiting_connections_max']} "
          f"({', '.join(f'{k} {v}' for k, v in lp['waiting_connections'][0].items())})")


def summary_throughput(args):
    print("empty polls, HTTP vs pgbench (same number of clients N):")
    print(f"  {'N':>4} {'HTTP req/s':>11} {'polls/statement':>16} {'pgbench feed SELECT':>20} {'pgbench daemon statement':>25} "
          f"{'HTTP/feed':>10} {'HTTP/daemon statement':>22}")
    peaks = {"http": 0.0, "feed": 0.0, "server": 0.0}
    for n in args.clients:
        with open(f"{args.dir}/http-{n}.json") as f:
            http = json.load(f)
        with open(f"{args.dir}/pgbench-feed-{n}.json") as f:
            feed = json.load(f)
        with open(f"{args.dir}/pgbench-server-{n}.json") as f:
            server = json.load(f)
        r1, r2 = http["rps"] / feed["tps"], http["rps"] / server["tps"]
        batch = http["feed_polls"] / http["feed_statements"] if http.get("feed_statements") else float("nan")
        print(f"  {n:>4} {http['rps']:>11.0f} {batch:>16.1f} {feed['tps']:>20.0f} {server['tps']:>25.0f} {r1:>9.2f}x {r2:>21.2f}x"
              f"   (goal >= 0.5x: {'met' if r1 >= 0.5 else 'NOT met'} / {'met' if r2 >= 0.5 else 'NOT met'})")
        peaks = {"http": max(peaks["http"], http["rps"]), "feed": max(peaks["feed"], feed["tps"]),
                 "server": max(peaks["server"], server["tps"])}
    print(f"  best of each over N = {' '.join(map(str, args.clients))}: HTTP {peaks['http']:.0f} req/s, "
          f"feed SELECT {peaks['feed']:.0f} tps ({peaks['http'] / peaks['feed']:.2f}x), "
          f"daemon statement {peaks['server']:.0f} tps ({peaks['http'] / peaks['server']:.2f}x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("tokens")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--first-id", type=int, required=True)
    p.add_argument("--copy-out", required=True)
    p.add_argument("--tokens-out", required=True)

    def common(p):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--pid", type=int, required=True, help="the daemon's pid")
        p.add_argument("--postmaster-pid", help="the cluster's postmaster.pid file (for its CPU)")
        p.add_argument("--tokens", required=True)
        p.add_argument("--json", required=True)

    p = sub.add_parser("longpoll")
    common(p)
    p.add_argument("--conninfo", required=True, help="libpq connection string (superuser) for psql")
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--warmup-rounds", type=int, default=1)
    p.add_argument("--wait", type=int, default=30)
    p.add_argument("--settle", type=float, default=3.0)
    p.add_argument("--delivery-timeout", type=float, default=20.0)
    p.add_argument("--activity-period", type=float, default=0.5)
    p.add_argument("--hold", type=float, default=2.0, help="seconds of sampling while every client waits, before a publish")
    p.add_argument("--second-after-ms", type=float, default=None,
                   help="diagnosis: publish a second package this long after the first publish answered")
    p.add_argument("--second-via", choices=("http", "sql"), default="http",
                   help="the second event: a publish over HTTP, or rows inserted + NOTIFY straight in SQL")
    p.add_argument("--repoll-delay", type=float, default=0.0,
                   help="diagnosis only: seconds a client sleeps after an answer with rows before polling again")

    p = sub.add_parser("throughput")
    common(p)
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--after", type=int, required=True)
    p.add_argument("--path", default="/v1/notifications?after={after}&wait=0",
                   help="diagnosis: another path (e.g. /healthz, or /v1/notifications?limit=0: the token check alone, answered 422)")
    p.add_argument("--expect", type=int, default=200, help="the status every answer must have")
    p.add_argument("--driver", choices=("wrk", "python"), default="wrk",
                   help="wrk (C, little CPU per request; Debian package wrk) or this process's asyncio clients")
    p.add_argument("--wrk-threads", type=int, default=2)

    p = sub.add_parser("pgbench")
    p.add_argument("--script", required=True)
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--mode", default="extended")
    p.add_argument("--define", action="append", default=[])
    p.add_argument("--postmaster-pid")
    p.add_argument("--conninfo", required=True)
    p.add_argument("--json", required=True)

    p = sub.add_parser("summary")
    p.add_argument("--longpoll", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--clients", type=int, nargs="+", required=True)

    args = parser.parse_args()
    if args.command == "tokens":
        cmd_tokens(args)
    elif args.command == "longpoll":
        asyncio.run(cmd_longpoll_async(args))
    elif args.command == "throughput":
        asyncio.run(cmd_throughput_wrk(args) if args.driver == "wrk" else cmd_throughput_async(args))
    elif args.command == "pgbench":
        cmd_pgbench(args)
    else:
        cmd_summary(args)


if __name__ == "__main__":
    main()
