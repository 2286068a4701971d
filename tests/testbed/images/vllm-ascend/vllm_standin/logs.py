# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Log lines in vLLM's own layout, so whatever reads a real server's log reads ours.

vLLM writes ``LEVEL MM-DD HH:MM:SS [file.py:line] message`` to stdout, each process prefixed with its
role (``(APIServer pid=7)``, ``(EngineCore_DP0 pid=9)``); uvicorn's lines read ``INFO:     ...``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Optional, TextIO

_lock = threading.Lock()


class VllmLog:
    """One process role's logger."""

    def __init__(self, role: str, stream: Optional[TextIO] = None) -> None:
        self.prefix = "(%s pid=%d) " % (role, os.getpid()) if role else ""
        self.stream = stream

    def _write(self, level: str, source: str, message: str, to_stderr: bool = False) -> None:
        stamp = time.strftime("%m-%d %H:%M:%S")
        stream = self.stream or (sys.stderr if to_stderr else sys.stdout)
        with _lock:
            for line in message.splitlines() or [""]:
                stream.write("%s%s %s [%s] %s\n" % (self.prefix, level, stamp, source, line))
            stream.flush()

    def info(self, source: str, message: str) -> None:
        self._write("INFO", source, message)

    def warning(self, source: str, message: str) -> None:
        self._write("WARNING", source, message)

    def error(self, source: str, message: str) -> None:
        self._write("ERROR", source, message, to_stderr=True)

    def uvicorn(self, message: str) -> None:
        stream = self.stream or sys.stdout
        with _lock:
            stream.write("%sINFO:     %s\n" % (self.prefix, message))
            stream.flush()

    def raw(self, text: str, to_stderr: bool = True) -> None:
        stream = self.stream or (sys.stderr if to_stderr else sys.stdout)
        with _lock:
            for line in text.splitlines():
                stream.write("%s%s\n" % (self.prefix, line))
            stream.flush()
