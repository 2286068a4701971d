# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Data parallelism across nodes: the head's rpc port and the headless nodes that join it.

In vLLM the head node (``--data-parallel-address A --data-parallel-rpc-port P``) runs the API server
and waits for every engine of the data-parallel group to say hello on A:P; a node started with
``--headless --data-parallel-start-rank S --data-parallel-size-local K`` runs engines S..S+K-1 and
connects to A:P. The head serves only once all ranks 0..N-1 have joined; an engine announcing a rank
it does not expect stops the head. Here each node announces (start rank, local size, total size, TP, PP)
as one JSON line and the head answers with one line; the connection stays open while both run, so
either side sees the other go away.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import List, NamedTuple, Optional, Tuple

from .logs import VllmLog

DEFAULT_RPC_PORT = 29550
DEFAULT_ADDRESS = "127.0.0.1"


class DpError(RuntimeError):
    """The data-parallel group cannot form; the message says which node and why."""


class RankGroup(NamedTuple):
    start_rank: int
    local_size: int
    dp_size: int
    tensor_parallel: int
    pipeline_parallel: int
    node: str

    def ranks(self) -> range:
        return range(self.start_rank, self.start_rank + self.local_size)


def timeout_message(seconds: float) -> str:
    return (
        "TimeoutError: Timed out waiting for engine core processes to start. This is often caused by slow weight "
        "loading for large models. Waited %ds (configured by VLLM_ENGINE_READY_TIMEOUT_S). To increase the timeout, "
        "set the environment variable: VLLM_ENGINE_READY_TIMEOUT_S=<seconds>" % seconds
    )


def check_joining(head: RankGroup, joined: List[RankGroup], newcomer: RankGroup) -> Optional[str]:
    """Why the head must refuse ``newcomer`` (None when it fits the group)."""
    if newcomer.dp_size != head.dp_size:
        return "engine group from %s says --data-parallel-size %d, the head serves --data-parallel-size %d" % (
            newcomer.node,
            newcomer.dp_size,
            head.dp_size,
        )
    if (newcomer.tensor_parallel, newcomer.pipeline_parallel) != (head.tensor_parallel, head.pipeline_parallel):
        return "engine group from %s runs TP%d x PP%d, the head runs TP%d x PP%d" % (
            newcomer.node,
            newcomer.tensor_parallel,
            newcomer.pipeline_parallel,
            head.tensor_parallel,
            head.pipeline_parallel,
        )
    taken = {rank: group.node for group in [head] + joined for rank in group.ranks()}
    for rank in newcomer.ranks():
        if rank < 0 or rank >= head.dp_size:
            return "Message from engine with unexpected data parallel rank: %d (from %s, --data-parallel-start-rank %d, ranks are 0..%d)" % (
                rank,
                newcomer.node,
                newcomer.start_rank,
                head.dp_size - 1,
            )
        if rank in taken:
            return "HELLO message from remote engine %d (from %s, --data-parallel-start-rank %d) but rank %d already belongs to %s" % (
                rank,
                newcomer.node,
                newcomer.start_rank,
                rank,
                taken[rank],
            )
    return None


def missing_ranks(head: RankGroup, joined: List[RankGroup]) -> List[int]:
    have = {rank for group in [head] + joined for rank in group.ranks()}
    return [rank for rank in range(head.dp_size) if rank not in have]


class DataParallelHead:
    """Listens on the rpc port and collects the group; ``wait`` returns when every rank is there."""

    def __init__(self, own: RankGroup, address: str, port: int, log: VllmLog) -> None:
        self.own = own
        self.address = address
        self.port = port
        self.log = log
        self.joined: List[RankGroup] = []  # said hello with a consistent rank range
        self.ready: List[RankGroup] = []  # and then finished loading
        self.failure: Optional[str] = None
        self.lost: Optional[str] = None
        self._connections: List[socket.socket] = []
        self._changed = threading.Condition()
        self._sock: Optional[socket.socket] = None

    def listen(self) -> None:
        sock = socket.socket(socket.AF_INET6 if ":" in self.address else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.address, self.port))
            sock.listen(64)
        except OSError as exc:
            sock.close()
            raise DpError("zmq.error.ZMQError: %s (addr='tcp://%s:%d')" % (exc.strerror or exc, self.address, self.port)) from None
        self._sock = sock
        threading.Thread(target=self._accept_loop, name="dp-head", daemon=True).start()

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while True:
            try:
                conn, peer = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve_peer, args=(conn, peer), daemon=True).start()

    def _serve_peer(self, conn: socket.socket, peer: Tuple[str, int]) -> None:
        reader = conn.makefile("r", encoding="utf-8")
        try:
            hello = json.loads(reader.readline() or "null")
            group = RankGroup(
                int(hello["start_rank"]),
                int(hello["local_size"]),
                int(hello["dp_size"]),
                int(hello["tensor_parallel"]),
                int(hello["pipeline_parallel"]),
                "%s (%s)" % (hello.get("node", "?"), peer[0]),
            )
        except (ValueError, KeyError, TypeError):
            conn.close()
            return
        with self._changed:
            problem = check_joining(self.own, self.joined, group)
            if problem is None:
                self.joined.append(group)
                self._connections.append(conn)
            else:
                self.failure = problem
            self._changed.notify_all()
        conn.sendall((json.dumps({"ok": problem is None, "error": problem, "dp_size": self.own.dp_size}) + "\n").encode("utf-8"))
        if problem is not None:
            conn.close()
            return
        self.log.info(
            "core_client.py", "Engine group %s joined: data parallel ranks %d..%d" % (group.node, group.start_rank, group.start_rank + group.local_size - 1)
        )
        # Stay connected: the next line says the node's engines are loaded, EOF that they are gone.
        for line in reader:
            if line.strip():
                with self._changed:
                    self.ready.append(group)
                    self._changed.notify_all()
                self.log.info("core_client.py", "Engine group %s is ready" % group.node)
        with self._changed:
            self.lost = "engine group %s (ranks %d..%d) disconnected" % (group.node, group.start_rank, group.start_rank + group.local_size - 1)
            self._changed.notify_all()

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if self.failure:
                    raise DpError("RuntimeError: %s" % self.failure)
                if not missing_ranks(self.own, self.ready):
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = missing_ranks(self.own, self.ready)
                    raise DpError(
                        "%s\nData parallel ranks %s never joined the head at %s:%d (joined: %s)"
                        % (
                            timeout_message(timeout),
                            ",".join(str(r) for r in missing),
                            self.address,
                            self.port,
                            "; ".join("%s ranks %d..%d" % (g.node, g.start_rank, g.start_rank + g.local_size - 1) for g in [self.own] + self.joined),
                        )
                    )
                self._changed.wait(min(left, 1.0))

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        for conn in self._connections:
            try:
                conn.close()
            except OSError:
                pass


class HeadlessMember:
    """A headless node's link to the head: join, then hold the connection while serving."""

    def __init__(self, own: RankGroup, address: str, port: int, log: VllmLog) -> None:
        self.own = own
        self.address = address
        self.port = port
        self.log = log
        self._sock: Optional[socket.socket] = None

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_error = "no attempt"
        while True:
            try:
                sock = socket.create_connection((self.address, self.port), timeout=5)
                break
            except OSError as exc:
                last_error = exc.strerror or str(exc)
            if time.monotonic() >= deadline:
                raise DpError(
                    "RuntimeError: Did not receive response from front-end process within %ds: could not reach the data parallel "
                    "head at tcp://%s:%d (%s). Check --data-parallel-address and --data-parallel-rpc-port on every node."
                    % (timeout, self.address, self.port, last_error)
                )
            time.sleep(0.5)
        hello = dict(self.own._asdict())
        sock.sendall((json.dumps(hello) + "\n").encode("utf-8"))
        sock.settimeout(max(deadline - time.monotonic(), 1.0))
        try:
            answer = json.loads(sock.makefile("r", encoding="utf-8").readline() or "null")
        except (OSError, ValueError):
            answer = None
        if not isinstance(answer, dict):
            sock.close()
            raise DpError("RuntimeError: the data parallel head at tcp://%s:%d did not answer the handshake" % (self.address, self.port))
        if not answer.get("ok"):
            sock.close()
            raise DpError("RuntimeError: the data parallel head at tcp://%s:%d refused this node: %s" % (self.address, self.port, answer.get("error")))
        sock.settimeout(None)
        self._sock = sock

    def report_ready(self) -> None:
        assert self._sock is not None
        self._sock.sendall(b'{"ready": true}\n')

    def wait_for_head_exit(self) -> None:
        """Blocks while the head is up; returns when it goes away."""
        assert self._sock is not None
        while True:
            try:
                if not self._sock.recv(1024):
                    return
            except OSError:
                return

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
