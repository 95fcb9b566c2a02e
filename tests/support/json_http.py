"""JSON over HTTP on 127.0.0.1, for the stand-ins the tests need beside the real services (a JWKS
endpoint, an OpenAI-compatible API, a Kubernetes API server, ai-todo's contract for the helm test).

A stand-in is one function from the request to (status, JSON body); this module does the serving."""

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class JsonRequest:
    method: str
    path: str
    headers: Mapping[str, str]  # names in lower case
    body: Any  # the parsed JSON body, None when there is none


Respond = Callable[[JsonRequest], tuple[int, Any]]


@contextmanager
def serving_json(respond: Respond) -> Iterator[str]:
    """Serves `respond` on a free port; yields the base URL, e.g. http://127.0.0.1:41234."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer = respond(JsonRequest(self.command, self.path, headers, body))
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: test output is not the place for access logs."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
