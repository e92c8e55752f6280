#!/usr/bin/env python3
"""A webhook receiver for the tests: a real HTTP server on 127.0.0.1.

Usage: receiver.py PORT_FILE LOG_FILE. It writes its port to PORT_FILE, then serves:
  PUT  /_secret/NAME   body = the endpoint's secret, for signature checks of /NAME
  POST /NAME[/ANY]     a delivery; NAME decides the answer (ANY tells endpoints apart):
       ok            204
       fail-N        500 for the first N attempts of each webhook-id, then 200
       slow-S        answers 200 after S seconds
       down          500 always
Each delivery is one JSON line in LOG_FILE: path, webhook-id, timestamp, whether the
signature checks out (Standard Webhooks: base64 HMAC-SHA256 of "id.timestamp.body"
keyed with the base64-decoded secret after "whsec_"), the status answered, the body, and
when the request came and when it was answered (Unix seconds), to check that one
endpoint never has two deliveries in flight.
"""
import base64, hashlib, hmac, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, log_file = sys.argv[1], sys.argv[2]
secrets, attempts, lock = {}, {}, threading.Lock()


def verify(secret, msg_id, timestamp, body, header):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(f"v1,{expected}", part) for part in header.split())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            secrets[self.path.removeprefix("/_secret")] = body.decode()
        self.answer(204)

    def do_POST(self):
        started = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        name = self.path.lstrip("/").split("/")[0]
        msg_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        with lock:
            secret = secrets.get(self.path)
            attempts[(self.path, msg_id)] = attempts.get((self.path, msg_id), 0) + 1
            attempt = attempts[(self.path, msg_id)]
        status = 204
        if name.startswith("fail-") and attempt <= int(name[5:]):
            status = 500
        elif name.startswith("slow-"):
            time.sleep(float(name[5:]))
            status = 200
        elif name == "down":
            status = 500
        signed = secret is not None and verify(secret, msg_id, timestamp, body, self.headers.get("webhook-signature", ""))
        with lock, open(log_file, "a") as log:
            log.write(json.dumps({"path": self.path, "id": msg_id, "timestamp": timestamp, "signed": signed,
                                  "status": status, "attempt": attempt, "body": json.loads(body),
                                  "started": started, "ended": time.time()}) + "\n")
        self.answer(status)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
