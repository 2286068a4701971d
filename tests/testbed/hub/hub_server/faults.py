"""Faults injected into file responses (cut connections, corrupt or short files) and the bytes served."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Dict, Iterator, List, Optional

from .store import Repo, RepoFile, matches_any

CHUNK_SIZE = 64 * 1024


def split_patterns(value: str) -> List[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass
class Faults:
    cut_after: Optional[int] = None
    cut_times: int = 1
    cut_files: str = "*.safetensors"
    corrupt_files: str = ""
    short_files: str = ""

    @classmethod
    def from_mapping(cls, data: Dict[str, object]) -> "Faults":
        unknown = set(data) - set(cls.__dataclass_fields__)  # pylint: disable=no-member
        if unknown:
            raise ValueError("unknown fault keys: %s" % ", ".join(sorted(unknown)))
        faults = cls()
        if data.get("cut_after") is not None:
            faults.cut_after = int(str(data["cut_after"]))
            if faults.cut_after < 0:
                raise ValueError("cut_after must be >= 0")
        if data.get("cut_times") is not None:
            faults.cut_times = int(str(data["cut_times"]))
        for key in ("cut_files", "corrupt_files", "short_files"):
            if data.get(key) is not None:
                setattr(faults, key, str(data[key]))
        return faults


class FaultState:
    """Faults shared by all handler threads; a cut is consumed when it actually happens."""

    def __init__(self, faults: Faults) -> None:
        self._lock = threading.Lock()
        self._faults = faults

    def snapshot(self) -> Faults:
        with self._lock:
            return Faults(**asdict(self._faults))

    def replace(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults

    def selected(self, kind: str, repo_id: str, path: str) -> bool:
        patterns = split_patterns(getattr(self.snapshot(), kind))
        return matches_any(path, patterns) or matches_any("%s/%s" % (repo_id, path), patterns)

    def take_cut(self, repo_id: str, path: str, body_length: int) -> Optional[int]:
        """Byte count after which to drop this response, or None; reserves one of the remaining cuts."""
        with self._lock:
            faults = self._faults
            if faults.cut_after is None or faults.cut_times <= 0 or faults.cut_after >= body_length:
                return None
            patterns = split_patterns(faults.cut_files) or ["*"]
            if not (matches_any(path, patterns) or matches_any("%s/%s" % (repo_id, path), patterns)):
                return None
            faults.cut_times -= 1
            return faults.cut_after


def served_length(repo_file: RepoFile, short: bool) -> int:
    """A 'short' file loses a quarter of its bytes (at least one) but keeps its listed size."""
    if not short or repo_file.size == 0:
        return repo_file.size
    return repo_file.size - max(1, repo_file.size // 4)


def corrupt_offset(repo_file: RepoFile) -> int:
    return repo_file.size // 2


def read_served_bytes(repo: Repo, repo_file: RepoFile, start: int, end: int, corrupt: bool) -> Iterator[bytes]:
    """Bytes [start, end) of the file as served, with the corruption (if any) applied in place."""
    flip_at = corrupt_offset(repo_file) if corrupt else -1
    with (repo.directory / repo_file.path).open("rb") as handle:
        handle.seek(start)
        position = start
        while position < end:
            block = handle.read(min(CHUNK_SIZE, end - position))
            if not block:
                return
            if position <= flip_at < position + len(block):
                mutable = bytearray(block)
                mutable[flip_at - position] ^= 0xFF
                block = bytes(mutable)
            position += len(block)
            yield block
