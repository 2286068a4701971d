# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter.serving_layout import FilterModule

serving_layout = FilterModule().filters()['serving_layout']


def test_the_filter_is_registered_under_its_name():
    assert list(FilterModule().filters()) == ['serving_layout']


def test_the_filter_returns_the_plan():
    plan = serving_layout({'node_type': 'atlas_800_a3', 'model': 'qwen3.5-27b-w8a8'})
    assert plan['tensor_parallel_size'] == 2
    assert len(plan['replicas']) == 8


def test_refusals_become_filter_errors_naming_filter_and_setting():
    with pytest.raises(AnsibleFilterError) as caught:
        serving_layout({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'max_model_len': 300000})
    assert str(caught.value).startswith('ascend_ops.vllm.serving_layout: max_model_len: ')
    assert 'use 262144 or less' in str(caught.value)


def test_catalog_errors_become_filter_errors():
    with pytest.raises(AnsibleFilterError, match='catalog.node_types.big.npus'):
        serving_layout({'node_type': 'big', 'model': 'qwen3.5-27b', 'catalog': {'node_types': {'big': {'hbm_gib': 64}}}})
