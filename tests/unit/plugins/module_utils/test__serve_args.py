# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _serve_args
from ansible_collections.ascend_ops.vllm.plugins.module_utils._serve_args import (
    MULTI_VALUE_FLAGS,
    STORE_TRUE_ONLY_FLAGS,
    TUTORIAL_ENV,
    ServeArgsError,
    release_serve_options,
    serve_argv,
    tutorial_serve_config,
)

MTP = {'method': 'qwen3_5_mtp', 'num_speculative_tokens': 3, 'enforce_eager': True}


def _tutorial(**overrides):
    settings = dict(model='Eco-Tech/Qwen3.5-27B-w8a8-mtp', served_model_name='qwen3.5', tensor_parallel_size=2, port=8001,
                    hccl_base_port=60100, vllm_port=20100, max_model_len=133000, quantization='ascend', speculative_config=MTP)
    settings.update(overrides)
    return tutorial_serve_config(**settings)


def _flags(argv):
    return [argument.split('=', 1)[0] for argument in argv if argument.startswith('--')]


def test_argv_starts_with_serve_and_the_model():
    assert serve_argv({'model': 'Qwen/Qwen3.5-27B'}) == ['serve', 'Qwen/Qwen3.5-27B']
    assert serve_argv({'port': 8000, 'model': '/models/qwen'})[:2] == ['serve', '/models/qwen']


def test_flags_are_dashed_and_alphabetical_whatever_the_input_order():
    options = {'model': 'm', 'tensor_parallel_size': 2, 'max-model-len': 1024, 'host': '0.0.0.0', 'max_num_seqs': 4}
    argv = serve_argv(options)
    assert argv == ['serve', 'm', '--host', '0.0.0.0', '--max-model-len', '1024', '--max-num-seqs', '4',
                    '--tensor-parallel-size', '2']
    assert serve_argv(dict(reversed(list(options.items())))) == argv


def test_booleans_none_and_store_true_only_flags():
    argv = serve_argv({'model': 'm', 'trust_remote_code': True, 'enable_prefix_caching': False, 'quantization': None,
                       'headless': False, 'async_scheduling': True})
    assert argv == ['serve', 'm', '--async-scheduling', '--no-enable-prefix-caching', '--trust-remote-code']
    assert serve_argv({'model': 'm', 'headless': True}) == ['serve', 'm', '--headless']
    assert serve_argv({'model': 'm', 'disable_log_stats': False}) == ['serve', 'm']


def test_dicts_and_lists_are_compact_sorted_json():
    argv = serve_argv({'model': 'm', 'speculative_config': MTP, 'compilation_config': {'cudagraph_mode': 'FULL_DECODE_ONLY'},
                       'allowed_origins': ['*']})
    assert argv == ['serve', 'm',
                    '--allowed-origins', '["*"]',
                    '--compilation-config', '{"cudagraph_mode":"FULL_DECODE_ONLY"}',
                    '--speculative-config', '{"enforce_eager":true,"method":"qwen3_5_mtp","num_speculative_tokens":3}']
    assert json.loads(argv[-1]) == MTP


def test_multi_value_flags_get_one_argument_per_item():
    assert serve_argv({'model': 'm', 'served_model_name': ['qwen3.5', 'qwen']}) == \
        ['serve', 'm', '--served-model-name', 'qwen3.5', 'qwen']
    assert serve_argv({'model': 'm', 'served_model_name': 'qwen3.5'}) == ['serve', 'm', '--served-model-name', 'qwen3.5']
    assert serve_argv({'model': 'm', 'cudagraph_capture_sizes': [8, 16]}) == ['serve', 'm', '--cudagraph-capture-sizes', '8', '16']


def test_numbers_render_exactly():
    argv = serve_argv({'model': 'm', 'gpu_memory_utilization': 0.9, 'seed': 1024, 'swap_space': 0})
    assert argv == ['serve', 'm', '--gpu-memory-utilization', '0.9', '--seed', '1024', '--swap-space', '0']


def test_values_that_look_like_flags_are_attached():
    assert serve_argv({'model': 'm', 'seed': -1, 'chat_template': '--x'}) == ['serve', 'm', '--chat-template=--x', '--seed=-1']


@pytest.mark.parametrize('options, setting', [
    ({}, 'model'),
    ({'model': ''}, 'model'),
    ({'model': '--help'}, 'model'),
    ({'model': 'm', '--port': 1}, '--port'),
    ({'model': 'm', 'Port': 1}, 'Port'),
    ({'model': 'm', 'max model len': 1}, 'max model len'),
    ({'model': 'm', 'max_model_len': 1, 'max-model-len': 2}, 'max-model-len'),
    ({'model': 'm', 'seed': object()}, 'seed'),
    ({'model': 'm', 'gpu_memory_utilization': float('nan')}, 'gpu_memory_utilization'),
    ({'model': 'm', 'speculative_config': {'x': float('inf')}}, 'speculative_config'),
    ({'model': 'm', 'served_model_name': []}, 'served_model_name'),
    ({'model': 'm', 'served_model_name': [True]}, 'served_model_name'),
])
def test_bad_options_are_refused_by_name(options, setting):
    with pytest.raises(ServeArgsError) as caught:
        serve_argv(options)
    assert caught.value.setting == setting


def test_not_a_mapping_is_refused():
    with pytest.raises(ServeArgsError, match='expected a dictionary'):
        serve_argv(['serve', 'm'])


def test_tutorial_config_has_the_tutorial_env_and_replica_ports():
    config = _tutorial()
    env = config['env']
    for name, value in {'VLLM_USE_MODELSCOPE': 'True', 'PYTORCH_NPU_ALLOC_CONF': 'expandable_segments:True',
                        'HCCL_BUFFSIZE': '512', 'OMP_PROC_BIND': 'false', 'OMP_NUM_THREADS': '1',
                        'TASK_QUEUE_ENABLE': '1'}.items():
        assert env[name] == value
    assert env['HCCL_IF_BASE_PORT'] == '60100'
    assert env['VLLM_PORT'] == '20100'
    assert 'ASCEND_RT_VISIBLE_DEVICES' not in env
    assert all(isinstance(value, str) for value in env.values())
    assert 'HCCL_IF_BASE_PORT' not in TUTORIAL_ENV


def test_tutorial_argv_has_exactly_the_tutorial_flags():
    argv = serve_argv(_tutorial()['options'])
    assert argv[:2] == ['serve', 'Eco-Tech/Qwen3.5-27B-w8a8-mtp']
    assert _flags(argv) == sorted([
        '--host', '--port', '--data-parallel-size', '--tensor-parallel-size', '--seed', '--quantization',
        '--served-model-name', '--max-num-seqs', '--max-model-len', '--max-num-batched-tokens', '--trust-remote-code',
        '--gpu-memory-utilization', '--no-enable-prefix-caching', '--speculative-config', '--compilation-config',
        '--additional-config', '--async-scheduling'], key=lambda flag: flag.replace('--no-', '--'))
    pairs = dict(zip(argv, argv[1:]))
    assert pairs['--port'] == '8001'
    assert pairs['--tensor-parallel-size'] == '2'
    assert pairs['--quantization'] == 'ascend'
    assert pairs['--max-num-batched-tokens'] == '16384'
    assert pairs['--additional-config'] == '{"enable_cpu_binding":true}'


def test_bf16_has_no_quantization_flag():
    argv = serve_argv(_tutorial(model='Qwen/Qwen3.5-27B', quantization=None)['options'])
    assert '--quantization' not in argv


def test_argv_survives_shell_quoting():
    argv = serve_argv(_tutorial(model="/models/it's here")['options'])
    assert shlex.split(' '.join(shlex.quote(argument) for argument in argv)) == argv


def test_serve_args_module_imports_without_ansible():
    # The vLLM parser check loads this file on its own, where Ansible may be absent.
    script = (
        'import importlib.util, sys\n'
        'sys.modules["ansible"] = None\n'
        'sys.modules["ansible_collections"] = None\n'
        'spec = importlib.util.spec_from_file_location("serve_args", sys.argv[1])\n'
        'module = importlib.util.module_from_spec(spec)\n'
        'spec.loader.exec_module(module)\n'
        'print(module.serve_argv({"model": "m", "seed": 1}))\n'
    )
    result = subprocess.run([sys.executable, '-c', script, os.path.abspath(_serve_args.__file__)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['serve', 'm', '--seed', '1']"


# The test bed generates these specs from the real vLLM argument parser
# (tests/testbed/vllm-parser); the real parse of the argv runs there too.
FLAG_SPECS = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'testbed', 'images', 'vllm-ascend', 'flags')


def _serve_spec(version):
    with open(os.path.join(FLAG_SPECS, 'vllm-%s.json' % version)) as spec_file:
        spec = json.load(spec_file)['serve']
    return dict((flag, option) for option in spec['options'] for flag in option['option_strings'])


def _dests(options, keep):
    return set(option['dest'] for option in options if keep(option))


def test_flag_classes_match_the_vllm_parsers():
    multi_value, store_true_only = set(), set()
    for version in ('0.17.0', '0.18.0'):
        options = list(_serve_spec(version).values())
        multi_value |= _dests(options, lambda option: option['nargs'] in ('+', '*'))
        store_true_only |= _dests(options, lambda option: option['action'] == 'store_true')
    assert set(MULTI_VALUE_FLAGS) == multi_value
    assert set(STORE_TRUE_ONLY_FLAGS) == store_true_only


@pytest.mark.parametrize('version', ['0.17.0', '0.18.0'])
@pytest.mark.parametrize('quantization', ['ascend', None])
def test_every_tutorial_flag_is_a_full_flag_of_the_vllm_parser(version, quantization):
    spec = _serve_spec(version)
    argv = serve_argv(_tutorial(quantization=quantization)['options'])
    for flag in _flags(argv):
        assert flag in spec, flag
        option = spec[flag]
        if flag.startswith('--no-'):
            assert option['action'] == 'boolean_optional'
        takes_value = argv[argv.index(flag) + 1] if option['takes_value'] else None
        assert takes_value is None or not takes_value.startswith('--'), flag


@pytest.mark.parametrize('version, expected', [
    ('v0.17.0rc1', {}),
    ('v0.18.0rc1', {'shutdown_timeout': 25}),
    ('v0.18.0', {'shutdown_timeout': 25}),
    ('v0.19.0rc1', {'shutdown_timeout': 25}),
    ('v1.0.0', {'shutdown_timeout': 25}),
    (None, {}),
])
def test_shutdown_timeout_only_from_the_release_that_has_it(version, expected):
    assert release_serve_options(version, 25) == expected


def test_no_shutdown_timeout_asked_renders_none():
    assert release_serve_options('v0.18.0rc1', None) == {}


@pytest.mark.parametrize('version, flag_present', [('0.17.0', False), ('0.18.0', True)])
def test_shutdown_timeout_matches_each_release_parser(version, flag_present):
    # The rule's cut-over is where the real parser gained the flag.
    assert ('--shutdown-timeout' in _serve_spec(version)) is flag_present
    tag = 'v%src1' % version
    argv = serve_argv(dict(_tutorial()['options'], **release_serve_options(tag, 30)))
    for flag in _flags(argv):
        assert flag in _serve_spec(version), flag
    assert ('--shutdown-timeout' in argv) is flag_present


@pytest.mark.parametrize('timeout', [-1, True, '30', 1.5])
def test_a_bad_shutdown_timeout_is_refused_by_name(timeout):
    with pytest.raises(ServeArgsError, match='^shutdown_timeout: must be a whole number'):
        release_serve_options('v0.18.0rc1', timeout)
