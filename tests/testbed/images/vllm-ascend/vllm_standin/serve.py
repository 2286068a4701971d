# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``vllm serve``: the start-up a vllm-ascend server goes through, its checks and failures, then serving.

Order as in the real server: argument checks, model directory, the API port (bound before the engine
starts), NPUs (each worker opens logical device = local rank), vLLM's internal ports, HCCL's listen
ports, the data-parallel handshake, weight loading (a configurable pause), then the HTTP server.

Stand-in knobs (environment, image only, never set by the roles):
  VLLM_STANDIN_STARTUP_SECONDS       pretend weight loading time (default 2)
  VLLM_STANDIN_FIRST_TOKEN_SECONDS   time to the first token of a request (default 0.02)
  VLLM_STANDIN_TOKEN_SECONDS         time per further token (default 0.002)
  VLLM_STANDIN_DEV_ROOT              where the /dev/davinciN nodes are looked for (default /dev)
  VLLM_STANDIN_DRIVER_ROOT           the mounted driver (default /usr/local/Ascend/driver)
  VLLM_STANDIN_NEVER_READY           1: weight loading never ends, the API never listens (an image that never becomes healthy)
  VLLM_STANDIN_ANSWER_KEY            a JSON file, question -> answer: a prompt asking one of its questions is answered
                                     with that text (an accuracy test's known score); unset: deterministic words
  VLLM_STANDIN_HANG_FILE             while this file exists the engine hangs: /health answers 200, completions take their
                                     slot and produce nothing (default /tmp/vllm-standin-hang; a test touches it inside
                                     a running container, so the replica's configuration does not change)
  VLLM_STANDIN_CRASH_FILE            when this file exists at start the engine fails its warm-up and the server exits 1,
                                     logging the file's first line as its error (default /tmp/vllm-standin-crash: a
                                     container that has it crash-loops under its restart policy)
On SIGTERM with --shutdown-timeout N > 0 (vLLM 0.18 on) the server stops accepting connections and lets the running
requests finish for at most N seconds, as vLLM does; without it (0, or vLLM 0.17) they are aborted at once.
Real variables read: ASCEND_RT_VISIBLE_DEVICES, HCCL_IF_BASE_PORT, HCCL_IF_IP, GLOO_SOCKET_IFNAME, VLLM_PORT, VLLM_API_KEY,
VLLM_ENGINE_READY_TIMEOUT_S (how long the head waits for data-parallel ranks, and a headless node for the head).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import threading
import time
from typing import Any, Dict, List, Mapping, Optional

from . import data_parallel, model_dir, npus, ports
from .engine import Engine, load_answer_key
from .http_api import ROUTES, ServingState, make_server
from .logs import VllmLog


DEFAULT_HANG_FILE = "/tmp/vllm-standin-hang"
DEFAULT_CRASH_FILE = "/tmp/vllm-standin-crash"
DEFAULT_CRASH_ERROR = "RuntimeError: ACL stream synchronize failed, error code:507035"


class StartupError(Exception):
    """Start-up stops here; the message is what the real server would print."""


def crash_error(path: str) -> str:
    """The error a start fails with when the crash file exists: its first line, else a default; empty when absent."""
    if not path or not os.path.exists(path):
        return ""
    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline().strip()
    except OSError:
        first = ""
    return first or DEFAULT_CRASH_ERROR


def _float_env(environ: Mapping[str, str], name: str, default: float) -> float:
    try:
        return float(environ.get(name, default))
    except ValueError:
        return default


def _int_env(environ: Mapping[str, str], name: str, default: Optional[int]) -> Optional[int]:
    value = environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise StartupError("ValueError: invalid literal for int() with base 10: %r (environment variable %s)" % (value, name)) from None


def non_default_args(args: argparse.Namespace, spec: Dict[str, Any]) -> Dict[str, Any]:
    defaults = {o["dest"]: o.get("default") for o in spec["options"]}
    defaults.update({p["dest"]: p.get("default") for p in spec.get("positionals", [])})
    return {dest: value for dest, value in sorted(vars(args).items()) if dest in defaults and value != defaults[dest] and value is not None}


def check_arguments(args: argparse.Namespace) -> None:
    """The checks ``vllm serve`` makes on the parsed arguments before launching anything."""
    if args.enable_auto_tool_choice and not args.tool_call_parser:
        raise StartupError("TypeError: Error: --enable-auto-tool-choice requires --tool-call-parser")
    if getattr(args, "enable_log_outputs", False) and not getattr(args, "enable_log_requests", False):
        raise StartupError("TypeError: Error: --enable-log-outputs requires --enable-log-requests")
    if args.headless and args.api_server_count is not None and args.api_server_count > 0:
        raise StartupError(
            "ValueError: --api-server-count=%d cannot be used with --headless (no API servers are started in headless mode)." % args.api_server_count
        )
    external = args.data_parallel_external_lb or args.data_parallel_rank is not None
    hybrid = args.data_parallel_hybrid_lb or args.data_parallel_start_rank is not None
    if external and hybrid:
        raise StartupError(
            "ValueError: Cannot use both external and hybrid data parallel load balancing modes. External LB is enabled via "
            "--data-parallel-external-lb or --data-parallel-rank. Hybrid LB is enabled via --data-parallel-hybrid-lb or "
            "--data-parallel-start-rank. Use one mode or the other."
        )
    if args.headless and (args.data_parallel_size_local or 0) <= 0 and args.data_parallel_size <= 0:
        raise StartupError("ValueError: data_parallel_size_local must be > 0 in headless mode")


class Server:
    def __init__(self, args: argparse.Namespace, spec: Dict[str, Any], environ: Mapping[str, str]) -> None:
        self.args = args
        self.spec = spec
        self.env = environ
        self.version = spec.get("vllm_version", "unknown")
        self.api_log = VllmLog("APIServer")
        self.engine_log = VllmLog("EngineCore_DP%d" % (args.data_parallel_start_rank or 0))
        self.held_sockets: List[socket.socket] = []
        self.devices = npus.HeldDevices()
        self.dp_head: Optional[data_parallel.DataParallelHead] = None
        self.dp_member: Optional[data_parallel.HeadlessMember] = None
        self.stop = threading.Event()
        self.stop_reason = ""
        self.exit_code = 0
        self.engine_started = False

        self.model = args.model_tag or getattr(args, "model", None) or "Qwen/Qwen3-0.6B"
        self.tp = args.tensor_parallel_size
        self.pp = args.pipeline_parallel_size
        self.dp_size = args.data_parallel_size
        self.dp_local = args.data_parallel_size_local if args.data_parallel_size_local is not None else self.dp_size
        self.start_rank = args.data_parallel_start_rank or 0
        self.multi_node = args.headless or self.dp_local < self.dp_size

    # --- start-up steps ---

    def check_platform(self) -> None:
        self.api_log.info("__init__.py", "Platform plugin ascend is activated")
        driver_root = self.env.get("VLLM_STANDIN_DRIVER_ROOT", "/usr/local/Ascend/driver")
        if not os.path.isfile(os.path.join(driver_root, "lib64", "driver", "libascend_hal.so")):
            raise StartupError("ImportError: libascend_hal.so: cannot open shared object file: No such file or directory")

    def check_model(self) -> int:
        config = model_dir.read_config(self.model)
        max_model_len = model_dir.resolve_max_model_len(self.args.max_model_len, config)
        model_dir.check_quantization(self.model, self.args.quantization)
        model_dir.weight_files(self.model)
        return max_model_len

    def bind_api_port(self) -> Optional[socket.socket]:
        if self.args.headless:
            return None
        try:
            return ports.bind_api_socket(self.args.host, self.args.port)
        except OSError as exc:
            raise StartupError("OSError: [Errno %d] %s" % (exc.errno or 0, exc.strerror or exc)) from None

    def claim_npus(self) -> List[int]:
        dev_root = self.env.get("VLLM_STANDIN_DEV_ROOT", "/dev")
        view = npus.npu_view(dev_root, dict(self.env))
        needed = self.tp * self.pp * self.dp_local
        self.engine_log.info("npu_worker.py", npus.describe(view, dev_root))
        if len(view.visible) < needed:
            first_missing = len(view.visible)
            raise StartupError(
                "WorkerProc failed to start.\n%s\n"
                "vllm-ascend needs %d NPUs on this node (tensor_parallel_size %d x pipeline_parallel_size %d x data_parallel_size_local %d) "
                "and the runtime sees %d: %s"
                % (npus.set_device_error(first_missing, view), needed, self.tp, self.pp, self.dp_local, len(view.visible), npus.describe(view, dev_root))
            )
        chosen = view.visible[:needed]
        self.devices.open(dev_root, chosen)
        return chosen

    def bind_internal_ports(self) -> List[int]:
        first = _int_env(self.env, "VLLM_PORT", None)

        def taken(port: int, next_port: int) -> None:
            self.engine_log.info("network_utils.py", "Port %d is already in use, trying port %d" % (port, next_port))

        held = ports.bind_internal_ports(first, 2 + self.dp_local, taken)
        self.held_sockets += held
        return [ports.port_of(s) for s in held]

    def bind_hccl_ports(self, ranks: int) -> List[int]:
        base = _int_env(self.env, "HCCL_IF_BASE_PORT", ports.HCCL_DEFAULT_BASE_PORT)
        assert base is not None
        host = self.env.get("HCCL_IF_IP") or "0.0.0.0"
        try:
            held = ports.bind_hccl_ports(host, base, ranks)
        except ports.HcclBindError as exc:
            raise StartupError(str(exc)) from None
        self.held_sockets += held
        return [ports.port_of(s) for s in held]

    def check_gloo_interface(self, ranks: int) -> None:
        """More than one rank (or a group across nodes): torch's gloo groups bind GLOO_SOCKET_IFNAME's address."""
        name = self.env.get("GLOO_SOCKET_IFNAME", "")
        if not name or (ranks < 2 and not self.multi_node):
            return
        error = ports.gloo_interface_error(name)
        if error is not None:
            raise StartupError(error)

    def local_ranks(self) -> str:
        return "%d..%d" % (self.start_rank, self.start_rank + self.dp_local - 1)

    def rank_group(self) -> data_parallel.RankGroup:
        return data_parallel.RankGroup(self.start_rank, self.dp_local, self.dp_size, self.tp, self.pp, socket.gethostname())

    def dp_endpoint(self) -> tuple:
        address = self.args.data_parallel_address or data_parallel.DEFAULT_ADDRESS
        port = self.args.data_parallel_rpc_port or data_parallel.DEFAULT_RPC_PORT
        return address, port

    def start_data_parallel(self, timeout: float) -> None:
        if not self.multi_node:
            return
        address, port = self.dp_endpoint()
        if self.args.headless:
            self.engine_log.info("core.py", "Connecting to the data parallel head at tcp://%s:%d" % (address, port))
            self.dp_member = data_parallel.HeadlessMember(self.rank_group(), address, port, self.engine_log)
            try:
                self.dp_member.join(timeout)
            except data_parallel.DpError as exc:
                raise StartupError(str(exc)) from None
            self.engine_log.info("core.py", "Joined the data parallel group at tcp://%s:%d as ranks %s" % (address, port, self.local_ranks()))
        else:
            self.dp_head = data_parallel.DataParallelHead(self.rank_group(), address, port, self.api_log)
            try:
                self.dp_head.listen()
            except data_parallel.DpError as exc:
                raise StartupError(str(exc)) from None
            self.api_log.info("utils.py", "Data parallel head listening on tcp://%s:%d for %d ranks" % (address, port, self.dp_size))

    def load_model(self) -> None:
        seconds = _float_env(self.env, "VLLM_STANDIN_STARTUP_SECONDS", 2.0)
        self.engine_log.info("model_runner_v1.py", "Starting to load model %s..." % self.model)
        self.stop.wait(seconds * 0.8)
        self.engine_log.info("default_loader.py", "Loading weights took %.2f seconds" % (seconds * 0.8))
        self.engine_log.info("model_runner_v1.py", "Model loading took 14.8 GiB memory and %.2f seconds" % (seconds * 0.8))
        self.stop.wait(seconds * 0.2)
        if self.env.get("VLLM_STANDIN_NEVER_READY", "") not in ("", "0"):
            # Stuck as a real server can be (a hung collective, a compile that never ends): no error, never ready.
            self.stop.wait()
            return
        crash = crash_error(self.env.get("VLLM_STANDIN_CRASH_FILE", DEFAULT_CRASH_FILE))
        if crash:
            # Fails its warm-up every time it starts, as an engine on a broken NPU or a bad kernel does.
            self.engine_log.error("core.py", "EngineCore failed during warm-up")
            raise StartupError(crash)
        self.engine_log.info("core.py", "init engine (profile, create kv cache, warmup model) took %.2f seconds" % (seconds * 0.2))

    def answer_key(self) -> Dict[str, str]:
        """The test's answer key (VLLM_STANDIN_ANSWER_KEY), question -> answer; none when unset."""
        path = self.env.get("VLLM_STANDIN_ANSWER_KEY", "")
        if not path:
            return {}
        try:
            answers = load_answer_key(path)
        except (OSError, ValueError) as exc:
            raise StartupError("VLLM_STANDIN_ANSWER_KEY: %s" % exc) from None
        self.api_log.info("serving.py", "Answering the %d questions of the answer key %s" % (len(answers), path))
        return answers

    # --- the whole start ---

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            return self._run()
        except (StartupError, model_dir.ModelDirError) as exc:
            if self.engine_started:
                self.engine_log.error("core.py", "EngineCore failed to start.")
            self.api_log.raw(str(exc))
            return 1
        finally:
            self.close()

    def _run(self) -> int:
        args = self.args
        check_arguments(args)
        self.check_platform()
        self.api_log.info("api_server.py", "vLLM API server version %s" % self.version)
        self.api_log.info("utils.py", "non-default args: %s" % non_default_args(args, self.spec["serve"]))
        max_model_len = self.check_model()
        api_socket = self.bind_api_port()
        if api_socket is not None:
            self.held_sockets.append(api_socket)
        self.engine_log.info(
            "core.py",
            "Initializing a V1 LLM engine (v%s) with config: model=%r, tokenizer=%r, max_seq_len=%d, tensor_parallel_size=%d, "
            "pipeline_parallel_size=%d, data_parallel_size=%d, quantization=%s, seed=%s, served_model_name=%s"
            % (self.version, self.model, self.model, max_model_len, self.tp, self.pp, self.dp_size, args.quantization, args.seed, self.served_names()[0]),
        )
        self.engine_started = True
        chosen = self.claim_npus()
        internal = self.bind_internal_ports()
        hccl = self.bind_hccl_ports(len(chosen))
        self.check_gloo_interface(len(chosen))
        self.engine_log.info(
            "parallel_state.py",
            "world_size=%d ranks on NPUs %s; HCCL listening on ports %s; internal ports %s"
            % (len(chosen), ",".join("davinci%d" % n for n in chosen), ",".join(map(str, hccl)), ",".join(map(str, internal))),
        )
        ready_timeout = _float_env(self.env, "VLLM_ENGINE_READY_TIMEOUT_S", 600.0)
        self.start_data_parallel(ready_timeout)
        self.load_model()
        if self.stop.is_set():
            return 0
        if self.dp_member is not None:
            self.dp_member.report_ready()
            return self.run_headless()
        if self.dp_head is not None:
            self.api_log.info("core_client.py", "Waiting for %d data parallel ranks to join" % self.dp_size)
            try:
                self.dp_head.wait(ready_timeout)
            except data_parallel.DpError as exc:
                raise StartupError(str(exc)) from None
        assert api_socket is not None
        return self.run_api_server(api_socket, max_model_len)

    def served_names(self) -> List[str]:
        return list(self.args.served_model_name or [self.model])

    def run_headless(self) -> int:
        assert self.dp_member is not None
        self.engine_log.info("serve.py", "Launching vLLM (v%s) headless: data parallel ranks %s" % (self.version, self.local_ranks()))
        member = self.dp_member

        def watch_head() -> None:
            member.wait_for_head_exit()
            self._request_stop("the data parallel head went away", 1)

        threading.Thread(target=watch_head, daemon=True).start()
        self.stop.wait()
        if self.exit_code:
            self.engine_log.error("core.py", "EngineCore encountered a fatal error: %s" % self.stop_reason)
        return self.exit_code

    def run_api_server(self, api_socket: socket.socket, max_model_len: int) -> int:
        args = self.args
        max_num_seqs = (args.max_num_seqs or 256) * max(self.dp_size, 1)
        engine = Engine(
            self.served_names()[0],
            max_num_seqs,
            max_model_len,
            _float_env(self.env, "VLLM_STANDIN_FIRST_TOKEN_SECONDS", 0.02),
            _float_env(self.env, "VLLM_STANDIN_TOKEN_SECONDS", 0.002),
            self.answer_key(),
            self.env.get("VLLM_STANDIN_HANG_FILE", DEFAULT_HANG_FILE),
        )
        keys = list(args.api_key or [self.env.get("VLLM_API_KEY", "")])
        state = ServingState(self.served_names(), self.model, engine, [k for k in keys if k], self.version, self.api_log)
        host = args.host or "0.0.0.0"
        self.api_log.info("api_server.py", "Supported tasks: ['generate']")
        self.api_log.info("api_server.py", "Starting vLLM server on http://%s:%d" % ("[%s]" % host if ":" in host else host, args.port))
        self.api_log.info("launcher.py", "Available routes are:")
        for path, methods in ROUTES.items():
            self.api_log.info("launcher.py", "Route: %s, Methods: %s" % (path, ", ".join(methods)))
        server = make_server(api_socket, state)
        self.api_log.uvicorn("Started server process [%d]" % os.getpid())
        self.api_log.uvicorn("Waiting for application startup.")
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        self.api_log.uvicorn("Application startup complete.")
        head = self.dp_head
        while not self.stop.wait(0.5):
            if head is not None and head.lost and not state.engine_dead:
                state.engine_dead = True
                self.api_log.error("async_llm.py", "Engine core died: %s" % head.lost)
                self._request_stop(head.lost, 1)
        self.api_log.uvicorn("Shutting down")
        server.shutdown()
        shutdown_timeout = int(getattr(args, "shutdown_timeout", 0) or 0)
        if shutdown_timeout > 0 and not self.exit_code:
            self.drain(server, engine, shutdown_timeout)
        server.server_close()
        self.api_log.uvicorn("Waiting for application shutdown.")
        self.api_log.uvicorn("Application shutdown complete.")
        self.api_log.uvicorn("Finished server process [%d]" % os.getpid())
        return self.exit_code

    # --- stopping ---

    def drain(self, server: Any, engine: Engine, timeout: int) -> None:
        """--shutdown-timeout: no new connections, the running requests finish (at most ``timeout`` seconds)."""
        server.socket.close()
        busy = engine.running + engine.waiting
        self.api_log.info("api_server.py", "Waiting up to %d seconds for %d running requests to finish" % (timeout, busy))
        deadline = time.monotonic() + timeout
        while engine.running + engine.waiting > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        left = engine.running + engine.waiting
        # The engine counts a request done at its last token; its handler still writes the usage chunk and [DONE].
        time.sleep(0.3)
        if left:
            self.api_log.warning("api_server.py", "Shutdown timeout of %d seconds reached: aborting %d requests" % (timeout, left))
        else:
            self.api_log.info("api_server.py", "All requests finished")

    def _request_stop(self, reason: str, code: int) -> None:
        if not self.stop.is_set():
            self.stop_reason = reason
            self.exit_code = code
            self.stop.set()

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._request_stop("signal %d" % signum, 0)

    def close(self) -> None:
        if self.dp_head is not None:
            self.dp_head.close()
        if self.dp_member is not None:
            self.dp_member.close()
        for sock in self.held_sockets:
            try:
                sock.close()
            except OSError:
                pass
        self.devices.close()


def run(args: argparse.Namespace, spec: Dict[str, Any], environ: Mapping[str, str]) -> int:
    return Server(args, spec, environ).run()
