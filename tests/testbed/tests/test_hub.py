# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stand-in model hub, exercised with the real Hugging Face and ModelScope clients.

Needs the clients pinned in tests/testbed/hub/requirements.txt in the Python
that runs pytest (their `hf` and `modelscope` commands next to it) and the
openssl command (for the hub's TLS certificate). The hub itself runs with
`python -S`, so it is proven to need nothing but the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

import huggingface_hub
import modelscope
import pytest

HUB_DIR = Path(__file__).resolve().parents[1] / "hub"
sys.path.insert(0, str(HUB_DIR))

import make_cert  # noqa: E402  pylint: disable=wrong-import-position,import-error
import make_model  # noqa: E402  pylint: disable=wrong-import-position,import-error

HUB_SERVER = HUB_DIR / "hub_server"  # the package, run as a directory as the depot runs it
SMALL_BF16_REPO = "Qwen/Qwen3.6-27B"
SMALL_W8A8_REPO = "Eco-Tech/Qwen3.5-27B-w8a8-mtp"
# Shards larger than the clients' read chunk (10 MiB in huggingface_hub): a cut
# connection loses the chunk being read, so only bigger files leave a partial
# file that a client can resume from.
LARGE_REPO = "testbed/Qwen3.6-27B-large-shards"
LARGE_SHARD_BYTES = 24 * 1024 * 1024
LARGE_CUT_AFTER = 16 * 1024 * 1024
LARGE_SHARD = "model-00001-of-00002.safetensors"
# Bookkeeping the clients keep inside --local-dir: never part of the model.
CLIENT_BOOKKEEPING = (".cache", "._____temp", ".msc", ".mv", ".mdl")
CLIENT_TIMEOUT_SECONDS = 300


# --------------------------------------------------------------------------- the hub process


class Hub:
    """A running hub_server and helpers to read its request log and set faults."""

    def __init__(self, process: subprocess.Popen, port: int, root: Path, ca_file: Path) -> None:
        self.process = process
        self.port = port
        self.root = root
        self.ca_file = ca_file
        self.http_url = "http://127.0.0.1:%d" % port
        self.domain = "127.0.0.1:%d" % port

    def call(self, method: str, path: str, body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
        request = urllib.request.Request(self.http_url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310 - loopback test server
                return response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), error.read()

    def json(self, method: str, path: str, document: object = None) -> object:
        body = None if document is None else json.dumps(document).encode()
        status, _headers, data = self.call(method, path, body, {"Content-Type": "application/json"})
        assert status == 200, data
        return json.loads(data)

    def set_faults(self, **faults: object) -> None:
        self.json("PUT", "/_hub/faults", faults)

    def reset(self) -> None:
        self.json("DELETE", "/_hub/faults")
        self.json("DELETE", "/_hub/requests")

    def requests(self) -> List[Dict[str, object]]:
        return [record for record in self.json("GET", "/_hub/requests") if not str(record["path"]).startswith("/_hub/")]

    def file_gets(self, repo_id: Optional[str] = None, path: Optional[str] = None) -> List[Dict[str, object]]:
        """GET requests that served file content, through either API, oldest first."""
        selected = []
        for record in self.requests():
            served = served_file(str(record["path"]))
            if record["method"] != "GET" or served is None:
                continue
            if (repo_id is None or served[0] == repo_id) and (path is None or served[1] == path):
                selected.append(record)
        return selected


def served_file(request_path: str) -> Optional[Tuple[str, str]]:
    split = urlsplit(request_path)
    path = unquote(split.path)
    match = re.match(r"^/([^/]+/[^/]+)/resolve/[^/]+/(.+)$", path)
    if match:
        return match.group(1), match.group(2)
    match = re.match(r"^/api/v1/models/([^/]+/[^/]+)/repo$", path)
    if match:
        return match.group(1), parse_qs(split.query).get("FilePath", [""])[0]
    return None


def start_hub(root: Path, tls_dir: Path, log_path: Path, *extra: str) -> Hub:
    command = [sys.executable, "-S", str(HUB_SERVER), "--root", str(root), "--host", "127.0.0.1", "--port", "0",
               "--tls-cert", str(tls_dir / "hub.pem"), "--tls-key", str(tls_dir / "hub-key.pem"),
               "--tls-ca", str(tls_dir / "ca.pem"), "--request-log", str(log_path), *extra]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # pylint: disable=consider-using-with
    first_line: List[str] = []
    reader = threading.Thread(target=lambda: first_line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    match = re.search(r" on 127\.0\.0\.1:(\d+) ", first_line[0] if first_line else "")
    if not match:
        process.kill()
        raise RuntimeError("hub did not start: %r" % first_line)
    return Hub(process, int(match.group(1)), root, tls_dir / "ca.pem")


@pytest.fixture(scope="module")
def hub_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hub-root")
    for repo_id in make_model.DEFAULT_REPOS:
        make_model.write_model(root, repo_id)
    make_model.write_model(root, LARGE_REPO, shards=2, shard_size=LARGE_SHARD_BYTES)
    return root


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("hub-tls")
    make_cert.make_certificates(directory, ["localhost", "127.0.0.1"])
    return directory


def stop_hub(running: Hub) -> None:
    running.process.terminate()
    running.process.wait(timeout=30)


@pytest.fixture(scope="module")
def hub(hub_root: Path, tls_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    running = start_hub(hub_root, tls_dir, tmp_path_factory.mktemp("hub-log") / "requests.jsonl")
    yield running
    stop_hub(running)


@pytest.fixture(autouse=True)
def clean_hub(request: pytest.FixtureRequest) -> None:
    if "hub" in request.fixturenames:
        request.getfixturevalue("hub").reset()


# --------------------------------------------------------------------------- the real clients


def client_command(name: str) -> str:
    """The client's console script from the environment that runs pytest."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    assert found, "%s not found: install tests/testbed/hub/requirements.txt into %s" % (name, sys.prefix)
    return found


def client_env(home: Path, extra: Dict[str, str]) -> Dict[str, str]:
    """A clean environment: no inherited endpoints, tokens, CA bundles or proxies for loopback."""
    inherited = ("HF_", "HUGGINGFACE_", "MODELSCOPE_", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(inherited)}
    home.mkdir(parents=True, exist_ok=True)
    env.update({
        "HOME": str(home),
        "HF_HOME": str(home / "hf-home"),
        "MODELSCOPE_CACHE": str(home / "modelscope-cache"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    env.update(extra)
    return env


def hf_download(hub: Hub, repo_id: str, local_dir: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [client_command("hf"), "download", repo_id, "--local-dir", str(local_dir)],
        env=client_env(home, {"HF_ENDPOINT": hub.http_url}),
        capture_output=True, text=True, timeout=CLIENT_TIMEOUT_SECONDS, check=False)


def modelscope_download(hub: Hub, repo_id: str, local_dir: Path, home: Path) -> subprocess.CompletedProcess:
    # MODELSCOPE_DOMAIN takes host:port and every modelscope release turns it
    # into https://host:port, hence TLS on the hub and the test-bed CA here.
    return subprocess.run(
        [client_command("modelscope"), "download", "--model", repo_id, "--local_dir", str(local_dir)],
        env=client_env(home, {"MODELSCOPE_DOMAIN": hub.domain, "REQUESTS_CA_BUNDLE": str(hub.ca_file)}),
        capture_output=True, text=True, timeout=CLIENT_TIMEOUT_SECONDS, check=False)


CLIENTS = {"huggingface": hf_download, "modelscope": modelscope_download}


def model_files(directory: Path) -> Dict[str, bytes]:
    files = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if path.is_file() and relative.parts[0] not in CLIENT_BOOKKEEPING:
            files[relative.as_posix()] = path.read_bytes()
    return files


def assert_same_model(local_dir: Path, repo_dir: Path) -> None:
    """Every served file arrived byte for byte; .gitattributes is optional (ModelScope < 1.38 skips it)."""
    expected = model_files(repo_dir)
    received = model_files(local_dir)
    if ".gitattributes" not in received:
        expected.pop(".gitattributes")
    assert sorted(received) == sorted(expected)
    for name, content in expected.items():
        assert received[name] == content, "%s differs from the hub's copy" % name


def range_start(header: object) -> int:
    match = re.fullmatch(r"bytes=(\d+)-\d*", str(header or ""))
    return int(match.group(1)) if match else 0


def describe(result: subprocess.CompletedProcess) -> str:
    return "rc=%s\nstdout:\n%s\nstderr:\n%s" % (result.returncode, result.stdout[-3000:], result.stderr[-3000:])


# --------------------------------------------------------------------------- make_model.py


def read_safetensors_header(path: Path) -> Tuple[Dict[str, Dict[str, object]], int]:
    raw = path.read_bytes()
    (header_length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + header_length])
    return header, len(raw) - 8 - header_length


@pytest.mark.parametrize("repo_id", make_model.DEFAULT_REPOS)
def test_model_directory_has_the_real_layout(hub_root: Path, repo_id: str) -> None:
    repo_dir = hub_root.joinpath(*repo_id.split("/"))
    config = json.loads((repo_dir / "config.json").read_text())
    text = config["text_config"]
    assert config["architectures"] == ["Qwen3_5ForConditionalGeneration"]
    assert (text["hidden_size"], text["num_hidden_layers"], text["num_attention_heads"], text["num_key_value_heads"],
            text["head_dim"], text["max_position_embeddings"], text["vocab_size"]) == (5120, 64, 24, 4, 256, 262144, 248320)
    assert text["layer_types"].count("full_attention") == 16 and text["full_attention_interval"] == 4
    assert (text["linear_num_key_heads"], text["linear_num_value_heads"]) == (16, 48)
    for name in ("generation_config.json", "tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"):
        assert (repo_dir / name).is_file(), name

    index = json.loads((repo_dir / make_model.INDEX_FILE).read_text())
    shards = sorted(set(index["weight_map"].values()))
    count = len(shards)
    assert shards == ["model-%05d-of-%05d.safetensors" % (number, count) for number in range(1, count + 1)]
    assert sorted(path.name for path in repo_dir.glob("*.safetensors")) == shards
    tensor_bytes = 0
    for shard in shards:
        header, data_length = read_safetensors_header(repo_dir / shard)
        header.pop("__metadata__")
        offsets = sorted(tuple(entry["data_offsets"]) for entry in header.values())
        # Contiguous data that exactly fills the file after the header.
        assert offsets[0][0] == 0 and offsets[-1][1] == data_length
        assert all(left[1] == right[0] for left, right in zip(offsets, offsets[1:]))
        assert {name for name, target in index["weight_map"].items() if target == shard} == set(header)
        tensor_bytes += data_length
        assert (repo_dir / shard).stat().st_size < 64 * 1024
    assert index["metadata"]["total_size"] == tensor_bytes

    description = repo_dir / make_model.QUANT_DESCRIPTION_FILE
    assert description.is_file() == ("w8a8" in repo_id)
    if description.is_file():
        quant = json.loads(description.read_text())
        assert quant["model_quant_type"] == "W8A8"
        assert set(index["weight_map"]) <= set(quant)
    assert any(name.startswith("mtp.") for name in index["weight_map"]) == make_model.has_mtp_weights(repo_id)


def test_model_content_is_deterministic(tmp_path: Path) -> None:
    first = make_model.write_model(tmp_path / "one", SMALL_W8A8_REPO)
    second = make_model.write_model(tmp_path / "two", SMALL_W8A8_REPO)
    assert model_files(first) == model_files(second)
    assert model_files(make_model.write_model(tmp_path / "three", SMALL_BF16_REPO, shards=2)) != model_files(first)


# --------------------------------------------------------------------------- the server, over plain HTTP


def test_hf_metadata_and_ranges(hub: Hub, hub_root: Path) -> None:
    info = hub.json("GET", "/api/models/%s/revision/main?blobs=true" % SMALL_BF16_REPO)
    repo_dir = hub_root.joinpath(*SMALL_BF16_REPO.split("/"))
    shard = repo_dir / "model-00001-of-00004.safetensors"
    siblings = {entry["rfilename"]: entry for entry in info["siblings"]}
    assert set(siblings) == set(model_files(repo_dir))
    assert siblings[shard.name]["lfs"]["sha256"] == hashlib.sha256(shard.read_bytes()).hexdigest()

    status, headers, _body = hub.call("HEAD", "/%s/resolve/main/%s" % (SMALL_BF16_REPO, shard.name))
    assert status == 200
    assert headers["X-Repo-Commit"] == info["sha"]
    assert headers["ETag"] == headers["X-Linked-Etag"] == '"%s"' % siblings[shard.name]["lfs"]["sha256"]
    assert int(headers["Content-Length"]) == int(headers["X-Linked-Size"]) == shard.stat().st_size

    status, headers, body = hub.call("GET", "/%s/resolve/%s/%s" % (SMALL_BF16_REPO, info["sha"], shard.name), headers={"Range": "bytes=100-"})
    assert status == 206 and body == shard.read_bytes()[100:]
    assert headers["Content-Range"] == "bytes 100-%d/%d" % (shard.stat().st_size - 1, shard.stat().st_size)
    status, headers, _body = hub.call("GET", "/%s/resolve/main/%s" % (SMALL_BF16_REPO, shard.name), headers={"Range": "bytes=999999-"})
    assert status == 416 and headers["Content-Range"] == "bytes */%d" % shard.stat().st_size

    config = (repo_dir / "config.json").read_bytes()
    _status, headers, _body = hub.call("HEAD", "/%s/resolve/main/config.json" % SMALL_BF16_REPO)
    assert headers["ETag"] == '"%s"' % hashlib.sha1(b"blob %d\0" % len(config) + config).hexdigest()  # nosec B324

    status, headers, _body = hub.call("GET", "/Qwen/No-Such-Model/resolve/main/config.json")
    assert status == 404 and headers["X-Error-Code"] == "RepoNotFound"
    status, headers, _body = hub.call("GET", "/%s/resolve/v9.9/config.json" % SMALL_BF16_REPO)
    assert status == 404 and headers["X-Error-Code"] == "RevisionNotFound"


def test_hf_tree_and_paths_info_through_the_client_api(hub: Hub, hub_root: Path) -> None:
    api = huggingface_hub.HfApi(endpoint=hub.http_url)
    repo_dir = hub_root.joinpath(*SMALL_W8A8_REPO.split("/"))
    assert sorted(api.list_repo_files(SMALL_W8A8_REPO)) == sorted(model_files(repo_dir))
    [info] = api.get_paths_info(SMALL_W8A8_REPO, ["quant_model_description.json"])
    assert info.size == (repo_dir / "quant_model_description.json").stat().st_size


def logged_paths(log: Path, count: int, timeout: float = 5.0) -> List[str]:
    """The paths in the hub's JSONL request log once it holds `count` lines (or whatever it holds after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) >= count or time.monotonic() > deadline:
            return [json.loads(line)["path"] for line in lines]
        time.sleep(0.05)


def test_populate_writes_the_default_models_and_the_ca_is_published(tls_dir: Path, tmp_path: Path) -> None:
    running = start_hub(tmp_path / "empty-root", tls_dir, tmp_path / "requests.jsonl", "--populate")
    try:
        repos = running.json("GET", "/_hub/repos")
        assert sorted(repos) == sorted(make_model.DEFAULT_REPOS)
        for repo_id, listing in repos.items():
            expected = make_model.repository_files(repo_id)
            assert {path: entry["size"] for path, entry in listing["files"].items()} == {path: len(data) for path, data in expected.items()}
        status, _headers, body = running.call("GET", "/_hub/ca.pem")
        assert status == 200 and body == (tls_dir / "ca.pem").read_bytes()
        # The server logs a request after answering it: give the last line a moment to land.
        assert logged_paths(tmp_path / "requests.jsonl", count=2) == ["/_hub/repos", "/_hub/ca.pem"]
    finally:
        stop_hub(running)


def test_modelscope_listing_carries_sizes_and_checksums(hub: Hub, hub_root: Path) -> None:
    listing = hub.json("GET", "/api/v1/models/%s/repo/files?Revision=master&Recursive=True" % SMALL_W8A8_REPO)
    assert listing["Code"] == 200 and listing["Success"] is True
    repo_dir = hub_root.joinpath(*SMALL_W8A8_REPO.split("/"))
    entries = {entry["Path"]: entry for entry in listing["Data"]["Files"]}
    assert set(entries) == set(model_files(repo_dir))
    for path, entry in entries.items():
        content = (repo_dir / path).read_bytes()
        assert (entry["Size"], entry["Sha256"], entry["Type"]) == (len(content), hashlib.sha256(content).hexdigest(), "blob")
    status, _headers, _body = hub.call("GET", "/api/v1/models/Qwen/No-Such-Model/repo/files?Revision=master")
    assert status == 404


# --------------------------------------------------------------------------- downloads with the real clients


def test_huggingface_snapshot_download_api_matches_byte_for_byte(
        hub: Hub, hub_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    target = huggingface_hub.snapshot_download(SMALL_W8A8_REPO, local_dir=tmp_path / "model", endpoint=hub.http_url)
    assert_same_model(Path(target), hub_root.joinpath(*SMALL_W8A8_REPO.split("/")))
    assert {str(record["scheme"]) for record in hub.requests()} == {"http"}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_cli_download_matches_and_second_run_fetches_nothing(hub: Hub, hub_root: Path, tmp_path: Path, client: str) -> None:
    download = CLIENTS[client]
    result = download(hub, SMALL_BF16_REPO, tmp_path / "model", tmp_path / "home")
    assert result.returncode == 0, describe(result)
    repo_dir = hub_root.joinpath(*SMALL_BF16_REPO.split("/"))
    assert_same_model(tmp_path / "model", repo_dir)
    first_run = hub.file_gets(SMALL_BF16_REPO)
    assert {served_file(str(record["path"]))[1] for record in first_run} >= set(model_files(repo_dir)) - {".gitattributes"}
    if client == "modelscope":
        assert {str(record["scheme"]) for record in hub.requests()} == {"https"}

    hub.reset()
    again = download(hub, SMALL_BF16_REPO, tmp_path / "model", tmp_path / "home")
    assert again.returncode == 0, describe(again)
    assert hub.file_gets() == [], "a complete download was fetched again"
    assert_same_model(tmp_path / "model", repo_dir)


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_interrupted_download_resumes_with_a_range_request(hub: Hub, hub_root: Path, tmp_path: Path, client: str) -> None:
    download = CLIENTS[client]
    hub.set_faults(cut_after=LARGE_CUT_AFTER, cut_times=1, cut_files=LARGE_SHARD)
    attempts = [download(hub, LARGE_REPO, tmp_path / "model", tmp_path / "home")]
    if attempts[0].returncode != 0:
        # huggingface_hub < 1.0 gives up on a broken body; the next run resumes from the partial file.
        attempts.append(download(hub, LARGE_REPO, tmp_path / "model", tmp_path / "home"))
    assert attempts[-1].returncode == 0, describe(attempts[-1])
    assert_same_model(tmp_path / "model", hub_root.joinpath(*LARGE_REPO.split("/")))

    shard_size = hub_root.joinpath(*LARGE_REPO.split("/"), LARGE_SHARD).stat().st_size
    gets = hub.file_gets(LARGE_REPO, LARGE_SHARD)
    assert [record["fault"] for record in gets] == ["cut", ""], gets
    cut, resumed = gets
    assert cut["bytes_sent"] == LARGE_CUT_AFTER
    start = range_start(resumed["range"])
    assert 0 < start <= LARGE_CUT_AFTER, "the client restarted instead of resuming: %s" % resumed
    assert resumed["status"] == 206 and resumed["bytes_sent"] == shard_size - start


def test_modelscope_rejects_a_file_whose_sha256_differs(hub: Hub, tmp_path: Path) -> None:
    bad = "model-00002-of-00004.safetensors"
    hub.set_faults(corrupt_files=bad)
    result = modelscope_download(hub, SMALL_BF16_REPO, tmp_path / "model", tmp_path / "home")
    assert result.returncode != 0, describe(result)
    assert bad in result.stdout + result.stderr
    assert not (tmp_path / "model" / bad).exists()
    assert all(record["fault"] == "corrupt" for record in hub.file_gets(SMALL_BF16_REPO, bad))


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_file_shorter_than_listed_is_rejected(hub: Hub, tmp_path: Path, client: str) -> None:
    short = "model-00003-of-00004.safetensors"
    hub.set_faults(short_files=short)
    result = CLIENTS[client](hub, SMALL_BF16_REPO, tmp_path / "model", tmp_path / "home")
    assert result.returncode != 0, describe(result)
    assert short.rsplit("-", 1)[0] in result.stdout + result.stderr
    assert not (tmp_path / "model" / short).exists()


def test_huggingface_client_keeps_same_size_corruption_that_the_listing_reveals(hub: Hub, hub_root: Path, tmp_path: Path) -> None:
    """huggingface_hub checks sizes, not checksums: whoever stages weights must compare sha256 itself."""
    bad = "model-00002-of-00004.safetensors"
    hub.set_faults(corrupt_files=bad)
    result = hf_download(hub, SMALL_BF16_REPO, tmp_path / "model", tmp_path / "home")
    assert result.returncode == 0, describe(result)
    received = (tmp_path / "model" / bad).read_bytes()
    original = hub_root.joinpath(*SMALL_BF16_REPO.split("/"), bad).read_bytes()
    assert len(received) == len(original) and received != original
    info = hub.json("GET", "/api/models/%s?blobs=true" % SMALL_BF16_REPO)
    listed = {entry["rfilename"]: entry for entry in info["siblings"]}[bad]["lfs"]["sha256"]
    assert hashlib.sha256(received).hexdigest() != listed == hashlib.sha256(original).hexdigest()


GATE_TOKEN = "hub-gate-token-5b1f"


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_gated_repository_refuses_a_client_without_its_token(hub: Hub, tmp_path: Path, client: str) -> None:
    hub.json("PUT", "/_hub/gate", {"token": GATE_TOKEN, "repos": [SMALL_BF16_REPO]})
    try:
        result = CLIENTS[client](hub, SMALL_BF16_REPO, tmp_path / "model", tmp_path / "home")
        assert hub.json("GET", "/_hub/gate") == {"repos": [SMALL_BF16_REPO], "clients": [], "token_set": True}
    finally:
        hub.json("DELETE", "/_hub/gate")
    assert result.returncode != 0, describe(result)
    statuses = {record["status"] for record in hub.requests() if SMALL_BF16_REPO in unquote(str(record["path"]))}
    assert statuses and statuses <= {401}, hub.requests()
    assert hub.file_gets(SMALL_BF16_REPO) == []


def test_a_gated_repository_serves_the_token_read_from_a_file(hub: Hub, hub_root: Path, tmp_path: Path) -> None:
    """huggingface_hub as model_weights runs it: the token in a file named by HF_TOKEN_PATH, sent as a bearer token."""
    token_file = tmp_path / "hub-token"
    token_file.write_text(GATE_TOKEN)
    env = client_env(tmp_path / "home", {"HF_ENDPOINT": hub.http_url, "HF_TOKEN_PATH": str(token_file)})
    command = [client_command("hf"), "download", SMALL_BF16_REPO, "--local-dir", str(tmp_path / "model")]
    hub.json("PUT", "/_hub/gate", {"token": GATE_TOKEN, "repos": [SMALL_BF16_REPO]})
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=CLIENT_TIMEOUT_SECONDS, check=False)
    finally:
        hub.json("DELETE", "/_hub/gate")
    assert result.returncode == 0, describe(result)
    assert GATE_TOKEN not in result.stdout + result.stderr
    assert_same_model(tmp_path / "model", hub_root.joinpath(*SMALL_BF16_REPO.split("/")))
    repo_requests = [record for record in hub.requests() if SMALL_BF16_REPO in unquote(str(record["path"]))]
    assert repo_requests and {record["status"] for record in repo_requests} <= {200, 206}, repo_requests
    assert {record["credential"] for record in repo_requests} == {"bearer"}
    assert GATE_TOKEN not in json.dumps(hub.requests())


def test_modelscope_sends_its_token_cookie_only_to_an_endpoint_without_a_port(hub: Hub, tmp_path: Path) -> None:
    """modelscope 1.35 sets the m_session_id cookie for the domain "host:port", which no request to a port matches.

    So a ModelScope mirror on a port of its own (this hub, hub.ascend.test:8090) never sees the client's token:
    a gated repository there can only be read with the huggingface client. model_weights still hands the token
    over (MODELSCOPE_API_TOKEN, read from a 0600 file); the public hub (www.modelscope.cn) receives it.
    """
    env = client_env(tmp_path / "home", {"MODELSCOPE_DOMAIN": hub.domain, "REQUESTS_CA_BUNDLE": str(hub.ca_file),
                                         "MODELSCOPE_API_TOKEN": GATE_TOKEN})
    command = [client_command("modelscope"), "download", "--model", SMALL_BF16_REPO, "--local_dir", str(tmp_path / "model")]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=CLIENT_TIMEOUT_SECONDS, check=False)
    assert result.returncode == 0, describe(result)
    assert GATE_TOKEN not in result.stdout + result.stderr
    assert {record["credential"] for record in hub.requests()} == {""}


def test_a_gate_is_refused_without_a_token_and_shows_none(hub: Hub) -> None:
    status, _headers, body = hub.call("PUT", "/_hub/gate", json.dumps({"repos": [SMALL_BF16_REPO]}).encode(),
                                      {"Content-Type": "application/json"})
    assert status == 400 and b"needs a token" in body
    status, _headers, _body = hub.call("GET", "/api/models/%s" % SMALL_BF16_REPO, headers={"Authorization": "Bearer anything"})
    assert status == 200


def test_a_wrong_token_is_forbidden_not_unauthorized(hub: Hub) -> None:
    hub.json("PUT", "/_hub/gate", {"token": GATE_TOKEN, "repos": ["Qwen/*"]})
    try:
        wrong = hub.call("GET", "/api/models/%s" % SMALL_BF16_REPO, headers={"Authorization": "Bearer not-it"})
        none = hub.call("GET", "/api/v1/models/%s/repo/files" % SMALL_BF16_REPO)
        right = hub.call("GET", "/api/v1/models/%s/repo/files" % SMALL_BF16_REPO, headers={"Cookie": "m_session_id=%s" % GATE_TOKEN})
        other = hub.call("GET", "/api/models/%s" % SMALL_W8A8_REPO)
    finally:
        hub.json("DELETE", "/_hub/gate")
    assert (wrong[0], wrong[1].get("X-Error-Code")) == (403, "GatedRepo")
    assert none[0] == 401 and json.loads(none[2])["Success"] is False
    assert right[0] == 200 and other[0] == 200


def test_a_gate_for_other_clients_lets_this_one_through(hub: Hub) -> None:
    me = hub.json("GET", "/_hub/whoami")["client"]
    assert me == "127.0.0.1"
    hub.json("PUT", "/_hub/gate", {"token": GATE_TOKEN, "repos": [SMALL_BF16_REPO], "clients": ["172.31.240.139"]})
    try:
        others = hub.call("GET", "/api/models/%s" % SMALL_BF16_REPO)
        hub.json("PUT", "/_hub/gate", {"token": GATE_TOKEN, "repos": [SMALL_BF16_REPO], "clients": [me]})
        mine = hub.call("GET", "/api/models/%s" % SMALL_BF16_REPO)
    finally:
        hub.json("DELETE", "/_hub/gate")
    assert others[0] == 200 and mine[0] == 401


def test_clients_are_the_pinned_ones() -> None:
    """Fails when CI runs other client versions than requirements.txt says were tested."""
    requirements = (line.split("#", 1)[0].strip() for line in (HUB_DIR / "requirements.txt").read_text().splitlines())
    pins = dict(line.split("==", 1) for line in requirements if "==" in line)
    assert pins["huggingface_hub"] == huggingface_hub.__version__
    assert pins["modelscope"] == modelscope.__version__
