"""Stand-in model hub for the emulated Atlas test bed (standard library only).

Serves the repositories under --root (ROOT/OWNER/NAME/...) through enough of the
Hugging Face Hub API and of the ModelScope API that the real clients download
from it unchanged:

  Hugging Face  (HF_ENDPOINT=http://HOST:PORT)
    GET  /api/models/OWNER/NAME[/revision/REV]          model info (sha, siblings; ?blobs=true adds sizes, lfs)
    GET  /api/models/OWNER/NAME/tree/REV[/PATH]          tree listing (?recursive=true)
    POST /api/models/OWNER/NAME/paths-info/REV           per-path info
    HEAD/GET /OWNER/NAME/resolve/REV/PATH                file (ETag, X-Repo-Commit, X-Linked-*, Range)
  ModelScope    (MODELSCOPE_DOMAIN=HOST:PORT, https; MODELSCOPE_ENDPOINT=http[s]://HOST:PORT for modelscope>=1.38)
    GET  /api/v1/models/OWNER/NAME                       repo info
    GET  /api/v1/models/OWNER/NAME/revisions             branches (master) and tags (none)
    GET  /api/v1/models/OWNER/NAME/repo/files            file list with Size, Sha256, Revision
    GET  /api/v1/repos/internalAccelerationInfo          no intra-cloud region
    HEAD/GET /api/v1/models/OWNER/NAME/repo?FilePath=P   file (Range)
  Control (tests)
    GET /_hub/health, GET|PUT|DELETE /_hub/faults, GET|DELETE /_hub/requests, GET /_hub/repos,
    GET /_hub/ca.pem (the CA given with --tls-ca)

Revisions "main" (HF), "master" (ModelScope) and the repository's commit id all
name the current content; the commit id is derived from the files' checksums.

ModelScope clients before 1.38 always use https://MODELSCOPE_DOMAIN, so with
--tls-cert/--tls-key the same port also speaks TLS (the first byte of a
connection tells a TLS ClientHello from plain HTTP).

Fault injection (flags, HUB_FAULT_* variables, or PUT /_hub/faults at run time):
  cut_after N    the next cut_times file responses (matching cut_files) stop after N body bytes
  corrupt_files  matching files are served with one byte flipped (same size, wrong sha256)
  short_files    matching files are served shorter than listed (size mismatch)
Every request is logged to stderr (one line), kept for GET /_hub/requests and,
with --request-log, appended as a JSON line to that file.
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import hashlib
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORT = 8090
HF_DEFAULT_REVISION = "main"
MS_DEFAULT_REVISION = "master"
LFS_POINTER_SIZE = 134
# Used when a repository has no .gitattributes: the usual Hub defaults for weights.
DEFAULT_LFS_PATTERNS = ("*.safetensors", "*.bin", "*.pt", "*.pth", "*.gguf", "*.onnx", "*.h5", "*.msgpack", "*.ckpt")
CHUNK_SIZE = 64 * 1024
SKIPPED_NAMES = (".git",)
TLS_HANDSHAKE_FIRST_BYTE = 0x16
SNIFF_TIMEOUT_SECONDS = 10.0


# --------------------------------------------------------------------------- repositories


@dataclass(frozen=True)
class RepoFile:
    path: str
    size: int
    sha256: str
    git_oid: str
    is_lfs: bool
    mtime: float

    @property
    def etag(self) -> str:
        """What the Hub uses as a file's identity: sha256 for LFS files, the git blob id otherwise."""
        return self.sha256 if self.is_lfs else self.git_oid


@dataclass(frozen=True)
class Repo:
    repo_id: str
    directory: Path
    files: Dict[str, RepoFile]
    commit: str
    last_modified: float

    @property
    def owner(self) -> str:
        return self.repo_id.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repo_id.split("/", 1)[1]


def file_digests(path: Path) -> Tuple[str, str]:
    """sha256 and git blob sha1 of a file, read once."""
    size = path.stat().st_size
    sha256 = hashlib.sha256()
    git = hashlib.sha1(b"blob %d\0" % size)  # nosec B324 - git object ids are sha1 by definition
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            sha256.update(block)
            git.update(block)
    return sha256.hexdigest(), git.hexdigest()


def lfs_patterns(repo_dir: Path) -> List[str]:
    attributes = repo_dir / ".gitattributes"
    if not attributes.is_file():
        return list(DEFAULT_LFS_PATTERNS)
    patterns = []
    for line in attributes.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) > 1 and "filter=lfs" in parts[1:]:
            patterns.append(parts[0])
    return patterns


def matches_any(path: str, patterns: List[str]) -> bool:
    name = path.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def commit_id(files: Dict[str, RepoFile]) -> str:
    digest = hashlib.sha1()  # nosec B324 - shaped like a git commit id, not used for security
    for path in sorted(files):
        digest.update(("%s\0%s\n" % (path, files[path].sha256)).encode())
    return digest.hexdigest()


class RepoStore:
    """Repositories under a root directory; checksums are cached per (path, size, mtime)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._digest_cache: Dict[Tuple[str, int, int], Tuple[str, str]] = {}

    def repo_ids(self) -> List[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            "%s/%s" % (owner.name, repo.name)
            for owner in self.root.iterdir() if owner.is_dir() and not owner.name.startswith(".")
            for repo in owner.iterdir() if repo.is_dir() and not repo.name.startswith(".")
        )

    def get(self, repo_id: str) -> Optional[Repo]:
        parts = repo_id.split("/")
        if len(parts) != 2 or any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            return None
        directory = self.root / parts[0] / parts[1]
        if not directory.is_dir():
            return None
        patterns = lfs_patterns(directory)
        files: Dict[str, RepoFile] = {}
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory).as_posix()
            if not path.is_file() or any(part in SKIPPED_NAMES for part in relative.split("/")):
                continue
            stat = path.stat()
            sha256, git_oid = self._digests(path, stat.st_size, stat.st_mtime_ns)
            files[relative] = RepoFile(relative, stat.st_size, sha256, git_oid, matches_any(relative, patterns), stat.st_mtime)
        last_modified = max((item.mtime for item in files.values()), default=directory.stat().st_mtime)
        return Repo(repo_id, directory, files, commit_id(files), last_modified)

    def _digests(self, path: Path, size: int, mtime_ns: int) -> Tuple[str, str]:
        key = (str(path), size, mtime_ns)
        with self._lock:
            cached = self._digest_cache.get(key)
        if cached is None:
            cached = file_digests(path)
            with self._lock:
                self._digest_cache[key] = cached
        return cached


def resolve_revision(repo: Repo, revision: str) -> bool:
    """Branch names of both hubs and the commit id (full, or a prefix of 7+ hex digits) are valid."""
    revision = unquote(revision)
    if revision in (HF_DEFAULT_REVISION, MS_DEFAULT_REVISION):
        return True
    return len(revision) >= 7 and repo.commit.startswith(revision.lower())


# --------------------------------------------------------------------------- faults


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


# --------------------------------------------------------------------------- ranges and formats


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


def iso_time(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def http_date(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def hf_object_id(repo: Repo) -> str:
    return hashlib.sha1(repo.repo_id.encode()).hexdigest()[:24]  # nosec B324 - a stable fake database id


def hf_sibling(repo_file: RepoFile, with_blobs: bool) -> Dict[str, object]:
    entry: Dict[str, object] = {"rfilename": repo_file.path}
    if with_blobs:
        entry["blobId"] = repo_file.git_oid
        entry["size"] = repo_file.size
        if repo_file.is_lfs:
            entry["lfs"] = {"sha256": repo_file.sha256, "size": repo_file.size, "pointerSize": LFS_POINTER_SIZE}
    return entry


def hf_model_info(repo: Repo, with_blobs: bool) -> Dict[str, object]:
    created = min((item.mtime for item in repo.files.values()), default=repo.last_modified)
    return {
        "_id": hf_object_id(repo),
        "id": repo.repo_id,
        "modelId": repo.repo_id,
        "author": repo.owner,
        "sha": repo.commit,
        "lastModified": iso_time(repo.last_modified),
        "createdAt": iso_time(created),
        "private": False,
        "disabled": False,
        "gated": False,
        "downloads": 0,
        "likes": 0,
        "tags": ["transformers", "safetensors", "qwen3_5", "image-text-to-text"],
        "pipeline_tag": "image-text-to-text",
        "library_name": "transformers",
        "siblings": [hf_sibling(repo.files[path], with_blobs) for path in sorted(repo.files)],
        "spaces": [],
        "usedStorage": sum(item.size for item in repo.files.values()),
    }


def hf_tree_entries(repo: Repo, base: str, recursive: bool) -> List[Dict[str, object]]:
    base = base.strip("/")
    prefix = base + "/" if base else ""
    entries: Dict[str, Dict[str, object]] = {}
    for path in sorted(repo.files):
        if not path.startswith(prefix):
            continue
        remainder = path[len(prefix):]
        if "/" in remainder:
            directories = remainder.split("/")[:-1]
            depth = len(directories) if recursive else 1
            for index in range(depth):
                directory = prefix + "/".join(directories[:index + 1])
                entries.setdefault(directory, {"type": "directory", "oid": hashlib.sha1(directory.encode()).hexdigest(),  # nosec B324
                                               "size": 0, "path": directory})
            if not recursive:
                continue
        repo_file = repo.files[path]
        entry: Dict[str, object] = {"type": "file", "oid": repo_file.git_oid, "size": repo_file.size, "path": path}
        if repo_file.is_lfs:
            entry["lfs"] = {"oid": repo_file.sha256, "size": repo_file.size, "pointerSize": LFS_POINTER_SIZE}
        entries[path] = entry
    return [entries[key] for key in sorted(entries)]


def ms_envelope(data: object) -> Dict[str, object]:
    return {"Code": 200, "Data": data, "Message": "success", "RequestId": uuid.uuid4().hex, "Success": True}


def ms_error(code: int, message: str) -> Dict[str, object]:
    return {"Code": code, "Data": None, "Message": message, "RequestId": uuid.uuid4().hex, "Success": False}


def ms_repo_info(repo: Repo) -> Dict[str, object]:
    return {
        "Id": int(hf_object_id(repo)[:8], 16),
        "Name": repo.name,
        "Path": repo.owner,
        "ChineseName": "",
        "Description": "Test-bed stand-in for %s" % repo.repo_id,
        "CreatedTime": int(repo.last_modified),
        "LastUpdatedTime": int(repo.last_modified),
        "Visibility": 5,
        "Tasks": [{"Name": "image-text-to-text"}],
        "Revision": MS_DEFAULT_REVISION,
        "LatestCommitId": repo.commit,
        "StorageSize": sum(item.size for item in repo.files.values()),
    }


def ms_revisions(repo: Repo) -> Dict[str, object]:
    branch = {"Revision": MS_DEFAULT_REVISION, "CreatedAt": int(repo.last_modified), "CreatedBy": repo.owner,
              "Message": "", "CommitId": repo.commit}
    return {"RevisionMap": {"Branches": [branch], "Tags": []}}


def ms_file_entry(repo: Repo, repo_file: RepoFile) -> Dict[str, object]:
    return {
        "CommitId": repo.commit,
        "CommitMessage": "upload weights",
        "CommittedDate": int(repo_file.mtime),
        "CommitterName": repo.owner,
        "InCheck": False,
        "IsLFS": repo_file.is_lfs,
        "Mode": "33188",
        "Name": repo_file.path.rsplit("/", 1)[-1],
        "Path": repo_file.path,
        "Revision": repo.commit,
        "Sha256": repo_file.sha256,
        "Size": repo_file.size,
        "Type": "blob",
    }


def ms_file_entries(repo: Repo, root: str, recursive: bool) -> List[Dict[str, object]]:
    root = root.strip("/")
    prefix = root + "/" if root else ""
    entries: List[Dict[str, object]] = []
    directories = set()
    for path in sorted(repo.files):
        if not path.startswith(prefix):
            continue
        remainder = path[len(prefix):]
        if "/" in remainder and not recursive:
            directories.add(prefix + remainder.split("/", 1)[0])
            continue
        entries.append(ms_file_entry(repo, repo.files[path]))
    for directory in sorted(directories):
        entries.append({"Name": directory.rsplit("/", 1)[-1], "Path": directory, "Type": "tree", "Size": 0,
                        "Sha256": None, "Revision": repo.commit, "IsLFS": False, "Mode": "16384"})
    return entries


# --------------------------------------------------------------------------- request log


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


# --------------------------------------------------------------------------- HTTP


HF_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$")
HF_INFO = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+?)(?:/revision/(?P<rev>[^/]+))?/?$")
HF_TREE = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$")
HF_PATHS_INFO = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/paths-info/(?P<rev>[^/]+)$")
MS_ACCELERATION_PATH = "/api/v1/repos/internalAccelerationInfo"
MS_PREFIX = re.compile(r"^/api/v1/models/(?P<repo>[^/]+/[^/]+?)(?P<rest>/revisions|/repo/files|/repo)?/?$")


class HubServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: Tuple[str, int], store: RepoStore, faults: FaultState, log: RequestLog,
                 tls_context: Optional[ssl.SSLContext], ca_file: Optional[Path] = None) -> None:
        self.store = store
        self.faults = faults
        self.request_log = log
        self.tls_context = tls_context
        self.ca_file = ca_file
        super().__init__(address, HubRequestHandler)

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


class HubRequestHandler(BaseHTTPRequestHandler):
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
                "user_agent": self.headers.get("User-Agent", ""),
            })

    def _route(self, path: str, query: Dict[str, List[str]], send_body: bool) -> None:
        method = self.command
        if path.startswith("/_hub/"):
            self._control(path, send_body)
            return
        match = HF_RESOLVE.match(path)
        if match and method in ("GET", "HEAD"):
            self._hf_resolve(match.group("repo"), match.group("rev"), match.group("path"), send_body)
            return
        match = HF_TREE.match(path)
        if match and method == "GET":
            self._hf_tree(match.group("repo"), match.group("rev"), match.group("path") or "", query)
            return
        match = HF_PATHS_INFO.match(path)
        if match and method == "POST":
            self._hf_paths_info(match.group("repo"), match.group("rev"))
            return
        match = HF_INFO.match(path)
        if match and method == "GET":
            self._hf_info(match.group("repo"), match.group("rev") or HF_DEFAULT_REVISION, query)
            return
        if path == MS_ACCELERATION_PATH and method == "GET":
            # Asked before every ModelScope download; an empty address means "no intra-cloud region".
            self._send_json(HTTPStatus.OK, ms_envelope({"InternalRegionQueryAddress": ""}))
            return
        match = MS_PREFIX.match(path)
        if match and method in ("GET", "HEAD"):
            self._modelscope(match.group("repo"), match.group("rest") or "", query, send_body)
            return
        self._send_json(HTTPStatus.NOT_FOUND, {"error": "Not found: %s %s" % (method, path)}, send_body)

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

    def _hf_error(self, status: int, code: str, message: str, send_body: bool) -> None:
        self._send_json(status, {"error": message}, send_body, {"X-Error-Code": code, "X-Error-Message": message})

    def _hf_repo(self, repo_id: str, revision: str, send_body: bool) -> Optional[Repo]:
        repo = self.server.store.get(repo_id)
        if repo is None:
            # The real Hub answers 401 for unknown repos to anonymous users; 404 is clearer here and handled the same.
            self._hf_error(HTTPStatus.NOT_FOUND, "RepoNotFound", "Repository not found", send_body)
            return None
        if not resolve_revision(repo, revision):
            self._hf_error(HTTPStatus.NOT_FOUND, "RevisionNotFound", "Invalid rev id: %s" % revision, send_body)
            return None
        return repo

    # ----------------------------------------------------------------- Hugging Face

    def _hf_info(self, repo_id: str, revision: str, query: Dict[str, List[str]]) -> None:
        repo = self._hf_repo(repo_id, revision, True)
        if repo is None:
            return
        with_blobs = query.get("blobs", ["false"])[-1].lower() in ("1", "true")
        self._send_json(HTTPStatus.OK, hf_model_info(repo, with_blobs))

    def _hf_tree(self, repo_id: str, revision: str, base: str, query: Dict[str, List[str]]) -> None:
        repo = self._hf_repo(repo_id, revision, True)
        if repo is None:
            return
        recursive = query.get("recursive", ["false"])[-1].lower() in ("1", "true")
        entries = hf_tree_entries(repo, base, recursive)
        if base.strip("/") and not entries:
            self._hf_error(HTTPStatus.NOT_FOUND, "EntryNotFound", "%s does not exist" % base, True)
            return
        self._send_json(HTTPStatus.OK, entries)

    def _hf_paths_info(self, repo_id: str, revision: str) -> None:
        body = self._read_body()
        repo = self._hf_repo(repo_id, revision, True)
        if repo is None:
            return
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            requested = json.loads(body or b"{}").get("paths", [])
        else:
            requested = parse_qs(body.decode()).get("paths", [])
        if isinstance(requested, str):
            requested = [requested]
        entries = []
        for wanted in requested:
            wanted = wanted.strip("/")
            if wanted in repo.files:
                entries.extend(entry for entry in hf_tree_entries(repo, wanted.rpartition("/")[0], False) if entry["path"] == wanted)
            elif any(path.startswith(wanted + "/") for path in repo.files):
                entries.append({"type": "directory", "oid": hashlib.sha1(wanted.encode()).hexdigest(), "size": 0, "path": wanted})  # nosec B324
        self._send_json(HTTPStatus.OK, entries)

    def _hf_resolve(self, repo_id: str, revision: str, path: str, send_body: bool) -> None:
        repo = self._hf_repo(repo_id, revision, send_body)
        if repo is None:
            return
        repo_file = repo.files.get(path)
        if repo_file is None:
            self._hf_error(HTTPStatus.NOT_FOUND, "EntryNotFound", "Entry not found", send_body)
            return
        headers = {"X-Repo-Commit": repo.commit, "ETag": '"%s"' % repo_file.etag}
        if repo_file.is_lfs:
            headers["X-Linked-Etag"] = '"%s"' % repo_file.sha256
            headers["X-Linked-Size"] = str(repo_file.size)
        self._send_file(repo, repo_file, send_body, headers)

    # ----------------------------------------------------------------- ModelScope

    def _modelscope(self, repo_id: str, rest: str, query: Dict[str, List[str]], send_body: bool) -> None:
        repo = self.server.store.get(repo_id)
        if repo is None:
            self._send_json(HTTPStatus.NOT_FOUND, ms_error(10010205001, "model %s not exist" % repo_id), send_body)
            return
        revision = query.get("Revision", [MS_DEFAULT_REVISION])[-1] or MS_DEFAULT_REVISION
        if rest != "/revisions" and not resolve_revision(repo, revision):
            self._send_json(HTTPStatus.NOT_FOUND, ms_error(10010205002, "revision %s not exist" % revision), send_body)
            return
        if rest == "":
            self._send_json(HTTPStatus.OK, ms_envelope(ms_repo_info(repo)), send_body)
        elif rest == "/revisions":
            self._send_json(HTTPStatus.OK, ms_envelope(ms_revisions(repo)), send_body)
        elif rest == "/repo/files":
            recursive = query.get("Recursive", ["false"])[-1].lower() == "true"
            files = ms_file_entries(repo, query.get("Root", [""])[-1], recursive)
            self._send_json(HTTPStatus.OK, ms_envelope({"Files": files, "LatestCommitter": {"CommitterName": repo.owner}}), send_body)
        else:
            file_path = query.get("FilePath", [""])[-1].strip("/")
            repo_file = repo.files.get(file_path)
            if repo_file is None:
                self._send_json(HTTPStatus.NOT_FOUND, ms_error(10010205003, "file %s not exist" % file_path), send_body)
                return
            self._send_file(repo, repo_file, send_body, {"ETag": '"%s"' % repo_file.etag})

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

    # ----------------------------------------------------------------- control

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


# --------------------------------------------------------------------------- command line


def env_default(name: str, fallback: Optional[str] = None) -> Optional[str]:
    value = os.environ.get(name)
    return value if value not in (None, "") else fallback


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Stand-in Hugging Face / ModelScope hub for the test bed.")
    parser.add_argument("--host", default=env_default("HUB_HOST", "0.0.0.0"), help="address to bind (HUB_HOST)")
    parser.add_argument("--port", type=int, default=int(env_default("HUB_PORT", str(DEFAULT_PORT)) or DEFAULT_PORT),
                        help="port to bind, 0 for any free port (HUB_PORT)")
    parser.add_argument("--root", type=Path, default=Path(env_default("HUB_ROOT", "/srv/hub") or "/srv/hub"),
                        help="directory holding OWNER/NAME repositories (HUB_ROOT)")
    parser.add_argument("--populate", action="store_true",
                        help="write the default stand-in models (make_model.py) into --root before serving")
    parser.add_argument("--request-log", type=Path, default=env_default("HUB_REQUEST_LOG"),
                        help="append every request as a JSON line to this file (HUB_REQUEST_LOG)")
    parser.add_argument("--tls-cert", default=env_default("HUB_TLS_CERT"), help="PEM certificate; enables TLS on the same port (HUB_TLS_CERT)")
    parser.add_argument("--tls-key", default=env_default("HUB_TLS_KEY"), help="PEM private key for --tls-cert (HUB_TLS_KEY)")
    parser.add_argument("--tls-ca", type=Path, default=env_default("HUB_TLS_CA"),
                        help="CA certificate to publish at /_hub/ca.pem for clients to trust (HUB_TLS_CA)")
    parser.add_argument("--fault-cut-after", type=int, default=env_default("HUB_FAULT_CUT_AFTER"),
                        help="drop file responses after this many body bytes (HUB_FAULT_CUT_AFTER)")
    parser.add_argument("--fault-cut-times", type=int, default=int(env_default("HUB_FAULT_CUT_TIMES", "1") or 1),
                        help="how many responses to cut (HUB_FAULT_CUT_TIMES, default 1)")
    parser.add_argument("--fault-cut-files", default=env_default("HUB_FAULT_CUT_FILES", "*.safetensors"),
                        help="comma-separated globs of files to cut (HUB_FAULT_CUT_FILES, default *.safetensors)")
    parser.add_argument("--fault-corrupt-files", default=env_default("HUB_FAULT_CORRUPT_FILES", ""),
                        help="comma-separated globs of files served with a wrong sha256 (HUB_FAULT_CORRUPT_FILES)")
    parser.add_argument("--fault-short-files", default=env_default("HUB_FAULT_SHORT_FILES", ""),
                        help="comma-separated globs of files served shorter than listed (HUB_FAULT_SHORT_FILES)")
    return parser.parse_args(argv)


def tls_context(cert: Optional[str], key: Optional[str]) -> Optional[ssl.SSLContext]:
    if not cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key or None)
    return context


def populate(root: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import make_model  # pylint: disable=import-outside-toplevel,import-error

    for repo_id in make_model.DEFAULT_REPOS:
        make_model.write_model(root, repo_id)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    if args.populate:
        populate(args.root)
    faults = Faults(cut_after=args.fault_cut_after, cut_times=args.fault_cut_times, cut_files=args.fault_cut_files,
                    corrupt_files=args.fault_corrupt_files, short_files=args.fault_short_files)
    server = HubServer((args.host, args.port), RepoStore(args.root), FaultState(faults),
                       RequestLog(args.request_log), tls_context(args.tls_cert, args.tls_key), args.tls_ca)
    host, port = server.server_address[:2]
    # Tests read this line to learn the port when started with --port 0.
    print("hub: serving %s on %s:%d (%s)" % (args.root, host, port, "http+https" if server.tls_context else "http"), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
