# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark filters are registered under their names and refuse wrong input naming themselves."""

from __future__ import annotations

import base64

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter import bench_argv, bench_rows, bench_targets, slow_replicas
from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import serving_layout

NODE = {'inventory_hostname': 'a2-0',
        'ascend_serving_layout': serving_layout({'node_type': 'atlas_800_a2', 'model': 'qwen3.6-27b-w8a8'})}
TARGET = {'name': 'a2-0-vllm-qwen3.6-r0', 'kind': 'replica', 'node': 'a2-0', 'replica': 'vllm-qwen3.6-r0', 'model': 'qwen3.6',
          'url': 'http://a2-0:8000', 'tokenizer': '/srv/tok'}


@pytest.mark.parametrize('module, name', [(bench_targets, 'bench_targets'), (bench_argv, 'bench_argv'),
                                          (bench_rows, 'bench_rows'), (slow_replicas, 'slow_replicas')])
def test_each_filter_is_registered_under_its_name(module, name):
    assert list(module.FilterModule().filters()) == [name]


def test_bench_targets_refuses_naming_the_filter_and_the_variable():
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.bench_targets: .*vllm_bench_tokenizer'):
        bench_targets.bench_targets([NODE], client='localhost')
    assert len(bench_targets.bench_targets([NODE], tokenizer='/srv/tok')['targets']) == 4


def test_bench_argv_refuses_a_wrong_setting_naming_the_filter_and_the_setting():
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.bench_argv: request_rate'):
        bench_argv.bench_argv(TARGET, {'request_rate': -1})
    assert bench_argv.bench_argv(TARGET)[1:3] == ['bench', 'serve']


def test_bench_rows_reads_slurped_results():
    content = base64.b64encode(b'{"completed": 3, "failed": 0, "duration": 3.1, "request_throughput": 0.97, '
                               b'"output_throughput": 124.2}').decode('ascii')
    rows = bench_rows.bench_rows([{'item': TARGET, 'content': content}])
    assert (rows[0]['completed'], rows[0]['out tok/s']) == (3, 124.2)


def test_slow_replicas_refuses_a_fraction_out_of_range_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.slow_replicas: vllm_bench_slow_fraction'):
        slow_replicas.slow_replicas([], 0, {})
