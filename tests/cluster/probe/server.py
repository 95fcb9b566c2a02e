"""The conformance probe: answers GET / with its pod's name and the message it was given."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Probe(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = {"pod": os.environ.get("HOSTNAME", ""), "message": os.environ.get("PROBE_MESSAGE", "")}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


ThreadingHTTPServer(("0.0.0.0", 8080), Probe).serve_forever()
