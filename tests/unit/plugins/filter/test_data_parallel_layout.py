# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter.data_parallel_layout import FilterModule

data_parallel_layout = FilterModule().filters()['data_parallel_layout']

NODES = [{'name': 'n0', 'address': '10.1.0.1', 'interface': 'eth0', 'local_ranks': 4, 'tensor_parallel_size': 2},
         {'name': 'n1', 'address': '10.1.0.2', 'interface': 'eth0', 'local_ranks': 4, 'tensor_parallel_size': 2}]


def test_the_filter_is_registered_under_its_name():
    assert list(FilterModule().filters()) == ['data_parallel_layout']


def test_the_filter_returns_the_group_with_the_rpc_port_given():
    group = data_parallel_layout(NODES, rpc_port=14000)
    assert group['size'] == 8
    assert group['nodes'][1]['serve_options']['data_parallel_rpc_port'] == 14000
    assert data_parallel_layout(NODES)['rpc_port'] == 13389


def test_refusals_become_filter_errors_naming_filter_and_setting():
    with pytest.raises(AnsibleFilterError) as caught:
        data_parallel_layout(NODES[:1])
    assert str(caught.value).startswith('ascend_ops.vllm.data_parallel_layout: _input: a data-parallel group needs at least two nodes')
