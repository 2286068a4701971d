# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter.catalog import FilterModule
from ansible_collections.ascend_ops.vllm.plugins.filter.serving_layout import FilterModule as LayoutFilterModule

catalog = FilterModule().filters()['catalog']
serving_layout = LayoutFilterModule().filters()['serving_layout']


def test_the_filter_is_registered_under_its_name():
    assert list(FilterModule().filters()) == ['catalog']


def test_the_filter_answers_what_the_roles_ask():
    answer = catalog('atlas_800_a3', model='qwen3.6-27b-w8a8', vllm_ascend_version='v0.18.0rc1', weights_dir='/data/models',
                     extra={'node_types': {}, 'models': {}})
    assert answer['npus'] == 16
    assert answer['image'] == 'quay.io/ascend/vllm-ascend:v0.18.0rc1-a3'
    assert answer['model_path'] == '/data/models/Eco-Tech/Qwen3.6-27B-w8a8'
    assert answer['weight_bytes'] == 30 * 10 ** 9


@pytest.mark.parametrize('node_type, model', [('atlas_800_a2', 'qwen3.5-27b'), ('atlas_800_a3', 'qwen3.6-27b-w8a8')])
def test_the_filter_and_the_plan_read_the_same_catalog(node_type, model):
    answer = catalog(node_type, model=model, vllm_ascend_version='v0.18.0rc1')
    plan = serving_layout({'node_type': node_type, 'model': model, 'vllm_ascend_version': 'v0.18.0rc1'})
    assert answer['npus'] == len(plan['npus_used']) + len(plan['unused_npus'])
    for field in ('weight_repository', 'served_model_name', 'min_vllm_ascend_version', 'image_tag', 'image_suffix',
                  'quantization', 'max_model_len'):
        assert answer[field] == plan[field] or (field == 'max_model_len' and plan[field] == answer['default_max_model_len'])


@pytest.mark.parametrize('node_type, kwargs, fragment', [
    ('atlas_900', {}, 'node_type: unknown node type'),
    ('atlas_800_a2', {'model': 'qwen3.6-27b', 'vllm_ascend_version': 'v0.17.0rc1'},
     'vllm_ascend_version: v0.17.0rc1 is too old for qwen3.6-27b; use v0.18.0rc1 or newer'),
    ('atlas_800_a2', {'extra': {'gpus': {}}}, 'catalog.gpus: unknown key'),
])
def test_errors_name_the_filter_and_the_setting(node_type, kwargs, fragment):
    with pytest.raises(AnsibleFilterError) as caught:
        catalog(node_type, **kwargs)
    assert str(caught.value).startswith('ascend_ops.vllm.catalog: ')
    assert fragment in str(caught.value)
