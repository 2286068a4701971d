# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._data_parallel import (
    DataParallelError,
    data_parallel_layout,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import serving_layout
from ansible_collections.ascend_ops.vllm.plugins.module_utils._serve_args import serve_argv


def _node(name, ranks=4, tp=2, address=None, interface='eth0', **more):
    node = {'name': name, 'local_ranks': ranks, 'tensor_parallel_size': tp, 'interface': interface,
            'address': '192.168.1.%d' % (10 + int(name[-1])) if address is None else address}
    node.update(more)
    return node


def _refusal(nodes, **options):
    with pytest.raises(DataParallelError) as caught:
        data_parallel_layout(nodes, **options)
    return caught.value


def test_two_nodes_of_four_ranks_form_a_group_of_eight():
    group = data_parallel_layout([_node('node0'), _node('node1')])
    assert (group['size'], group['head'], group['address'], group['rpc_port']) == (8, 'node0', '192.168.1.10', 13389)
    head, other = group['nodes']
    assert head['serve_options'] == {'data_parallel_size': 8, 'data_parallel_size_local': 4, 'data_parallel_rpc_port': 13389,
                                     'data_parallel_address': '192.168.1.10'}
    assert other['serve_options'] == {'data_parallel_size': 8, 'data_parallel_size_local': 4, 'data_parallel_rpc_port': 13389,
                                      'data_parallel_address': '192.168.1.10', 'headless': True, 'data_parallel_start_rank': 4}
    assert (head['role'], head['start_rank'], head['last_rank']) == ('head', 0, 3)
    assert (other['role'], other['start_rank'], other['last_rank']) == ('headless', 4, 7)
    assert other['description'] == 'headless ranks 4-7 of 8'


def test_every_node_gets_its_own_address_and_interface():
    group = data_parallel_layout([_node('node0', interface='bond0'), _node('node1', interface='enp3s0')])
    assert group['nodes'][1]['env'] == {'HCCL_IF_IP': '192.168.1.11', 'GLOO_SOCKET_IFNAME': 'enp3s0',
                                        'TP_SOCKET_IFNAME': 'enp3s0', 'HCCL_SOCKET_IFNAME': 'enp3s0'}
    assert group['nodes'][0]['env']['HCCL_IF_IP'] == '192.168.1.10'
    assert group['nodes'][0]['env']['HCCL_SOCKET_IFNAME'] == 'bond0'


def test_start_ranks_count_the_ranks_of_every_node_before():
    group = data_parallel_layout([_node('node0', ranks=8), _node('node1', ranks=3), _node('node2', ranks=5)])
    assert group['size'] == 16
    assert [node['start_rank'] for node in group['nodes']] == [0, 8, 11]
    assert [node['serve_options'].get('data_parallel_start_rank') for node in group['nodes']] == [None, 8, 11]
    assert [node['serve_options']['data_parallel_size_local'] for node in group['nodes']] == [8, 3, 5]
    assert [node['serve_options'].get('headless', False) for node in group['nodes']] == [False, True, True]


def test_the_rpc_port_is_the_same_everywhere():
    group = data_parallel_layout([_node('node0'), _node('node1'), _node('node2')], rpc_port='14000')
    assert {node['serve_options']['data_parallel_rpc_port'] for node in group['nodes']} == {14000}


def test_the_options_render_with_the_serve_argv_rules():
    group = data_parallel_layout([_node('node0'), _node('node1')])
    argv = serve_argv(dict(group['nodes'][1]['serve_options'], model='/srv/models/m'))
    assert argv == ['serve', '/srv/models/m', '--data-parallel-address', '192.168.1.10', '--data-parallel-rpc-port', '13389',
                    '--data-parallel-size', '8', '--data-parallel-size-local', '4', '--data-parallel-start-rank', '4', '--headless']


def test_local_ranks_tp_model_and_ports_come_from_the_serving_plans():
    a2 = serving_layout({'node_type': 'atlas_800_a2', 'model': 'qwen3.6-27b-w8a8'})
    a3 = serving_layout({'node_type': 'atlas_800_a3', 'model': 'qwen3.6-27b-w8a8'})
    group = data_parallel_layout([{'name': 'a2', 'address': '10.0.0.1', 'interface': 'eth0', 'layout': a2},
                                  {'name': 'a3', 'address': '10.0.0.2', 'interface': 'eth0', 'layout': a3}])
    assert (group['size'], group['tensor_parallel_size'], group['model']) == (12, 2, 'qwen3.6-27b-w8a8')
    assert group['nodes'][1]['serve_options']['data_parallel_start_rank'] == 4


def test_without_addresses_the_group_is_still_checked():
    group = data_parallel_layout([_node('node0', address='', interface=None), _node('node1', address='', interface=None)])
    assert group['address'] is None
    assert 'data_parallel_address' not in group['nodes'][1]['serve_options']
    assert group['nodes'][1]['env'] == {}
    assert _refusal([_node('node0', address='', tp=2), _node('node1', address='', tp=4)]).setting == 'tensor_parallel_size'


def test_ipv6_addresses_are_kept_in_canonical_form():
    group = data_parallel_layout([_node('node0', address='fd00:0::1'), _node('node1', address='fd00::2')])
    assert group['address'] == 'fd00::1'


def test_differing_tensor_parallel_sizes_are_refused_naming_every_node():
    error = _refusal([_node('node0', tp=2), _node('node1', tp=4)])
    assert error.setting == 'tensor_parallel_size'
    assert 'node0 2, node1 4' in str(error)
    assert 'vllm_serve_tensor_parallel_size' in str(error)


def test_differing_models_are_refused():
    error = _refusal([_node('node0', model='qwen3.6-27b-w8a8'), _node('node1', model='qwen3.5-27b')])
    assert error.setting == 'model'
    assert 'node0 qwen3.6-27b-w8a8, node1 qwen3.5-27b' in str(error)


@pytest.mark.parametrize('nodes', [[], [{'name': 'node0', 'local_ranks': 4, 'tensor_parallel_size': 2}]])
def test_a_group_of_fewer_than_two_nodes_is_refused(nodes):
    error = _refusal(nodes)
    assert 'at least two nodes, got %d' % len(nodes) in str(error)


def test_a_node_without_ranks_is_refused_naming_it():
    error = _refusal([_node('node0'), _node('node1', ranks=0)])
    assert error.setting == 'node1.local_ranks'
    assert 'no data-parallel rank' in str(error)


def test_an_empty_plan_counts_as_no_ranks():
    error = _refusal([_node('node0'), {'name': 'node1', 'address': '10.0.0.2', 'layout': {'replicas': [], 'tensor_parallel_size': 2}}])
    assert error.setting == 'node1.local_ranks'


@pytest.mark.parametrize('rpc_port, what', [
    (8001, 'the API port of replica r1 on node1 (8001-8001)'),
    (60110, 'the HCCL ports of replica r1 on node1 (60100-60131)'),
    (20250, 'the VLLM_PORT range of replica r2 on node1 (20200-20299)'),
])
def test_an_rpc_port_on_a_planned_port_is_refused(rpc_port, what):
    plan = serving_layout({'node_type': 'atlas_800_a2', 'model': 'qwen3.6-27b-w8a8'})
    nodes = [_node('node0', reserved_ports=[{'first': 9000, 'what': 'a port'}]),
             {'name': 'node1', 'address': '10.0.0.2', 'interface': 'eth0', 'layout': plan}]
    error = _refusal(nodes, rpc_port=rpc_port)
    assert error.setting == 'rpc_port'
    assert ('%d is among %s' % (rpc_port, what)) in str(error)
    assert _refusal(nodes, rpc_port=9000).setting == 'rpc_port'
    assert data_parallel_layout(nodes, rpc_port=13389)['rpc_port'] == 13389


@pytest.mark.parametrize('rpc_port', [0, 70000, 'x', True])
def test_an_rpc_port_out_of_range_is_refused(rpc_port):
    assert _refusal([_node('node0'), _node('node1')], rpc_port=rpc_port).setting == 'rpc_port'


@pytest.mark.parametrize('change, setting', [
    ({'address': 'node-1.example'}, 'node1.address'),
    ({'interface': 'eth 0'}, 'node1.interface'),
    ({'interface': 'averyveryverylongname'}, 'node1.interface'),
    ({'ranks_per_node': 4}, 'node1.ranks_per_node'),
    ({'local_ranks': 'four'}, 'node1.local_ranks'),
])
def test_bad_node_entries_are_refused_naming_node_and_key(change, setting):
    assert _refusal([_node('node0'), dict(_node('node1'), **change)]).setting == setting


def test_a_node_listed_twice_is_refused():
    assert 'node1 is listed more than once' in str(_refusal([_node('node0'), _node('node1'), _node('node1')]))


@pytest.mark.parametrize('nodes', ['node0,node1', [None, None], [{'local_ranks': 4}, {'local_ranks': 4}]])
def test_input_that_is_not_a_list_of_nodes_is_refused(nodes):
    _refusal(nodes)


def test_the_group_spaces_ports_as_the_serving_plan_does():
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _data_parallel, _layout
    assert _data_parallel.HCCL_PORTS_PER_BASE == _layout.HCCL_PORTS_PER_BASE == 32
    assert _data_parallel.VLLM_PORTS_PER_BASE == _layout.PORT_STRIDE
