"""The repositories under --root: files, checksums, commit ids and the revisions that name them."""

from __future__ import annotations

import fnmatch
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import unquote

HF_DEFAULT_REVISION = "main"
MS_DEFAULT_REVISION = "master"
# Used when a repository has no .gitattributes: the usual Hub defaults for weights.
DEFAULT_LFS_PATTERNS = ("*.safetensors", "*.bin", "*.pt", "*.pth", "*.gguf", "*.onnx", "*.h5", "*.msgpack", "*.ckpt")
SKIPPED_NAMES = (".git",)


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


def repo_object_id(repo: Repo) -> str:
    """A stable id shaped like the hubs' database ids (both APIs show one)."""
    return hashlib.sha1(repo.repo_id.encode()).hexdigest()[:24]  # nosec B324 - a stable fake database id
