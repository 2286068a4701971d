# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Serve options to the argv of ``vllm serve``, and the tutorial's options.

Private to the collection. Pure standard library and no imports from the
collection, so that a test outside Ansible can load this one file and check
the argv against the real vLLM argument parser.

Rendering rules of :func:`serve_argv`:

* the argv starts after the ``vllm`` executable: ``['serve', <model>, ...]``;
  the ``model`` option becomes the positional model tag;
* every other key becomes its full flag name, underscores to dashes
  (``max_model_len`` -> ``--max-model-len``); flags never get abbreviated,
  because vLLM's argparse would accept a prefix and misread a later release;
* flags follow in alphabetical order of the flag name, so the same options
  always give the same argv (and the same config hash);
* ``True`` -> ``--flag``, ``False`` -> ``--no-flag`` (vLLM registers its
  boolean options with ``BooleanOptionalAction``), ``None`` -> omitted;
  the few ``store_true``-only flags (``--headless``, ``--disable-log-stats``)
  are omitted when false;
* dicts and lists -> one compact JSON argument (sorted keys, no spaces),
  except for the flags that take several values (``--served-model-name``,
  ``--cudagraph-capture-sizes``, ...): a list there gives one argument per item;
* a text value that starts with ``-`` is rendered ``--flag=value`` so that
  argparse cannot take it for an option.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Dict, List, Mapping, Optional

# Read from the argument parser of vLLM 0.17.0 and 0.18.0 (the releases under
# vllm-ascend v0.17.0rc1 / v0.18.0rc1); the repository's tests compare them
# with the specs dumped from those parsers.
# Flags declared with nargs='+': a list value is several arguments.
MULTI_VALUE_FLAGS = frozenset([
    'allowed_media_domains', 'api_key', 'collect_detailed_traces', 'cpu_offload_params', 'cudagraph_capture_sizes',
    'ignore_patterns', 'logits_processors', 'lora_modules', 'offload_params', 'served_model_name',
])
# Flags declared with action='store_true' have no --no- form.
STORE_TRUE_ONLY_FLAGS = frozenset(['aggregate_engine_logging', 'disable_log_stats', 'grpc', 'headless'])

_OPTION_NAME = re.compile(r'^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$')

# Environment of the vllm-ascend Qwen3.5/3.6-27B tutorial, identical for every replica.
TUTORIAL_ENV = {
    'VLLM_USE_MODELSCOPE': 'True',
    'PYTORCH_NPU_ALLOC_CONF': 'expandable_segments:True',
    'HCCL_BUFFSIZE': '512',
    'OMP_PROC_BIND': 'false',
    'OMP_NUM_THREADS': '1',
    'TASK_QUEUE_ENABLE': '1',
}

# vLLM 0.18 added --shutdown-timeout (seconds a SIGTERM waits for the running
# requests; 0 aborts them); 0.17's parser refuses the flag. vllm-ascend
# v0.X.0rcN is built on vLLM 0.X.0.
SHUTDOWN_TIMEOUT_SINCE = (0, 18)
_RELEASE = re.compile(r'^v?(?P<major>[0-9]+)\.(?P<minor>[0-9]+)\.')

TUTORIAL_COMPILATION_CONFIG = {'cudagraph_mode': 'FULL_DECODE_ONLY'}
TUTORIAL_ADDITIONAL_CONFIG = {'enable_cpu_binding': True}


class ServeArgsError(ValueError):
    """The serve options cannot be rendered; ``setting`` names the option at fault."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__('%s: %s' % (setting, message))
        self.setting = setting


def _canonical_name(key: Any) -> str:
    if not isinstance(key, str) or not _OPTION_NAME.match(key):
        raise ServeArgsError(
            str(key), 'option names are full vLLM flag names without leading dashes, such as max_model_len or max-model-len')
    return key.replace('-', '_')


def _flag(name: str) -> str:
    return '--' + name.replace('_', '-')


def _compact_json(name: str, value: Any) -> str:
    try:
        return json.dumps(value, separators=(',', ':'), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ServeArgsError(name, 'value cannot be written as JSON: %s' % (error,))


def _scalar_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        raise ServeArgsError(name, 'a boolean cannot be one of several values')
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ServeArgsError(name, 'not a finite number: %r' % (value,))
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, (Mapping, list, tuple)):
        return _compact_json(name, value)
    raise ServeArgsError(name, 'unsupported value type %s' % (type(value).__name__,))


def _value_arguments(name: str, flag: str, value: Any) -> List[str]:
    if name in MULTI_VALUE_FLAGS and isinstance(value, (list, tuple)):
        if not value:
            raise ServeArgsError(name, 'needs at least one value')
        return [flag] + [_scalar_text(name, item) for item in value]
    text = _scalar_text(name, value)
    if text.startswith('-'):
        return [flag + '=' + text]
    return [flag, text]


def _flag_arguments(name: str, value: Any) -> List[str]:
    if value is None:
        return []
    if isinstance(value, bool):
        if value:
            return [_flag(name)]
        if name in STORE_TRUE_ONLY_FLAGS:
            return []
        return ['--no-' + name.replace('_', '-')]
    return _value_arguments(name, _flag(name), value)


def serve_argv(options: Mapping[str, Any]) -> List[str]:
    """``['serve', <model>, '--flag', 'value', ...]`` from a dict of serve options (rules in the module doc)."""
    if not isinstance(options, Mapping):
        raise ServeArgsError('_input', 'expected a dictionary of serve options, got %r' % (options,))
    canonical = {}  # type: Dict[str, Any]
    for key, value in options.items():
        name = _canonical_name(key)
        if name in canonical:
            raise ServeArgsError(str(key), 'given twice (once with dashes, once with underscores)')
        canonical[name] = value
    model = canonical.pop('model', None)
    if not isinstance(model, str) or not model.strip() or model.startswith('-'):
        raise ServeArgsError('model', 'required: the weight repository or a local path, got %r' % (model,))
    argv = ['serve', model]
    for name in sorted(canonical, key=_flag):
        argv.extend(_flag_arguments(name, canonical[name]))
    return argv


def release_serve_options(vllm_ascend_version: Optional[str], shutdown_timeout: Optional[int]) -> Dict[str, Any]:
    """The serve options that depend on the release: ``shutdown_timeout`` from vllm-ascend v0.18.0rc1 (vLLM 0.18) on.

    Empty for an older release, an unknown one (None) or no timeout, so that
    the argv never carries a flag the release's parser refuses.
    """
    if vllm_ascend_version is None or shutdown_timeout is None:
        return {}
    match = _RELEASE.match(str(vllm_ascend_version))
    if match is None:
        raise ServeArgsError('vllm_ascend_version', '%r is not a vllm-ascend version such as v0.18.0rc1' % (vllm_ascend_version,))
    if (int(match.group('major')), int(match.group('minor'))) < SHUTDOWN_TIMEOUT_SINCE:
        return {}
    if isinstance(shutdown_timeout, bool) or not isinstance(shutdown_timeout, int) or shutdown_timeout < 0:
        raise ServeArgsError('shutdown_timeout', 'must be a whole number of seconds >= 0, got %r' % (shutdown_timeout,))
    return {'shutdown_timeout': shutdown_timeout}


def tutorial_serve_config(
    *,
    model: str,
    served_model_name: str,
    tensor_parallel_size: int,
    port: int,
    hccl_base_port: int,
    vllm_port: int,
    max_model_len: int,
    quantization: Optional[str] = None,
    speculative_config: Optional[Mapping[str, Any]] = None,
    max_num_seqs: int = 32,
    max_num_batched_tokens: int = 16384,
    gpu_memory_utilization: float = 0.90,
    host: str = '0.0.0.0',
    seed: int = 1024,
) -> Dict[str, Dict[str, Any]]:
    """The vllm-ascend tutorial's environment and serve options for one replica.

    Returns ``{'env': {NAME: text}, 'options': {...}}``; ``options`` feeds
    :func:`serve_argv`. The per-replica port bases keep replicas sharing the
    host network apart: ``HCCL_IF_BASE_PORT`` for HCCL's listening ports and
    ``VLLM_PORT`` for vLLM's internal torch.distributed / ZMQ ports.
    ``ASCEND_RT_VISIBLE_DEVICES`` is deliberately absent: each replica's
    container mounts only its own NPUs, and vllm-ascend's maintainers advise
    leaving the variable unset in that mode.
    """
    env = dict(TUTORIAL_ENV)
    env['HCCL_IF_BASE_PORT'] = str(hccl_base_port)
    env['VLLM_PORT'] = str(vllm_port)
    options = {
        'model': model,
        'host': host,
        'port': port,
        'data_parallel_size': 1,
        'tensor_parallel_size': tensor_parallel_size,
        'seed': seed,
        'quantization': quantization,
        'served_model_name': served_model_name,
        'max_num_seqs': max_num_seqs,
        'max_model_len': max_model_len,
        'max_num_batched_tokens': max_num_batched_tokens,
        'trust_remote_code': True,
        'gpu_memory_utilization': gpu_memory_utilization,
        # Prefix caching of these hybrid models needs --mamba-cache-mode align;
        # the tutorial leaves it off.
        'enable_prefix_caching': False,
        'speculative_config': dict(speculative_config) if speculative_config else None,
        'compilation_config': dict(TUTORIAL_COMPILATION_CONFIG),
        'additional_config': dict(TUTORIAL_ADDITIONAL_CONFIG),
        'async_scheduling': True,
    }  # type: Dict[str, Any]
    return {'env': env, 'options': options}
