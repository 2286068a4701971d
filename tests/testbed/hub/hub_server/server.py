"""The listening server: plain HTTP and, with a certificate, TLS on the same port."""

from __future__ import annotations

import socket
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional, Tuple, Type

from .faults import FaultState
from .gate import Gate, GateState
from .request_log import RequestLog
from .store import RepoStore

TLS_HANDSHAKE_FIRST_BYTE = 0x16
SNIFF_TIMEOUT_SECONDS = 10.0


class HubServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: Tuple[str, int], handler: Type[BaseHTTPRequestHandler], store: RepoStore, faults: FaultState,
                 log: RequestLog, tls_context: Optional[ssl.SSLContext], ca_file: Optional[Path] = None,
                 gate: Optional[GateState] = None) -> None:
        self.store = store
        self.faults = faults
        self.gate = gate if gate is not None else GateState(Gate())
        self.request_log = log
        self.tls_context = tls_context
        self.ca_file = ca_file
        super().__init__(address, handler)

    def finish_request(self, request, client_address) -> None:
        """Runs in the connection's own thread: wrap it in TLS when the client opens with a ClientHello."""
        if self.tls_context is not None:
            try:
                request.settimeout(SNIFF_TIMEOUT_SECONDS)
                first = request.recv(1, socket.MSG_PEEK)
                request.settimeout(None)
                if first and first[0] == TLS_HANDSHAKE_FIRST_BYTE:
                    request = self.tls_context.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError) as error:
                sys.stderr.write("hub: %s TLS/sniff failed: %s\n" % (client_address[0], error))
                return
        super().finish_request(request, client_address)
