"""The webhook receiver of bench/webhooks.sh (not a test): one process, asyncio, HTTP/1.1
keep-alive, on 127.0.0.1.

Usage: webhook_sink.py PORT_FILE SECRET. It writes its port to PORT_FILE and answers:
  POST /anything    a delivery: checks its Standard Webhooks signature with SECRET (every
                    endpoint of the benchmark shares it), counts it, answers 204
  GET  /_stats      {"requests", "bad_signatures", "unique_ids", "first", "last"} as JSON
                    (first and last: time.time() of the first and last delivery)
  POST /_reset      forgets the counts
The same work per request for the daemon's deliveries and for wrk's (which sends one
signed request over and over), so wrk's rate is this receiver's limit on this machine.
"""
import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
import time

port_file, secret = sys.argv[1], sys.argv[2]
KEY = base64.b64decode(secret.removeprefix("whsec_"))
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"


class Stats:
    def __init__(self):
        self.requests, self.bad, self.ids, self.first, self.last = 0, 0, set(), None, None


stats = Stats()


def signed(headers, body):
    msg_id, timestamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    digest = hmac.new(KEY, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode()
    return any(hmac.compare_digest(expected, part) for part in headers.get("webhook-signature", "").split())


class Sink(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""

    def data_received(self, data):
        global stats
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            method, path = lines[0].split(" ")[:2]
            if path == "/_stats":
                payload = json.dumps({"requests": stats.requests, "bad_signatures": stats.bad,
                                      "unique_ids": len(stats.ids), "first": stats.first, "last": stats.last}).encode()
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                     + str(len(payload)).encode() + b"\r\n\r\n" + payload)
                continue
            if path == "/_reset":
                stats = Stats()
                self.transport.write(NO_CONTENT)
                continue
            now = time.time()
            stats.requests += 1
            if not signed(headers, body):
                stats.bad += 1
            stats.ids.add(headers.get("webhook-id"))
            stats.first = stats.first or now
            stats.last = now
            self.transport.write(NO_CONTENT)


async def main():
    server = await asyncio.get_running_loop().create_server(Sink, "127.0.0.1", 0, backlog=1024)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    os.replace(port_file + ".tmp", port_file)
    await server.serve_forever()


asyncio.run(main())
