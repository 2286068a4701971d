"""The test bed's own routes under /_hub/: health, the CA, faults, the gate, the request log and the repositories."""

from __future__ import annotations

import json
from dataclasses import asdict
from http import HTTPStatus

from .faults import Faults
from .gate import Gate
from .handler import BaseHandler


class ControlRoutes(BaseHandler):
    def _control(self, path: str, send_body: bool) -> None:
        method = self.command
        if path == "/_hub/health" and method in ("GET", "HEAD"):
            self._send_json(HTTPStatus.OK, {"ok": True, "root": str(self.server.store.root)}, send_body)
        elif path == "/_hub/ca.pem" and method in ("GET", "HEAD") and self.server.ca_file is not None:
            body = self.server.ca_file.read_bytes()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/x-pem-file")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body and method == "GET":
                self.wfile.write(body)
                self._bytes_sent += len(body)
        elif path == "/_hub/faults" and method == "GET":
            self._send_json(HTTPStatus.OK, asdict(self.server.faults.snapshot()))
        elif path == "/_hub/faults" and method in ("PUT", "POST"):
            try:
                faults = Faults.from_mapping(json.loads(self._read_body() or b"{}"))
            except (ValueError, TypeError, AttributeError) as error:
                self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
                return
            self.server.faults.replace(faults)
            self._send_json(HTTPStatus.OK, asdict(faults))
        elif path == "/_hub/faults" and method == "DELETE":
            self.server.faults.replace(Faults())
            self._send_json(HTTPStatus.OK, asdict(Faults()))
        elif path == "/_hub/whoami" and method == "GET":
            # The address this hub sees the caller at: what a gate's "clients" takes.
            self._send_json(HTTPStatus.OK, {"client": self.client_address[0]})
        elif path == "/_hub/gate" and method == "GET":
            self._send_json(HTTPStatus.OK, self.server.gate.snapshot().public())
        elif path == "/_hub/gate" and method in ("PUT", "POST"):
            try:
                gate = Gate.from_mapping(json.loads(self._read_body() or b"{}"))
            except (ValueError, TypeError, AttributeError) as error:
                self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
                return
            self.server.gate.replace(gate)
            self._send_json(HTTPStatus.OK, gate.public())
        elif path == "/_hub/gate" and method == "DELETE":
            self.server.gate.replace(Gate())
            self._send_json(HTTPStatus.OK, Gate().public())
        elif path == "/_hub/requests" and method == "GET":
            self._send_json(HTTPStatus.OK, self.server.request_log.records())
        elif path == "/_hub/requests" and method == "DELETE":
            self.server.request_log.clear()
            self._send_json(HTTPStatus.OK, [])
        elif path == "/_hub/repos" and method == "GET":
            listing = {}
            for repo_id in self.server.store.repo_ids():
                repo = self.server.store.get(repo_id)
                if repo is not None:
                    listing[repo_id] = {"commit": repo.commit,
                                        "files": {p: {"size": f.size, "sha256": f.sha256} for p, f in sorted(repo.files.items())}}
            self._send_json(HTTPStatus.OK, listing)
        else:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": "unknown control path %s %s" % (method, path)}, send_body)
