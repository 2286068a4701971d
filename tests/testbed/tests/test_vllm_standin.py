# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The stand-in vllm-ascend ``vllm`` command (tests/testbed/images/vllm-ascend), run as local processes.

Each server gets a scratch "/dev" (VLLM_STANDIN_DEV_ROOT) with the davinci nodes a container would
see, a scratch driver mount, a model directory in the real layout, and free ports, so tests can run
side by side on one machine without an NPU or Docker.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import http.client as http_client
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

IMAGE_DIR = Path(__file__).resolve().parents[1] / "images" / "vllm-ascend"
GSM8K_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "gsm8k"
VLLM = IMAGE_DIR / "vllm"
FLAGS = {version: IMAGE_DIR / "flags" / ("vllm-%s.json" % version) for version in ("0.17.0", "0.18.0")}
TUTORIAL_FLAGS = [
    "--host", "127.0.0.1", "--data-parallel-size", "1", "--tensor-parallel-size", "2", "--seed", "1024",
    "--quantization", "ascend", "--served-model-name", "qwen3.6", "--max-num-seqs", "32", "--max-model-len", "133000",
    "--max-num-batched-tokens", "16384", "--trust-remote-code", "--gpu-memory-utilization", "0.90",
    "--no-enable-prefix-caching", "--speculative_config", '{"method": "qwen3_5_mtp", "num_speculative_tokens": 3, "enforce_eager": true}',
    "--compilation-config", '{"cudagraph_mode":"FULL_DECODE_ONLY"}', "--additional-config", '{"enable_cpu_binding":true}',
    "--async-scheduling",
]

sys.path.insert(0, str(IMAGE_DIR))
from vllm_standin import argspec, engine, npus  # noqa: E402  # pylint: disable=wrong-import-position  # the stand-in is not an installed package


# ---------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("", 0))
        return sock.getsockname()[1]


_RANGES = itertools.count()


def _worker_port_slice() -> Tuple[int, int]:
    """Ports for this pytest-xdist worker's HCCL ranges: below the kernel's ephemeral range.

    API and internal ports come from the kernel (``free_port``, no VLLM_PORT), i.e. from the
    ephemeral range; HCCL ranges drawn from that range could be taken by another test's
    server between the check here and its bind (seen in CI: "host nic listen start failed").
    Each worker gets its own slice so parallel tests never pick overlapping ranges either.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    slot = int(worker[2:]) if worker[2:].isdigit() else 0
    low = 10000 + (slot % 8) * 2800
    return low, low + 2800 - 16


def free_port_range(count: int) -> int:
    """A base port with ``count`` free ports above it (HCCL takes base + local rank)."""
    low, high = _worker_port_slice()
    for _attempt in range(200):
        # Consecutive ranges, not random ones: two servers of one test never overlap.
        base = low + (next(_RANGES) * count) % (high - low)
        sockets = []
        try:
            for offset in range(count):
                sock = socket.socket()
                sock.bind(("", base + offset))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free port range")


def make_devices(root: Path, ids: List[int]) -> Path:
    dev = root / "dev"
    dev.mkdir(parents=True, exist_ok=True)
    for n in ids:
        (dev / ("davinci%d" % n)).write_bytes(b"")
    for shared in ("davinci_manager", "devmm_svm", "hisi_hdc"):
        (dev / shared).write_bytes(b"")
    return dev


def make_model(root: Path, quantized: bool = True, max_positions: int = 262144) -> Path:
    model = root / "Qwen3.6-27B-w8a8"
    model.mkdir(parents=True)
    config = {"architectures": ["Qwen3_5ForConditionalGeneration"], "model_type": "qwen3_5", "text_config": {"max_position_embeddings": max_positions}}
    (model / "config.json").write_text(json.dumps(config))
    shards = ["model-%05d-of-00002.safetensors" % i for i in (1, 2)]
    (model / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"a": shards[0], "b": shards[1]}}))
    for shard in shards:
        (model / shard).write_bytes(b"\0" * 16)
    if quantized:
        (model / "quant_model_description.json").write_text("{}")
    return model


class Bed:
    """Scratch node: devices, driver mount, model; ``env`` for a server process."""

    def __init__(self, root: Path, version: str = "0.18.0", npu_ids: Optional[List[int]] = None) -> None:
        self.root = root
        self.dev = make_devices(root, list(range(8)) if npu_ids is None else npu_ids)
        self.driver = root / "driver"
        (self.driver / "lib64" / "driver").mkdir(parents=True)
        (self.driver / "lib64" / "driver" / "libascend_hal.so").write_bytes(b"")
        self.model = make_model(root)
        self.version = version

    def env(self, **extra: str) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VLLM", "HCCL", "ASCEND_RT"))}
        env.update(
            {
                "VLLM_STANDIN_FLAGS": str(FLAGS[self.version]),
                "VLLM_STANDIN_DEV_ROOT": str(self.dev),
                "VLLM_STANDIN_DRIVER_ROOT": str(self.driver),
                "VLLM_STANDIN_STARTUP_SECONDS": "0.2",
                # The scratch node's own knob files, never the image's defaults in /tmp.
                "VLLM_STANDIN_HANG_FILE": str(self.root / "vllm-standin-hang"),
                "VLLM_STANDIN_CRASH_FILE": str(self.root / "vllm-standin-crash"),
                "HCCL_IF_BASE_PORT": str(free_port_range(16)),
            }
        )
        env.update(extra)
        return env


class Server:
    def __init__(self, bed: Bed, args: List[str], port: Optional[int] = None, **env: str) -> None:
        self.port = port or free_port()
        self.log_path = bed.root / ("server-%d-%d.log" % (self.port, random.randint(0, 1 << 30)))
        argv = [str(VLLM), "serve", str(bed.model), "--host", "127.0.0.1", "--port", str(self.port)] + args
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(argv, env=bed.env(**env), stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def url(self, path: str) -> str:
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def wait_healthy(self, timeout: float = 20.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise AssertionError("server exited with %s:\n%s" % (self.process.returncode, self.log))
            try:
                with urllib.request.urlopen(self.url("/health"), timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise AssertionError("not healthy within %ss:\n%s" % (timeout, self.log))

    def wait_exit(self, timeout: float = 20.0) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("still running after %ss:\n%s" % (timeout, self.log)) from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def servers() -> Iterator[List[Server]]:
    started: List[Server] = []
    yield started
    for server in started:
        server.stop()


def start(servers: List[Server], bed: Bed, args: List[str], port: Optional[int] = None, **env: str) -> Server:
    server = Server(bed, args, port, **env)
    servers.append(server)
    return server


def http(method: str, url: str, body: Optional[dict] = None, headers: Optional[Dict[str, str]] = None) -> Tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=dict({"Content-Type": "application/json"}, **(headers or {})))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def parse(version: str, argv: List[str]) -> Tuple[Optional[object], str]:
    """Parse with the stand-in's parser in-process: (namespace or None, stderr text)."""
    parser = argspec.build_parser(argspec.load_spec(str(FLAGS[version])))
    import contextlib  # pylint: disable=import-outside-toplevel
    import io  # pylint: disable=import-outside-toplevel

    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        try:
            namespace = argspec.parse_vllm_argv(parser, argv)
        except SystemExit:
            return None, errors.getvalue()
    return namespace, errors.getvalue()


def run_vllm(bed: Bed, argv: List[str], timeout: float = 30, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(VLLM)] + argv, env=bed.env(**env), capture_output=True, text=True, timeout=timeout, check=False)


# ---------------------------------------------------------------- flags


@pytest.mark.parametrize("version", sorted(FLAGS))
def test_tutorial_command_line_parses_into_the_values_vllm_would_use(version: str) -> None:
    namespace, errors = parse(version, ["serve", "/models/q"] + TUTORIAL_FLAGS)
    assert namespace is not None, errors
    assert namespace.model_tag == "/models/q"
    assert namespace.tensor_parallel_size == 2
    assert namespace.max_model_len == 133000
    assert namespace.enable_prefix_caching is False
    assert namespace.speculative_config == {"method": "qwen3_5_mtp", "num_speculative_tokens": 3, "enforce_eager": True}
    assert namespace.compilation_config == {"cudagraph_mode": "FULL_DECODE_ONLY"}
    assert namespace.additional_config == {"enable_cpu_binding": True}
    assert namespace.served_model_name == ["qwen3.6"]


@pytest.mark.parametrize(
    "version, extra, accepted",
    [
        ("0.17.0", ["--swap-space", "4"], True),
        ("0.18.0", ["--swap-space", "4"], False),
        ("0.17.0", ["--shutdown-timeout", "5"], False),
        ("0.18.0", ["--shutdown-timeout", "5"], True),
        ("0.18.0", ["--data-parallel-address", "10.0.0.1", "--data-parallel-rpc-port", "13389", "--headless", "--data-parallel-start-rank", "2"], True),
        ("0.18.0", ["--no-such-flag"], False),
    ],
)
def test_each_release_accepts_its_own_flags_only(version: str, extra: List[str], accepted: bool) -> None:
    namespace, errors = parse(version, ["serve", "/models/q"] + extra)
    assert (namespace is not None) is accepted, errors
    if not accepted:
        assert "vllm: error: unrecognized arguments: %s" % extra[0] in errors


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--port", "eighty"], "vllm serve: error: argument --port: invalid int value: 'eighty'"),
        (["--max-model-len", "12x"], "argument --max-model-len: invalid human_readable_int_or_auto value: '12x'"),
        (["--compilation-config", '{"no_such_key": 1}'], "1 validation error for CompilationConfig\nno_such_key\n  Unexpected keyword argument"),
        (["--compilation-config", "{bad"], "1 validation error for CompilationConfig"),
        (["--speculative-config", "{bad"], "argument --speculative-config: Value {bad cannot be converted"),
        (["--dtype", "float64"], "argument --dtype: invalid choice: 'float64'"),
    ],
)
def test_rejections_carry_vllms_error_text(argv: List[str], message: str) -> None:
    namespace, errors = parse("0.18.0", ["serve", "/models/q"] + argv)
    assert namespace is None
    assert message in errors


def test_flexible_parser_rewrites_like_vllm() -> None:
    namespace, errors = parse(
        "0.18.0",
        ["serve", "--model", "/models/q", "--max_num_seqs", "4", "--compilation-config.cudagraph_mode", "FULL", "--max-model", "2k", "-O3"],
    )
    assert namespace is not None, errors
    assert namespace.model_tag == "/models/q"  # --model moved to the positional
    assert namespace.max_num_seqs == 4  # snake_case names are accepted
    assert namespace.compilation_config == {"cudagraph_mode": "FULL"}  # dotted JSON keys
    assert namespace.max_model_len == 2000  # prefix of --max-model-len, human-readable value
    assert namespace.optimization_level in (3, "3")


def test_command_line_rejection_exits_2_with_usage(tmp_path: Path) -> None:
    result = run_vllm(Bed(tmp_path, "0.18.0"), ["serve", "/models/q", "--swap-space", "4"])
    assert result.returncode == 2
    assert "vllm: error: unrecognized arguments: --swap-space 4" in result.stderr


# ---------------------------------------------------------------- NPUs


@pytest.mark.parametrize(
    "present, env_value, visible",
    [
        ([0, 1, 2, 3], None, [0, 1, 2, 3]),
        ([0, 1, 2, 3], "2,3", [2, 3]),
        ([4, 5], None, [4, 5]),
        ([4, 5], "0,1", [4, 5]),  # container-local ids
        ([4, 5], "4,5", []),  # host ids of a subset: no such positions, dropped
        ([4, 5], "1,0", []),  # not ascending: the runtime sees nothing
        ([0, 1, 2], "0,1,7", [0, 1]),  # an id past the end is dropped silently
        ([0, 1], "a,b", []),
    ],
)
def test_visible_npus_follow_the_runtimes_rules(present: List[int], env_value: Optional[str], visible: List[int]) -> None:
    assert npus.select_visible(present, env_value) == visible


def test_container_with_its_npus_serves_and_holds_their_device_files(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path, npu_ids=[4, 5])
    server = start(servers, bed, ["--tensor-parallel-size", "2"])
    server.wait_healthy()
    held = {os.readlink("/proc/%d/fd/%s" % (server.process.pid, fd)) for fd in os.listdir("/proc/%d/fd" % server.process.pid)}
    assert {str(bed.dev / "davinci4"), str(bed.dev / "davinci5")} <= held


def test_host_ids_of_a_mounted_subset_fail_like_the_runtime(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path, npu_ids=[4, 5])
    server = start(servers, bed, ["--tensor-parallel-size", "2"], ASCEND_RT_VISIBLE_DEVICES="4,5")
    assert server.wait_exit() != 0
    assert "invalid device=0, input visible devices:4,5" in server.log
    assert "needs 2 NPUs" in server.log and "sees 0" in server.log


def test_too_few_npus_for_tp_times_dp_refuses_to_start(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path, npu_ids=[0, 1, 2])
    server = start(servers, bed, ["--tensor-parallel-size", "2", "--data-parallel-size", "2"])
    assert server.wait_exit() != 0
    assert "open device 3 failed" in server.log
    assert "needs 4 NPUs on this node (tensor_parallel_size 2 x pipeline_parallel_size 1 x data_parallel_size_local 2)" in server.log
    assert "sees 3" in server.log


# ---------------------------------------------------------------- ports


def test_second_replica_on_the_same_hccl_ports_fails_with_ei0019(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path)
    base = str(free_port_range(4))
    first = start(servers, bed, ["--tensor-parallel-size", "2"], HCCL_IF_BASE_PORT=base)
    first.wait_healthy()
    second = start(servers, bed, ["--tensor-parallel-size", "2"], HCCL_IF_BASE_PORT=base)
    assert second.wait_exit() != 0
    assert "EI0019" in second.log
    assert "The IP address and port have been bound already" in second.log
    assert "port[%s]" % base in second.log
    first.wait_healthy(timeout=2)  # the first replica is untouched


def test_distinct_hccl_bases_let_two_replicas_run_side_by_side(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path)
    first = start(servers, bed, ["--tensor-parallel-size", "2"])
    second = start(servers, bed, ["--tensor-parallel-size", "2"])
    first.wait_healthy()
    second.wait_healthy()


def test_gloo_interface_without_an_address_fails_the_start(tmp_path: Path, servers: List[Server]) -> None:
    server = start(servers, Bed(tmp_path), ["--tensor-parallel-size", "2"], GLOO_SOCKET_IFNAME="nosuchnic0")
    assert server.wait_exit() != 0
    assert "Unable to find address for: nosuchnic0" in server.log
    assert "EngineCore failed to start." in server.log


def test_gloo_interface_with_an_address_serves(tmp_path: Path, servers: List[Server]) -> None:
    start(servers, Bed(tmp_path), ["--tensor-parallel-size", "2"], GLOO_SOCKET_IFNAME="lo").wait_healthy()


def test_api_port_held_by_another_program_fails_with_address_in_use(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        server = start(servers, bed, [], port=squatter.getsockname()[1])
        assert server.wait_exit() != 0
    assert "OSError: [Errno 98] Address already in use" in server.log


def test_api_port_is_shared_between_vllm_servers_as_so_reuseport_allows(tmp_path: Path, servers: List[Server]) -> None:
    """Real vLLM binds its API socket with SO_REUSEPORT: a second server on the same port starts too."""
    bed = Bed(tmp_path)
    first = start(servers, bed, [])
    second = start(servers, bed, [], port=first.port)
    first.wait_healthy()
    second.wait_healthy()


def test_vllm_port_range_is_scanned_upward_when_taken(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path)
    base = free_port_range(8)
    first = start(servers, bed, [], VLLM_PORT=str(base))
    first.wait_healthy()
    second = start(servers, bed, [], VLLM_PORT=str(base))
    second.wait_healthy()
    assert "Port %d is already in use, trying port %d" % (base, base + 1) in second.log


# ---------------------------------------------------------------- start-up


def test_port_stays_closed_until_the_configured_startup_delay_has_passed(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path)
    server = start(servers, bed, [], VLLM_STANDIN_STARTUP_SECONDS="1.5")
    time.sleep(0.5)
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(server.url("/health"), timeout=2)  # pylint: disable=consider-using-with
    waited = server.wait_healthy()
    assert waited >= 0.9
    assert "Application startup complete." in server.log
    assert server.log.index("Loading weights took") < server.log.index("Application startup complete.")


@pytest.mark.parametrize(
    "breakage, message",
    [
        ("no_config", "Invalid repository ID or local directory specified"),
        ("missing_shard", "No such file or directory"),
        ("not_quantized", "quant_model_description.json"),
        ("no_driver", "libascend_hal.so: cannot open shared object file"),
    ],
)
def test_start_fails_as_vllm_does_without_what_it_needs(tmp_path: Path, servers: List[Server], breakage: str, message: str) -> None:
    bed = Bed(tmp_path)
    if breakage == "no_config":
        (bed.model / "config.json").unlink()
    elif breakage == "missing_shard":
        (bed.model / "model-00002-of-00002.safetensors").unlink()
    elif breakage == "not_quantized":
        (bed.model / "quant_model_description.json").unlink()
    else:
        (bed.driver / "lib64" / "driver" / "libascend_hal.so").unlink()
    server = start(servers, bed, ["--quantization", "ascend"])
    assert server.wait_exit() != 0
    assert message in server.log


def test_max_model_len_beyond_the_models_limit_is_refused(tmp_path: Path, servers: List[Server]) -> None:
    server = start(servers, Bed(tmp_path), ["--max-model-len", "300000"])
    assert server.wait_exit() != 0
    assert "User-specified max_model_len (300000) is greater than the derived max_model_len (max_position_embeddings=262144" in server.log


def test_headless_with_api_servers_is_refused_before_launch(tmp_path: Path) -> None:
    bed = Bed(tmp_path)
    result = run_vllm(bed, ["serve", str(bed.model), "--headless", "--api-server-count", "2"])
    assert result.returncode != 0
    assert "--api-server-count=2 cannot be used with --headless" in result.stdout + result.stderr


# ---------------------------------------------------------------- endpoints


@pytest.fixture
def serving(tmp_path: Path, servers: List[Server]) -> Server:
    server = start(servers, Bed(tmp_path), ["--served-model-name", "qwen3.6", "qwen", "--max-model-len", "4096", "--max-num-seqs", "4"])
    server.wait_healthy()
    return server


def test_models_lists_every_served_name(serving: Server) -> None:
    status, body = http("GET", serving.url("/v1/models"))
    assert status == 200
    models = json.loads(body)["data"]
    assert [m["id"] for m in models] == ["qwen3.6", "qwen"]
    assert all(m["max_model_len"] == 4096 for m in models)


def test_completion_is_deterministic_honours_max_tokens_and_counts_usage(serving: Server) -> None:
    request = {"model": "qwen3.6", "prompt": "The capital of France is", "max_tokens": 7, "temperature": 0, "ignore_eos": True}
    first = json.loads(http("POST", serving.url("/v1/completions"), request)[1])
    again = json.loads(http("POST", serving.url("/v1/completions"), request)[1])
    other = json.loads(http("POST", serving.url("/v1/completions"), dict(request, prompt="Something else entirely"))[1])
    text = first["choices"][0]["text"]
    assert text and text == again["choices"][0]["text"] != other["choices"][0]["text"]
    assert len(text.split()) == 7
    assert first["usage"] == {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12, "prompt_tokens_details": None}
    assert first["choices"][0]["finish_reason"] == "length"


def test_chat_completion_answers_with_an_assistant_message(serving: Server) -> None:
    status, body = http("POST", serving.url("/v1/chat/completions"), {"model": "qwen", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5})
    assert status == 200
    answer = json.loads(body)
    assert answer["choices"][0]["message"]["role"] == "assistant"
    assert answer["choices"][0]["message"]["content"]
    assert 1 <= answer["usage"]["completion_tokens"] <= 5


def test_streamed_completion_sends_events_then_usage_then_done(serving: Server) -> None:
    request = {"model": "qwen3.6", "prompt": "stream me", "max_tokens": 4, "ignore_eos": True, "stream": True, "stream_options": {"include_usage": True}}
    status, body = http("POST", serving.url("/v1/completions"), request)
    events = [line[6:] for line in body.decode().splitlines() if line.startswith("data: ")]
    assert status == 200
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert "".join(c["choices"][0]["text"] for c in chunks if c["choices"]) == json.loads(
        http("POST", serving.url("/v1/completions"), dict(request, stream=False))[1]
    )["choices"][0]["text"]
    assert chunks[-1]["usage"]["completion_tokens"] == 4


def test_unknown_model_and_overlong_requests_get_vllms_errors(serving: Server) -> None:
    status, body = http("POST", serving.url("/v1/completions"), {"model": "nope", "prompt": "x"})
    assert status == 404
    assert json.loads(body)["error"]["message"] == "The model `nope` does not exist."
    status, body = http("POST", serving.url("/v1/completions"), {"model": "qwen", "prompt": "x", "max_tokens": 5000})
    assert status == 400
    assert "maximum context length is 4096 tokens" in json.loads(body)["error"]["message"]


def test_metrics_expose_vllms_gauges_and_count_tokens(serving: Server) -> None:
    http("POST", serving.url("/v1/completions"), {"model": "qwen", "prompt": "a b c", "max_tokens": 3, "ignore_eos": True})
    status, body = http("GET", serving.url("/metrics"))
    text = body.decode()
    assert status == 200
    for name in ("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"):
        assert re.search(r"^%s\{[^}]*\} \S+$" % re.escape(name), text, re.M), name
    assert re.search(r"^vllm:generation_tokens_total\{[^}]*\} 3$", text, re.M)
    assert re.search(r"^vllm:prompt_tokens_total\{[^}]*\} 3$", text, re.M)


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_api_key_guards_v1_only(tmp_path: Path, servers: List[Server], how: str) -> None:
    bed = Bed(tmp_path)
    server = start(servers, bed, ["--api-key", "s3cret"]) if how == "flag" else start(servers, bed, [], VLLM_API_KEY="s3cret")
    server.wait_healthy()
    assert http("GET", server.url("/v1/models"))[0] == 401
    assert http("GET", server.url("/v1/models"), headers={"Authorization": "Bearer wrong"})[0] == 401
    assert http("GET", server.url("/v1/models"), headers={"Authorization": "Bearer s3cret"})[0] == 200
    assert http("GET", server.url("/health"))[0] == 200
    assert http("GET", server.url("/metrics"))[0] == 200


def test_a_refused_body_does_not_spoil_the_next_request_on_the_connection(tmp_path: Path, servers: List[Server]) -> None:
    """A proxy keeps connections alive: the body of a request refused before its route read it must not become the next request line."""
    bed = Bed(tmp_path)
    server = start(servers, bed, ["--api-key", "s3cret"])
    server.wait_healthy()
    model = json.loads(http("GET", server.url("/v1/models"), headers={"Authorization": "Bearer s3cret"})[1])["data"][0]["id"]
    connection = http_client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    body = json.dumps({"model": model, "prompt": "a b c", "max_tokens": 2})
    try:
        for path, key, status in (("/v1/completions", "wrong", 401), ("/v1/nowhere", "s3cret", 404), ("/v1/completions", "s3cret", 200)):
            connection.request("POST", path, body, {"Content-Type": "application/json", "Authorization": "Bearer " + key})
            response = connection.getresponse()
            response.read()
            assert response.status == status, (path, response.status)
    finally:
        connection.close()


# ---------------------------------------------------------------- answer key (accuracy tests)


def test_answer_key_picks_the_question_asked_last_not_a_few_shot_example() -> None:
    answers = {"How many apples?": "The answer is 3.", "How many apples and pears?": "The answer is 7.", "Who?": "Ann"}
    few_shot = "Question: How many apples?\nAnswer: 3\nQuestion: How many apples and pears?\nLet's think step by step"
    assert engine.answer_from_key(answers, few_shot) == "The answer is 7."
    # Two questions ending at the same place: the longer one is the question.
    assert engine.answer_from_key({"pears?": "1", "apples and pears?": "2"}, "How many apples and pears?") == "2"
    assert engine.answer_from_key(answers, "Something else entirely") is None


def test_answer_key_file_must_map_questions_to_text(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"Q?": 18}), encoding="utf-8")
    assert engine.load_answer_key(str(key)) == {"Q?": "18"}
    key.write_text(json.dumps(["Q?", "18"]), encoding="utf-8")
    with pytest.raises(ValueError, match="question -> answer"):
        engine.load_answer_key(str(key))


def test_sample_answer_key_covers_every_test_question_and_gets_eight_right() -> None:
    questions = [json.loads(line) for line in (GSM8K_SAMPLE / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    answers = json.loads((GSM8K_SAMPLE / "answer_key.json").read_text(encoding="utf-8"))
    assert len(questions) == 10 and sorted(answers) == sorted(q["question"] for q in questions)
    right = [re.findall(r"-?\d+", answers[q["question"]])[-1] == q["answer"].rsplit("#### ", 1)[1] for q in questions]
    assert right.count(True) == 8


def test_answer_key_answers_its_questions_in_chat_streamed_or_not(tmp_path: Path, servers: List[Server]) -> None:
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"What is 6 times 7?": "6 * 7 = 42. The answer is 42."}), encoding="utf-8")
    server = start(servers, Bed(tmp_path), ["--served-model-name", "qwen3.5"], VLLM_STANDIN_ANSWER_KEY=str(key))
    server.wait_healthy()
    asked = {"model": "qwen3.5", "messages": [{"role": "user", "content": "Question: What is 6 times 7?\nLet's think step by step\nAnswer:"}]}
    status, body = http("POST", server.url("/v1/chat/completions"), asked)
    assert status == 200
    answer = json.loads(body)
    assert answer["choices"][0]["message"]["content"] == "6 * 7 = 42. The answer is 42."
    assert answer["choices"][0]["finish_reason"] == "stop" and answer["usage"]["completion_tokens"] == 9
    events = [line[6:] for line in http("POST", server.url("/v1/chat/completions"), dict(asked, stream=True))[1].decode().splitlines()
              if line.startswith("data: ") and line != "data: [DONE]"]
    assert "".join(json.loads(e)["choices"][0]["delta"].get("content", "") for e in events) == "6 * 7 = 42. The answer is 42."
    cut = json.loads(http("POST", server.url("/v1/chat/completions"), dict(asked, max_tokens=3))[1])
    assert cut["choices"][0]["message"]["content"] == "6 * 7" and cut["choices"][0]["finish_reason"] == "length"
    other = json.loads(http("POST", server.url("/v1/chat/completions"), {"model": "qwen3.5", "messages": [{"role": "user", "content": "Hi"}]})[1])
    assert "42" not in other["choices"][0]["message"]["content"]
    assert "Answering the 1 questions of the answer key" in server.log


def test_unreadable_answer_key_fails_the_start(tmp_path: Path, servers: List[Server]) -> None:
    server = start(servers, Bed(tmp_path), [], VLLM_STANDIN_ANSWER_KEY=str(tmp_path / "missing.json"))
    assert server.wait_exit() == 1
    assert "VLLM_STANDIN_ANSWER_KEY:" in server.log and "missing.json" in server.log


# ---------------------------------------------------------------- bench


def test_bench_serve_loads_the_server_and_writes_vllms_result_keys(tmp_path: Path, serving: Server) -> None:
    results = tmp_path / "results"
    argv = [
        "bench", "serve", "--model", "/models/Qwen3.6-27B-w8a8", "--served-model-name", "qwen3.6", "--base-url", serving.url(""),
        "--dataset-name", "random", "--random-input-len", "20", "--random-output-len", "6", "--num-prompts", "6",
        "--request-rate", "30", "--ignore-eos", "--percentile-metrics", "ttft,tpot,itl,e2el", "--save-result", "--result-dir", str(results),
    ]
    result = subprocess.run([str(VLLM)] + argv, env=Bed(tmp_path / "client").env(), capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Serving Benchmark Result" in result.stdout
    files = list(results.iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"openai-30\.0qps-Qwen3\.6-27B-w8a8-\d{8}-\d{6}\.json", files[0].name)
    report = json.loads(files[0].read_text())
    assert report["completed"] == 6 and report["failed"] == 0
    assert report["total_input_tokens"] == 120 and report["total_output_tokens"] == 36
    for key in ("request_throughput", "output_throughput", "total_token_throughput", "duration"):
        assert report[key] > 0, key
    for metric in ("ttft", "tpot", "itl", "e2el"):
        for stat in ("mean", "median", "std", "p99"):
            assert "%s_%s_ms" % (stat, metric) in report
    assert report["mean_e2el_ms"] >= report["mean_ttft_ms"] > 0
    assert report["num_prompts"] == 6 and report["request_rate"] == 30.0 and report["model_id"] == "/models/Qwen3.6-27B-w8a8"


# ---------------------------------------------------------------- data parallel across nodes


def dp_args(size: int, local: int, rpc_port: int, start_rank: Optional[int] = None, address: str = "127.0.0.1") -> List[str]:
    args = ["--tensor-parallel-size", "2", "--data-parallel-size", str(size), "--data-parallel-size-local", str(local)]
    args += ["--data-parallel-address", address, "--data-parallel-rpc-port", str(rpc_port)]
    if start_rank is not None:
        args += ["--headless", "--data-parallel-start-rank", str(start_rank)]
    return args


def test_head_serves_only_once_every_data_parallel_rank_has_joined(tmp_path: Path, servers: List[Server]) -> None:
    rpc = free_port()
    head = start(servers, Bed(tmp_path / "node0"), dp_args(4, 2, rpc))
    time.sleep(1.0)
    assert head.process.poll() is None
    assert http_refused(head.url("/health"))
    worker = start(servers, Bed(tmp_path / "node1"), dp_args(4, 2, rpc, start_rank=2))
    head.wait_healthy()
    assert "joined: data parallel ranks 2..3" in head.log
    assert "Launching vLLM (v0.18.0) headless: data parallel ranks 2..3" in worker.log
    assert worker.process.poll() is None
    head.stop()
    assert worker.wait_exit() != 0  # the headless node's engines die with the head


def http_refused(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)  # pylint: disable=consider-using-with
    except (urllib.error.URLError, ConnectionError):
        return True
    return False


def test_wrong_start_rank_stops_the_head_and_the_headless_node(tmp_path: Path, servers: List[Server]) -> None:
    rpc = free_port()
    head = start(servers, Bed(tmp_path / "node0"), dp_args(4, 2, rpc))
    worker = start(servers, Bed(tmp_path / "node1"), dp_args(4, 2, rpc, start_rank=3))
    assert head.wait_exit() != 0
    assert worker.wait_exit() != 0
    assert "unexpected data parallel rank: 4" in head.log
    assert "refused this node" in worker.log


def test_inconsistent_sizes_stop_the_group(tmp_path: Path, servers: List[Server]) -> None:
    rpc = free_port()
    head = start(servers, Bed(tmp_path / "node0"), dp_args(4, 2, rpc))
    worker = start(servers, Bed(tmp_path / "node1"), dp_args(3, 1, rpc, start_rank=2))
    assert head.wait_exit() != 0
    assert worker.wait_exit() != 0
    assert "says --data-parallel-size 3, the head serves --data-parallel-size 4" in head.log


def test_wrong_rpc_port_times_out_on_both_sides_with_a_clear_log(tmp_path: Path, servers: List[Server]) -> None:
    rpc = free_port()
    head = start(servers, Bed(tmp_path / "node0"), dp_args(4, 2, rpc), VLLM_ENGINE_READY_TIMEOUT_S="2")
    worker = start(servers, Bed(tmp_path / "node1"), dp_args(4, 2, free_port(), start_rank=2), VLLM_ENGINE_READY_TIMEOUT_S="2")
    assert head.wait_exit() != 0
    assert worker.wait_exit() != 0
    assert "Timed out waiting for engine core processes to start" in head.log
    assert "Data parallel ranks 2,3 never joined the head at 127.0.0.1:%d" % rpc in head.log
    assert "could not reach the data parallel head at tcp://127.0.0.1:" in worker.log


def test_head_address_that_is_not_its_own_fails_to_bind(tmp_path: Path, servers: List[Server]) -> None:
    head = start(servers, Bed(tmp_path), dp_args(4, 2, free_port(), address="192.0.2.10"))
    assert head.wait_exit() != 0
    assert "Cannot assign requested address" in head.log


def test_head_stops_serving_when_a_headless_node_dies(tmp_path: Path, servers: List[Server]) -> None:
    rpc = free_port()
    head = start(servers, Bed(tmp_path / "node0"), dp_args(4, 2, rpc))
    worker = start(servers, Bed(tmp_path / "node1"), dp_args(4, 2, rpc, start_rank=2))
    head.wait_healthy()
    worker.process.kill()
    assert head.wait_exit() != 0
    assert "Engine core died: engine group" in head.log


def test_hccl_if_ip_that_is_not_on_this_host_fails_naming_the_address(tmp_path: Path, servers: List[Server]) -> None:
    server = start(servers, Bed(tmp_path), [], HCCL_IF_IP="192.0.2.10")
    assert server.wait_exit() != 0
    assert "host nic listen start failed, ip[192.0.2.10]" in server.log
    assert "Cannot assign requested address" in server.log
    assert "bound already" not in server.log


# ---------------------------------------------------------------- stopping (rolling changes)


def _stream_in_background(server: Server, max_tokens: int) -> Tuple[threading.Thread, Dict[str, object]]:
    """A streamed completion read to its end (or its cut) in a thread; the outcome lands in the dict."""
    outcome: Dict[str, object] = {}
    request = {"model": "qwen3.6", "prompt": "hold me", "max_tokens": max_tokens, "ignore_eos": True, "stream": True}

    def read() -> None:
        try:
            status, body = http("POST", server.url("/v1/completions"), request)
            outcome["status"], outcome["body"] = status, body.decode()
        except (OSError, http_client.HTTPException) as exc:
            outcome["error"] = repr(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, outcome


def _wait_running(server: Server, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = http("GET", server.url("/metrics"))[1].decode()
        if re.search(r"^vllm:num_requests_running\{[^}]*\} %d(\.0)?$" % count, text, re.MULTILINE):
            return
        time.sleep(0.05)
    raise AssertionError("never %d requests running" % count)


def test_shutdown_timeout_lets_running_requests_finish_on_sigterm(tmp_path: Path, servers: List[Server]) -> None:
    server = start(servers, Bed(tmp_path, "0.18.0"), ["--served-model-name", "qwen3.6", "--shutdown-timeout", "20"],
                   VLLM_STANDIN_TOKEN_SECONDS="0.05")
    server.wait_healthy()
    thread, outcome = _stream_in_background(server, 40)  # about 2 s of tokens
    _wait_running(server, 1)
    server.process.send_signal(signal.SIGTERM)
    thread.join(30)
    assert server.wait_exit() == 0
    assert outcome.get("status") == 200, outcome
    assert str(outcome["body"]).rstrip().endswith("data: [DONE]")
    assert "Waiting up to 20 seconds for 1 running requests to finish" in server.log
    assert "All requests finished" in server.log


def test_without_shutdown_timeout_sigterm_aborts_running_requests(tmp_path: Path, servers: List[Server]) -> None:
    server = start(servers, Bed(tmp_path, "0.17.0"), ["--served-model-name", "qwen3.6"], VLLM_STANDIN_TOKEN_SECONDS="0.05")
    server.wait_healthy()
    thread, outcome = _stream_in_background(server, 200)  # about 10 s of tokens
    _wait_running(server, 1)
    server.process.send_signal(signal.SIGTERM)
    thread.join(30)
    assert server.wait_exit() == 0
    assert "data: [DONE]" not in str(outcome.get("body", "")), outcome


def test_shutdown_timeout_is_refused_by_vllm_0_17(tmp_path: Path) -> None:
    result = run_vllm(Bed(tmp_path, "0.17.0"), ["serve", "m", "--shutdown-timeout", "20"])
    assert result.returncode == 2
    assert "unrecognized arguments: --shutdown-timeout" in result.stderr


def test_never_ready_image_loads_forever_without_listening(tmp_path: Path, servers: List[Server]) -> None:
    server = start(servers, Bed(tmp_path), ["--served-model-name", "qwen3.6"], VLLM_STANDIN_NEVER_READY="1")
    time.sleep(1.5)  # 0.2 s of pretend loading, then stuck
    assert server.process.poll() is None
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url("/health"), timeout=2)
    assert "Starting to load model" in server.log
    assert "Application startup complete." not in server.log
    server.process.send_signal(signal.SIGTERM)
    assert server.wait_exit() == 0


# ---------------------------------------------------------------- faults: a hung engine, a crash at start


def _metric(text: str, name: str) -> float:
    match = re.search(r"^%s\{[^}]*\} (\S+)$" % re.escape(name), text, re.M)
    assert match, name
    return float(match.group(1))


def test_engine_with_its_hang_file_holds_requests_without_tokens_until_it_goes(tmp_path: Path) -> None:
    hang = tmp_path / "hang"
    hang.write_text("")
    eng = engine.Engine("qwen", 4, 4096, 0.0, 0.0, hang_file=str(hang))
    done: List[List[str]] = []
    worker = threading.Thread(target=lambda: done.append(eng.complete("qwen", "a b c", 3, True).tokens))
    worker.start()
    time.sleep(0.4)
    assert eng.hung()
    assert (eng.running, eng.generation_tokens_total, done) == (1, 0, [])
    hang.unlink()
    worker.join(5)
    assert not eng.hung()
    assert len(done[0]) == 3 and eng.running == 0 and eng.generation_tokens_total == 3


def test_hung_server_answers_health_but_no_completion(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path)
    server = start(servers, bed, ["--served-model-name", "qwen3.6"])
    server.wait_healthy()
    assert http("POST", server.url("/v1/completions"), {"model": "qwen3.6", "prompt": "a", "max_tokens": 2})[0] == 200
    (tmp_path / "vllm-standin-hang").write_text("")
    request = urllib.request.Request(server.url("/v1/completions"), data=json.dumps({"model": "qwen3.6", "prompt": "a", "max_tokens": 2}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with pytest.raises(OSError, match="timed out"):
        urllib.request.urlopen(request, timeout=1.5)  # pylint: disable=consider-using-with
    assert http("GET", server.url("/health"))[0] == 200
    metrics = http("GET", server.url("/metrics"))[1].decode()
    assert _metric(metrics, "vllm:num_requests_running") == 1
    assert _metric(metrics, "vllm:generation_tokens_total") == 2
    (tmp_path / "vllm-standin-hang").unlink()
    assert http("POST", server.url("/v1/completions"), {"model": "qwen3.6", "prompt": "a", "max_tokens": 2})[0] == 200


def test_crash_file_fails_every_start_with_its_first_line(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path)
    (tmp_path / "vllm-standin-crash").write_text("RuntimeError: NPU function error: aclrtMalloc, error code is 207001\nsecond line\n")
    server = start(servers, bed, ["--served-model-name", "qwen3.6"])
    assert server.wait_exit() == 1
    assert "Starting to load model" in server.log
    assert server.log.rstrip().splitlines()[-1].endswith(") RuntimeError: NPU function error: aclrtMalloc, error code is 207001")
    assert "second line" not in server.log and "Application startup complete." not in server.log


def test_empty_crash_file_fails_the_start_with_an_npu_error(tmp_path: Path, servers: List[Server]) -> None:
    bed = Bed(tmp_path)
    (tmp_path / "vllm-standin-crash").write_text("")
    server = start(servers, bed, ["--served-model-name", "qwen3.6"])
    assert server.wait_exit() == 1
    assert "RuntimeError: ACL stream synchronize failed, error code:507035" in server.log
