#!/usr/bin/env python3
"""A stand-in `palisade server` for recording: accepts POSTs to /api/v1/ingest/alerts and
/api/v1/ingest/heartbeats and appends each body to OUT_DIR/alerts.jsonl or
OUT_DIR/heartbeats.jsonl (one heartbeat per line). Used by demo/record_sensor.sh.
Usage: recorder.py PORT OUT_DIR"""
import http.server
import json
import os
import sys

OUT = sys.argv[2]


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if self.path == "/api/v1/ingest/alerts":
            name, n = "alerts.jsonl", sum(1 for l in body.splitlines() if l.strip())
        elif self.path == "/api/v1/ingest/heartbeats":
            name, n, body = "heartbeats.jsonl", 1, json.dumps(json.loads(body), separators=(",", ":")).encode() + b"\n"
        else:
            self.send_response(404)
            self.end_headers()
            return
        with open(os.path.join(OUT, name), "ab") as f:
            f.write(body if body.endswith(b"\n") else body + b"\n")
        reply = json.dumps({"accepted": n, "duplicates": 0}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
