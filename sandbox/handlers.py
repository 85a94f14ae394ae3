"""HTTP plumbing: turn socket requests into `api.Request`s, apply injected faults, serve the
control API under /_sandbox/, and write JSON responses.

Logging is off unless `verbose`; a log line carries the method, the path without its query
string and the status, never headers (tokens) or query parameters (secrets).
"""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sandbox.api import Request, ZohoApi, zoho_error
from sandbox.store import CONTROL_OPERATIONS, SandboxStore

CONTROL_PREFIX = "/_sandbox/"
JSON_TYPE = "application/json;charset=UTF-8"
log = logging.getLogger("sandbox")


def make_handler(store: SandboxStore) -> type[BaseHTTPRequestHandler]:
    """A request-handler class bound to one store."""
    return type("BoundSandboxHandler", (SandboxHandler,), {"store": store, "api": ZohoApi(store)})


class SandboxHandler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 handler; every response has a Content-Length."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections give their thread back
    # Headers and body leave in one segment: with Nagle and delayed ACKs, separate small writes
    # cost ~40 ms per request on keep-alive connections.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16
    store: SandboxStore
    api: ZohoApi

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        body = self._read_body()
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url.path[len(CONTROL_PREFIX) :], body)
            return
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        fault = self.store.faults.take(url.path, _page_of(query))
        mode = fault.status if fault is not None else None
        if mode == "drop":
            self.close_connection = True  # no response at all: the client sees a dead socket
            self._log(url.path, "dropped")
            return
        if fault is not None and isinstance(fault.status, int):
            response = zoho_error(
                fault.status,
                fault.code if fault.code is not None else _default_code(fault.status),
                fault.message or "Injected fault",
                headers=dict(fault.headers),
                endpoint=self.api.endpoint_for(url.path),
            )
        else:
            request = Request(
                method=self.command,
                path=url.path,
                query=query,
                headers={k.lower(): v for k, v in self.headers.items()},
                form=self._form(body),
                repeat_previous_row=mode == "repeat",
            )
            response = self.api.handle(request)
        self.store.record(
            response.endpoint, response.org_id, response.status, response.throttle_code
        )
        self._send(response.status, response.body, response.headers, truncate=mode == "truncate")
        self._log(url.path, "truncated" if mode == "truncate" else response.status)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _form(self, body: bytes) -> dict[str, str]:
        content_type = self.headers.get("Content-Type", "")
        if body and content_type.startswith("application/x-www-form-urlencoded"):
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return {}

    def _control(self, operation: str, body: bytes) -> None:
        if operation == "health":
            self._send(200, {"status": "ok"})
            return
        if operation not in CONTROL_OPERATIONS:
            self._send(404, {"error": f"unknown control operation {operation!r}"})
            return
        try:
            kwargs = json.loads(body) if body else {}
            if not isinstance(kwargs, dict):
                raise ValueError("the request body must be a JSON object of arguments")
            result = getattr(self.store, operation)(**kwargs)
        except (KeyError, TypeError, ValueError) as error:
            message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
            self._send(400, {"error": str(message)})
            return
        self._send(200, {"result": result})

    def _send(
        self,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        *,
        truncate: bool = False,
    ) -> None:
        """Write one JSON response; `truncate` stops halfway through the body and hangs up."""
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if truncate:
            self.close_connection = True
            payload = payload[: len(payload) // 2]
        self.wfile.write(payload)

    def _log(self, path: str, outcome: object) -> None:
        if self.store.config.verbose:
            log.info("%s %s -> %s", self.command, path, outcome)

    def version_string(self) -> str:
        return "ZGS"  # Zoho's front end; also hides the Python version

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's own lines: they include the full request line (query strings)."""


def _page_of(query: dict[str, str]) -> int:
    """The list page a request asks for (1 when absent or not a number)."""
    page = query.get("page", "1")
    return int(page) if page.isdigit() else 1


def _default_code(status: int) -> int:
    """Zoho envelope code for an injected status without an explicit one."""
    return {401: 57, 404: 1002, 429: 44, 500: 1000}.get(status, status)
