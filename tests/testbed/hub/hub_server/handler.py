"""What every route shares: reading the request, the request log record, JSON answers and file bodies."""

from __future__ import annotations

import datetime
import json
import re
import socket
import ssl
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

from .faults import read_served_bytes, served_length
from .gate import presented_credential
from .server import HubServer
from .store import Repo, RepoFile


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: Optional[str], length: int) -> Optional[Tuple[int, int]]:
    """Inclusive (first, last) of a single byte range, None to send the whole body.

    Multiple ranges and malformed headers are ignored (a full 200 answer is valid
    HTTP for them); a range that starts past the end raises RangeNotSatisfiable.
    """
    if not header:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first_text, last_text = match.groups()
    if not first_text:
        suffix = int(last_text)
        if suffix == 0:
            raise RangeNotSatisfiable()
        return max(0, length - suffix), length - 1
    first = int(first_text)
    if first >= length:
        raise RangeNotSatisfiable()
    last = int(last_text) if last_text else length - 1
    if last < first:
        return None
    return first, min(last, length - 1)


def http_date(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


class BaseHandler(BaseHTTPRequestHandler):
    """Each API adds its routes in a subclass; routes.HubRequestHandler puts them together."""

    server: HubServer
    protocol_version = "HTTP/1.1"
    # Buffered writes: the end of each response leaves when the handler returns,
    # after the request is logged, so a client never sees its answer complete
    # before the request log holds it.
    wbufsize = -1
    server_version = "ascend-testbed-hub/1.0"

    # Per-request bookkeeping for the log.
    _status = 0
    _bytes_sent = 0
    _fault = ""
    _body = b""
    _credential = ("", "")

    def log_message(self, format, *args) -> None:  # pylint: disable=redefined-builtin
        """Replaced by the structured log written after every request."""

    def send_response(self, code, message=None) -> None:
        self._status = int(code)
        super().send_response(code, message)

    # ----------------------------------------------------------------- dispatch

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        self._dispatch(send_body=True)

    def do_HEAD(self) -> None:  # pylint: disable=invalid-name
        self._dispatch(send_body=False)

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        self._dispatch(send_body=True)

    def do_PUT(self) -> None:  # pylint: disable=invalid-name
        self._dispatch(send_body=True)

    def do_DELETE(self) -> None:  # pylint: disable=invalid-name
        self._dispatch(send_body=True)

    def _dispatch(self, send_body: bool) -> None:
        self._status, self._bytes_sent, self._fault = 0, 0, ""
        started = time.time()
        # Read any request body up front so a keep-alive connection stays in sync whatever the route.
        length = int(self.headers.get("Content-Length") or 0)
        self._body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        path, query = unquote(split.path), parse_qs(split.query)
        self._credential = presented_credential(self.headers.get("Authorization", ""), self.headers.get("Cookie", ""))
        try:
            self._route(path, query, send_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            self.server.request_log.add({
                "time": round(started, 3),
                "client": self.client_address[0],
                "scheme": "https" if isinstance(self.connection, ssl.SSLSocket) else "http",
                "method": self.command,
                "path": self.path,
                "status": self._status,
                "range": self.headers.get("Range"),
                "bytes_sent": self._bytes_sent,
                "fault": self._fault,
                # The kind of credential only ("bearer", "cookie" or ""), never its value.
                "credential": self._credential[0],
                "user_agent": self.headers.get("User-Agent", ""),
            })

    def _route(self, path: str, query: Dict[str, List[str]], send_body: bool) -> None:  # pylint: disable=unused-argument
        """A path no route knows; routes.HubRequestHandler tries the APIs' routes first."""
        self._send_json(HTTPStatus.NOT_FOUND, {"error": "Not found: %s %s" % (self.command, path)}, send_body)

    # ----------------------------------------------------------------- helpers

    def _send_json(self, status: int, document: object, send_body: bool = True, headers: Optional[Dict[str, str]] = None) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if send_body and self.command != "HEAD":
            self.wfile.write(body)
            self._bytes_sent += len(body)

    def _read_body(self) -> bytes:
        return self._body

    def _gate_status(self, repo_id: str) -> int:
        """0 when the request may read repo_id; 401 (no credential) or 403 (another token) when it is gated."""
        if not self.server.gate.refuses(repo_id, self._credential[1], self.client_address[0]):
            return 0
        return int(HTTPStatus.FORBIDDEN if self._credential[0] else HTTPStatus.UNAUTHORIZED)

    # ----------------------------------------------------------------- file bodies (both hubs)

    def _send_file(self, repo: Repo, repo_file: RepoFile, send_body: bool, headers: Dict[str, str]) -> None:
        faults = self.server.faults
        corrupt = faults.selected("corrupt_files", repo.repo_id, repo_file.path)
        short = faults.selected("short_files", repo.repo_id, repo_file.path)
        length = served_length(repo_file, short)
        self._fault = ",".join(name for name, active in (("corrupt", corrupt), ("short", short)) if active)
        try:
            byte_range = parse_range(self.headers.get("Range"), length)
        except RangeNotSatisfiable:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", "bytes */%d" % length)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        first, last = byte_range if byte_range else (0, length - 1)
        body_length = last - first + 1 if length else 0
        # HEAD and metadata always describe the listed file, so the client
        # compares what it receives against the truth, as with a bad mirror.
        announced = repo_file.size if self.command == "HEAD" and byte_range is None else body_length
        self.send_response(HTTPStatus.PARTIAL_CONTENT if byte_range else HTTPStatus.OK)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(announced))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", http_date(repo_file.mtime))
        self.send_header("Content-Disposition", 'inline; filename="%s"' % repo_file.path.rsplit("/", 1)[-1])
        if byte_range:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (first, last, length))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not send_body or self.command == "HEAD" or body_length == 0:
            return
        cut = faults.take_cut(repo.repo_id, repo_file.path, body_length)
        limit = body_length if cut is None else cut
        for block in read_served_bytes(repo, repo_file, first, first + limit, corrupt):
            self.wfile.write(block)
            self._bytes_sent += len(block)
        if cut is not None:
            self._fault = ",".join(item for item in (self._fault, "cut") if item)
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
