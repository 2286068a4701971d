"""The Hugging Face Hub API (HF_ENDPOINT=http://HOST:PORT): model info, tree, paths-info and resolve."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from http import HTTPStatus
from typing import Dict, List, Optional
from urllib.parse import parse_qs

from .handler import BaseHandler
from .store import HF_DEFAULT_REVISION, Repo, RepoFile, repo_object_id, resolve_revision

LFS_POINTER_SIZE = 134
HF_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$")
HF_INFO = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+?)(?:/revision/(?P<rev>[^/]+))?/?$")
HF_TREE = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$")
HF_PATHS_INFO = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/paths-info/(?P<rev>[^/]+)$")


def iso_time(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


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
        "_id": repo_object_id(repo),
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


class HuggingFaceRoutes(BaseHandler):
    def _route_huggingface(self, path: str, query: Dict[str, List[str]], send_body: bool) -> bool:
        """Answer the request if its path and method are this API's; False when they are not."""
        method = self.command
        match = HF_RESOLVE.match(path)
        if match and method in ("GET", "HEAD"):
            self._hf_resolve(match.group("repo"), match.group("rev"), match.group("path"), send_body)
            return True
        match = HF_TREE.match(path)
        if match and method == "GET":
            self._hf_tree(match.group("repo"), match.group("rev"), match.group("path") or "", query)
            return True
        match = HF_PATHS_INFO.match(path)
        if match and method == "POST":
            self._hf_paths_info(match.group("repo"), match.group("rev"))
            return True
        match = HF_INFO.match(path)
        if match and method == "GET":
            self._hf_info(match.group("repo"), match.group("rev") or HF_DEFAULT_REVISION, query)
            return True
        return False

    def _hf_error(self, status: int, code: str, message: str, send_body: bool) -> None:
        self._send_json(status, {"error": message}, send_body, {"X-Error-Code": code, "X-Error-Message": message})

    def _hf_repo(self, repo_id: str, revision: str, send_body: bool) -> Optional[Repo]:
        repo = self.server.store.get(repo_id)
        if repo is None:
            # The real Hub answers 401 for unknown repos to anonymous users; 404 is clearer here and handled the same.
            self._hf_error(HTTPStatus.NOT_FOUND, "RepoNotFound", "Repository not found", send_body)
            return None
        gated = self._gate_status(repo_id)
        if gated:
            self._hf_error(gated, "GatedRepo", "Access to model %s is restricted: you must be authenticated with a token that has access" % repo_id,
                           send_body)
            return None
        if not resolve_revision(repo, revision):
            self._hf_error(HTTPStatus.NOT_FOUND, "RevisionNotFound", "Invalid rev id: %s" % revision, send_body)
            return None
        return repo

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
