"""Every request: one line on stderr, a record for GET /_hub/requests and, with --request-log, a JSON line."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Dict, List, Optional


class RequestLog:
    def __init__(self, path: Optional[Path]) -> None:
        self._lock = threading.Lock()
        self._records: List[Dict[str, object]] = []
        self._path = path

    def add(self, record: Dict[str, object]) -> None:
        line = '%s %s "%s %s" %s range=%s sent=%s%s' % (
            record["client"], record["scheme"], record["method"], record["path"], record["status"],
            record["range"] or "-", record["bytes_sent"], (" fault=%s" % record["fault"]) if record["fault"] else "")
        with self._lock:
            self._records.append(record)
            if self._path is not None:
                with self._path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record, sort_keys=True) + "\n")
            sys.stderr.write("hub: %s\n" % line)
            sys.stderr.flush()

    def records(self) -> List[Dict[str, object]]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
