"""A keep-alive HTTP client of the daemon for the benchmark drivers (standard library only)."""

import http.client
import json
import sys


class API:
    """Requests to 127.0.0.1:port, with a bearer token when given; a broken keep-alive
    connection is reopened once. An unexpected status ends the benchmark with it."""

    def __init__(self, port, token=None, name="bench"):
        self.port, self.token, self.name = port, token, name
        self.conn = None

    def request(self, method, path, body=None, expect=(200, 201, 202, 204)):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": "Bearer " + self.token} if self.token else {}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        if response.status not in expect:
            sys.exit(f"{self.name}: {method} {path} answered {response.status}: {payload[:500]!r}")
        return json.loads(payload) if payload else None
