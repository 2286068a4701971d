"""The ModelScope API (MODELSCOPE_DOMAIN=HOST:PORT, https; MODELSCOPE_ENDPOINT=http[s]://HOST:PORT for >= 1.38)."""

from __future__ import annotations

import re
import uuid
from http import HTTPStatus
from typing import Dict, List

from .handler import BaseHandler
from .store import MS_DEFAULT_REVISION, Repo, RepoFile, repo_object_id, resolve_revision

MS_ACCELERATION_PATH = "/api/v1/repos/internalAccelerationInfo"
MS_PREFIX = re.compile(r"^/api/v1/models/(?P<repo>[^/]+/[^/]+?)(?P<rest>/revisions|/repo/files|/repo)?/?$")


def ms_envelope(data: object) -> Dict[str, object]:
    return {"Code": 200, "Data": data, "Message": "success", "RequestId": uuid.uuid4().hex, "Success": True}


def ms_error(code: int, message: str) -> Dict[str, object]:
    return {"Code": code, "Data": None, "Message": message, "RequestId": uuid.uuid4().hex, "Success": False}


def ms_repo_info(repo: Repo) -> Dict[str, object]:
    return {
        "Id": int(repo_object_id(repo)[:8], 16),
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


class ModelScopeRoutes(BaseHandler):
    def _route_modelscope(self, path: str, query: Dict[str, List[str]], send_body: bool) -> bool:
        """Answer the request if its path and method are this API's; False when they are not."""
        method = self.command
        if path == MS_ACCELERATION_PATH and method == "GET":
            # Asked before every ModelScope download; an empty address means "no intra-cloud region".
            self._send_json(HTTPStatus.OK, ms_envelope({"InternalRegionQueryAddress": ""}))
            return True
        match = MS_PREFIX.match(path)
        if match and method in ("GET", "HEAD"):
            self._modelscope(match.group("repo"), match.group("rest") or "", query, send_body)
            return True
        return False

    def _modelscope(self, repo_id: str, rest: str, query: Dict[str, List[str]], send_body: bool) -> None:
        repo = self.server.store.get(repo_id)
        if repo is None:
            self._send_json(HTTPStatus.NOT_FOUND, ms_error(10010205001, "model %s not exist" % repo_id), send_body)
            return
        gated = self._gate_status(repo_id)
        if gated:
            self._send_json(gated, ms_error(10010205401, "model %s needs an access token with access to it" % repo_id), send_body)
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
