# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter.serving_layout import FilterModule as LayoutFilters
from ansible_collections.ascend_ops.vllm.plugins.filter.vllm_serve_args import FilterModule

vllm_serve_args = FilterModule().filters()['vllm_serve_args']


def test_the_filter_is_registered_under_its_name():
    assert list(FilterModule().filters()) == ['vllm_serve_args']


def test_the_plan_options_render_to_argv():
    plan = LayoutFilters().filters()['serving_layout']({'node_type': 'atlas_800_a2', 'model': 'qwen3.6-27b-w8a8'})
    argv = vllm_serve_args(plan['replicas'][3]['serve_options'])
    assert argv[:2] == ['serve', 'Eco-Tech/Qwen3.6-27B-w8a8']
    pairs = dict(zip(argv, argv[1:]))
    assert pairs['--port'] == '8003'
    assert pairs['--served-model-name'] == 'qwen3.6'
    assert pairs['--speculative-config'] == '{"enforce_eager":true,"method":"qwen3_5_mtp","num_speculative_tokens":3}'


def test_errors_name_the_filter_and_the_option():
    with pytest.raises(AnsibleFilterError) as caught:
        vllm_serve_args({'model': 'm', '--port': 8000})
    assert str(caught.value).startswith('ascend_ops.vllm.vllm_serve_args: --port: ')
    with pytest.raises(AnsibleFilterError, match='model: required'):
        vllm_serve_args({'port': 8000})
