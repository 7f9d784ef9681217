#!/usr/bin/env python3
"""A small HTTP server for feed tests: serves a directory with ETag and Last-Modified, answers
conditional requests with 304, pages NVD API requests, and records every request.

Usage: feed-server.py ROOT PORT_FILE
  - GET /<path>: the file ROOT/<path>, with ETag "sha256-<hex>" and Last-Modified.
  - GET /rest/json/cves/2.0?startIndex=N&...: ROOT/nvd-api/page-N.json, or
    ROOT/nvd-api/modified-page-N.json when the query asks for lastModStartDate.
  - GET /_requests: JSON list of [path, if-none-match, if-modified-since] seen so far.
Binds 127.0.0.1 on a free port and writes the port to PORT_FILE once listening.
"""
import email.utils
import hashlib
import http.server
import json
import os
import sys
import urllib.parse

ROOT = os.path.realpath(sys.argv[1])
SEEN = []


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_requests":
            body = json.dumps(SEEN).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        SEEN.append([self.path, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")])
        if url.path == "/rest/json/cves/2.0":
            query = urllib.parse.parse_qs(url.query)
            start = query.get("startIndex", ["0"])[0]
            kind = "modified-page" if "lastModStartDate" in query else "page"
            relative = f"nvd-api/{kind}-{int(start)}.json"
        else:
            relative = urllib.parse.unquote(url.path).lstrip("/")
        path = os.path.abspath(os.path.join(ROOT, relative))
        if not path.startswith(ROOT + os.sep) or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            body = f.read()
        etag = '"sha256-%s"' % hashlib.sha256(body).hexdigest()
        modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
