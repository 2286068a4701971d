# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks against the real vLLM argument parser (the environment made by tests/testbed/vllm-parser/setup-env.sh).

- The committed flag specs of the stand-in image are what the real parser dumps today (so they were
  generated, not written by hand).
- The argv the collection renders for the tutorial's settings parses with the real parser of each release.
- The stand-in's parser and the real one agree, case by case, on what they accept and on the error.

The environment is $VLLM_PARSER_ENV (default <repo>/.cache/vllm-parser); `make testbed-units` makes it.
Without it these tests fail (they never skip: CI must prove the argv against the real parser).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List

import pytest

REPO = Path(__file__).resolve().parents[3]
PARSER_DIR = REPO / "tests" / "testbed" / "vllm-parser"
IMAGE_DIR = REPO / "tests" / "testbed" / "images" / "vllm-ascend"
ENV_DIR = Path(os.environ.get("VLLM_PARSER_ENV") or REPO / ".cache" / "vllm-parser")
VERSIONS = ["0.17.0", "0.18.0"]


@pytest.fixture(autouse=True, scope="module")
def real_parser_environment() -> None:
    missing = [v for v in VERSIONS if not (ENV_DIR / ("vllm-%s" % v) / ".complete").is_file()]
    if missing:
        pytest.fail("no real vLLM parser environment for %s at %s: run tests/testbed/vllm-parser/setup-env.sh"
                    % (", ".join(missing), ENV_DIR))


sys.path.insert(0, str(IMAGE_DIR))
from vllm_standin import argspec  # noqa: E402  # pylint: disable=wrong-import-position  # the stand-in is not an installed package


def vllm_flags(version: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PARSER_DIR / "vllm-flags"), version] + list(args),
        env=dict(os.environ, VLLM_PARSER_ENV=str(ENV_DIR)),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def real_outcomes(version: str, argvs: List[List[str]], tmp_path: Path) -> List[Dict[str, Any]]:
    batch = tmp_path / ("argvs-%s.json" % version)
    batch.write_text(json.dumps(argvs))
    result = vllm_flags(version, "check", "--batch", str(batch))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def serve_args_module() -> ModuleType:
    """The collection's serve-argv renderer; loaded from the file when the collection is not on sys.path."""
    try:
        return importlib.import_module("ansible_collections.ascend_ops.vllm.plugins.module_utils._serve_args")
    except ImportError:
        path = REPO / "plugins" / "module_utils" / "_serve_args.py"
        spec = importlib.util.spec_from_file_location("_serve_args_under_test", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


@pytest.mark.parametrize("version", VERSIONS)
def test_committed_flag_spec_is_what_the_real_parser_dumps(version: str, tmp_path: Path) -> None:
    committed_path = IMAGE_DIR / "flags" / ("vllm-%s.json" % version)
    committed = json.loads(committed_path.read_text())
    fresh_path = tmp_path / "fresh.json"
    result = vllm_flags(version, "dump", "--generator-command", committed["generated_by"], "--output", str(fresh_path))
    assert result.returncode == 0, result.stderr
    fresh = json.loads(fresh_path.read_text())
    assert fresh["vllm_version"] == version
    assert fresh == committed, "flags/vllm-%s.json is stale: regenerate it with tests/testbed/vllm-parser/generate-flags" % version


def tutorial_argvs() -> List[List[str]]:
    """The collection's argv for the tutorial's deployments: A2 TP2 w8a8, A3 long context BF16, 3.5 with MTP, DP across nodes."""
    module = serve_args_module()
    cases = [
        dict(model="/models/Qwen3.6-27B-w8a8", served_model_name="qwen3.6", tensor_parallel_size=2, port=8000,
             hccl_base_port=60000, vllm_port=20000, max_model_len=133000, quantization="ascend"),
        dict(model="/models/Qwen3.6-27B", served_model_name="qwen3.6", tensor_parallel_size=8, port=8001,
             hccl_base_port=60100, vllm_port=20100, max_model_len=262144, max_num_seqs=8, max_num_batched_tokens=8192),
        dict(model="/models/Qwen3.5-27B-w8a8-mtp", served_model_name="qwen3.5", tensor_parallel_size=2, port=8002,
             hccl_base_port=60200, vllm_port=20200, max_model_len=133000, quantization="ascend",
             speculative_config={"method": "qwen3_5_mtp", "num_speculative_tokens": 3, "enforce_eager": True}),
    ]
    argvs = [module.serve_argv(module.tutorial_serve_config(**case)["options"]) for case in cases]
    head = module.tutorial_serve_config(**cases[0])["options"]
    head.update(data_parallel_size=4, data_parallel_size_local=2, data_parallel_address="10.0.0.1", data_parallel_rpc_port=13389)
    headless = dict(head, headless=True, data_parallel_start_rank=2)
    argvs += [module.serve_argv(head), module.serve_argv(headless)]
    for argv in argvs:
        assert argv[0] == "serve" and not argv[1].startswith("-"), argv
    return argvs


@pytest.mark.parametrize("version", VERSIONS)
def test_collections_tutorial_argv_parses_with_the_real_parser(version: str, tmp_path: Path) -> None:
    argvs = tutorial_argvs()
    outcomes = real_outcomes(version, argvs, tmp_path)
    for argv, outcome in zip(argvs, outcomes):
        assert outcome["ok"], "vLLM %s refuses %s:\n%s" % (version, " ".join(argv), outcome["error"])


# Command lines on which the stand-in must agree with the real parser: accepted, or the same error.
AGREEMENT_CASES = [
    ["serve", "/m", "--tensor-parallel-size", "2", "--max-model-len", "133000"],
    ["serve", "/m", "--swap-space", "4"],
    ["serve", "/m", "--shutdown-timeout", "3"],
    ["serve", "/m", "--no-such-option"],
    ["serve", "/m", "--port", "eighty"],
    ["serve", "/m", "--max-model-len", "128k"],
    ["serve", "/m", "--max-model-len", "1.5K"],
    ["serve", "/m", "--max-model", "1000"],
    ["serve", "/m", "--max_num_seqs", "8"],
    ["serve", "/m", "--enable-prefix-caching", "--mamba-cache-mode", "align"],
    ["serve", "/m", "--mamba-cache-mode", "sideways"],
    ["serve", "/m", "--dtype", "float64"],
    ["serve", "/m", "--compilation-config", '{"cudagraph_mode": "FULL_DECODE_ONLY"}'],
    ["serve", "/m", "--compilation-config", '{"no_such_key": 1}'],
    ["serve", "/m", "--compilation-config.cudagraph_mode", "FULL"],
    ["serve", "/m", "--speculative-config", "{not json"],
    ["serve", "/m", "--speculative_config", '{"method": "mtp", "num_speculative_tokens": 1}'],
    ["serve", "/m", "--additional-config", '{"enable_cpu_binding": true}'],
    ["serve", "/m", "--quantization", "ascend", "--trust-remote-code", "--async-scheduling"],
    ["serve", "/m", "--headless", "--data-parallel-start-rank", "2", "--data-parallel-size", "4", "--data-parallel-size-local", "2"],
    ["serve", "/m", "--data-parallel-rpc-port", "not-a-port"],
    ["serve", "/m", "--enable-auto-tool-choice"],
    ["serve", "/m", "--served-model-name", "a", "b", "--api-key", "k1", "k2"],
    ["serve", "--served-model-name", "a"],
    ["serve", "--model", "/m", "-tp", "4", "-O3"],
    ["bench", "serve", "--model", "/m", "--dataset-name", "random", "--random-input", "200", "--num-prompts", "200", "--request-rate", "1", "--save-result"],
    ["bench", "serve", "--dataset-name", "nonsense"],
    ["bench", "serve", "--request-rate", "fast"],
]


def error_line(text: str) -> str:
    """The line that says what is wrong, without memory addresses (they differ per process)."""
    lines = [line for line in text.splitlines() if "error:" in line or "Error" in line]
    return re.sub(r" at 0x[0-9a-f]+", "", lines[0] if lines else text.strip())


def standin_outcome(version: str, argv: List[str]) -> Dict[str, Any]:
    import contextlib  # pylint: disable=import-outside-toplevel
    import io  # pylint: disable=import-outside-toplevel

    parser = argspec.build_parser(argspec.load_spec(str(IMAGE_DIR / "flags" / ("vllm-%s.json" % version))))
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            namespace = argspec.parse_vllm_argv(parser, argv)
    except SystemExit:
        return {"ok": False, "error": errors.getvalue()}
    except argspec.ArgvError as exc:
        return {"ok": False, "error": "ValueError: %s" % exc}
    if getattr(namespace, "enable_auto_tool_choice", False) and not namespace.tool_call_parser:
        return {"ok": False, "error": "TypeError: Error: --enable-auto-tool-choice requires --tool-call-parser"}
    return {"ok": True, "error": ""}


@pytest.mark.parametrize("version", VERSIONS)
def test_standin_parser_agrees_with_the_real_one(version: str, tmp_path: Path) -> None:
    real = real_outcomes(version, AGREEMENT_CASES, tmp_path)
    disagreements = []
    for argv, expected in zip(AGREEMENT_CASES, real):
        got = standin_outcome(version, argv)
        if got["ok"] != expected["ok"] or (not got["ok"] and error_line(got["error"]) != error_line(expected["error"])):
            disagreements.append(
                "%s\n  real:     %s\n  stand-in: %s" % (" ".join(argv), error_line(expected["error"]) or "OK", error_line(got["error"]) or "OK")
            )
    assert not disagreements, "\n".join(disagreements)
    assert not real[0]["error"] and real[3]["error"], "the cases must include both accepted and refused command lines"
