"""The mock on a real HTTP server, so that curl, other languages and other teams can use it.

``python -m <package>.testing serve`` runs :func:`main`: a standard-library
``ThreadingHTTPServer`` on loopback (by default) whose every request is answered by a
``MockAPI`` serving at the server's own root URL. Requests under ``/__mock__/`` script the mock
instead (no API path may start with it; the server refuses to start otherwise):

- ``POST /__mock__/script`` ``{"operation": ..., "answers": [...], "path": {...}}``: the next
  answers of an operation; an answer is a JSON value, or ``{"status": 500, "json": ...}`` when
  the object also says ``"http": true``;
- ``POST /__mock__/statuses`` ``{"key": "t1", "statuses": ["pending", "completed"]}``;
- ``GET /__mock__/calls``: the requests received; ``POST /__mock__/reset``: forget them and the
  scripts.

Bodies over 1 MiB get 413, paths with ``.`` or ``..`` segments 400, other methods 501. SIGINT
and SIGTERM stop accepting requests, let those under way finish, and exit 0.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from ._mock import BaseMockAPI

__all__ = ["CONTROL_PREFIX", "MAX_BODY", "main", "make_server"]

CONTROL_PREFIX = "/__mock__/"
MAX_BODY = 1 << 20
_DRAIN_LIMIT = 64 << 20  # a bigger body is not read at all: the connection is closed instead
_HOP_BY_HOP = {"connection", "content-length", "keep-alive", "transfer-encoding", "content-encoding"}
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _json(status: int, value: Any) -> httpx.Response:
    return httpx.Response(status, json=value)


class _Handler(BaseHTTPRequestHandler):
    server: _MockServer
    protocol_version = "HTTP/1.1"
    timeout = 10  # seconds a silent client may hold a thread (and delay a shutdown)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, each answer waits ~40 ms for an ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own errors (a bad request line, an unknown method...) as JSON, like the mock's.
        self.close_connection = True
        text = message or self.responses.get(code, ("error",))[0]
        body = json.dumps({"message": f"{text}: {explain}" if explain else text}).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def _answer(self) -> None:
        try:
            response = self._response()
        except Exception as error:  # a bug or a scripted exception: still a well-formed answer
            response = _json(500, {"message": f"the mock raised {type(error).__name__}: {error}"})
        content = b"" if self.command == "HEAD" else response.read()
        self.send_response(response.status_code)
        for name, value in response.headers.multi_items():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.content)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(content)

    def _response(self) -> httpx.Response:
        length_text = self.headers.get("Content-Length", "0")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            return _json(411, {"message": "chunked bodies are not supported: send Content-Length"})
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            return _json(400, {"message": f"Content-Length is not a byte count: {length_text!r}"})
        if length > MAX_BODY:
            self.close_connection = True
            if length <= _DRAIN_LIMIT:  # read it, so that the client sees the answer, not a reset
                remaining = length
                while remaining:
                    remaining -= len(self.rfile.read(min(remaining, 1 << 16)) or b"") or remaining
            return _json(413, {"message": f"the body is {length} bytes; the mock accepts {MAX_BODY} at most"})
        body = self.rfile.read(length) if length else b""
        raw_path = self.path
        if not raw_path.startswith("/"):
            return _json(400, {"message": "the request target must be a path starting with /"})
        segments = raw_path.split("?", 1)[0].split("/")
        if any(
            segment in (".", "..") or segment.lower() in ("%2e", "%2e%2e", ".%2e", "%2e.")
            for segment in segments
        ):
            return _json(400, {"message": "a path may not contain . or .. segments"})
        if raw_path.startswith(CONTROL_PREFIX):
            return self.server.control(self.command, raw_path[len(CONTROL_PREFIX) :].split("?", 1)[0], body)
        headers = [(name, value) for name, value in self.headers.items() if name.lower() != "host"]
        url = str(self.server.mock.base_url) + raw_path
        request = httpx.Request(self.command, url, headers=headers, content=body)
        return self.server.mock.handle(request)


for _method in _METHODS:
    setattr(_Handler, f"do_{_method}", _Handler._answer)


class _MockServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for requests under way
    request_queue_size = 256  # the default 5 drops the connections of a burst of clients
    block_on_close = True

    def __init__(
        self, address: tuple[str, int], make_mock: Callable[[str], BaseMockAPI], verbose: bool
    ) -> None:
        super().__init__(address, _Handler)
        host, port = str(self.server_address[0]), int(self.server_address[1])
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
        self.mock = make_mock(self.url)
        self.verbose = verbose
        for operation in self.mock.operations:
            if (operation.path.rstrip("/") + "/").startswith(CONTROL_PREFIX):
                self.server_close()
                raise ValueError(
                    f"the API path {operation.path} clashes with the mock's control path {CONTROL_PREFIX}"
                )

    def control(self, method: str, action: str, body: bytes) -> httpx.Response:
        """Answer a request under the control prefix."""
        known = {"script": "POST", "statuses": "POST", "reset": "POST", "calls": "GET"}
        if action not in known:
            return _json(
                404, {"message": f"no control action {action!r} (known: {', '.join(sorted(known))})"}
            )
        if method != known[action]:
            return httpx.Response(
                405,
                json={"message": f"{CONTROL_PREFIX}{action} takes {known[action]}"},
                headers={"Allow": known[action]},
            )
        if action == "calls":
            calls = [{"operation": op, "method": r.method, "path": r.url.path} for op, r in self.mock.calls]
            return _json(200, calls)
        if action == "reset":
            self.mock.reset()
            return _json(200, {"message": "calls and scripts forgotten"})
        try:
            value = json.loads(body or b"null")
        except ValueError as error:
            return _json(400, {"message": f"the body is not JSON: {error}"})
        if not isinstance(value, dict):
            return _json(400, {"message": "the body must be a JSON object"})
        try:
            if action == "script":
                answers = [
                    httpx.Response(int(a.get("status", 200)), json=a.get("json"), headers=a.get("headers"))
                    if isinstance(a, dict) and a.get("http") is True
                    else a
                    for a in value.get("answers") or []
                ]
                self.mock.script(str(value.get("operation")), answers, path=value.get("path"))
            else:
                self.mock.script_statuses(
                    value.get("key"), list(value.get("statuses") or []), operation=value.get("operation")
                )
        except (KeyError, ValueError, TypeError) as error:
            return _json(400, {"message": str(error).strip("'\"")})
        return _json(200, {"message": f"{action} set"})


def make_server(
    make_mock: Callable[[str], BaseMockAPI],
    host: str = "127.0.0.1",
    port: int = 4010,
    *,
    verbose: bool = False,
) -> _MockServer:
    """A server (not yet serving) whose mock is ``make_mock(server_url)``; port 0 picks a free one."""
    return _MockServer((host, port), make_mock, verbose)


def main(
    make_mock: Callable[[str, str | None], BaseMockAPI], argv: Sequence[str] | None = None, prog: str = ""
) -> int:
    """``serve [--host H] [--port P] [--cassette PATH] [--verbose]``: serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(prog=prog or None, description="Serve the API's mock over HTTP.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the mock over HTTP until SIGINT or SIGTERM")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=4010, help="port (0: any free port; default 4010)")
    serve.add_argument("--cassette", help="replay this cassette first (see Recorder)")
    serve.add_argument("--verbose", action="store_true", help="log each request to stderr")
    arguments = parser.parse_args(argv)
    try:
        server = make_server(
            lambda url: make_mock(url, arguments.cassette),
            arguments.host,
            arguments.port,
            verbose=arguments.verbose,
        )
    except (OSError, ValueError) as error:
        print(f"error: cannot serve on {arguments.host}:{arguments.port}: {error}", file=sys.stderr)
        return 2

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever() to return, which runs in this very thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(
        f"serving the mock on {server.url} (control: {server.url}{CONTROL_PREFIX}); Ctrl-C stops", flush=True
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    print("stopped", flush=True)
    return 0
