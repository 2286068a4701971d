# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hccl_* filters: registered under their names, wrapping _hccl, refusing with the filter's name."""

from __future__ import annotations

import importlib

import pytest

from ansible.errors import AnsibleFilterError

NAMES = ['hccl_address_clashes', 'hccl_last_run', 'hccl_pending_settings', 'hccl_ping_outcomes', 'hccl_ping_pairs',
         'hccl_ping_targets', 'hccl_problems', 'hccl_report', 'hccl_rows', 'hccl_shared_addresses']


def hccl_filter(name):
    module = importlib.import_module('ansible_collections.ascend_ops.vllm.plugins.filter.%s' % name)
    return module.FilterModule().filters()[name]


def _npus(prefix, count):
    return [{'id': npu, 'ip': {'address': '%s.%d' % (prefix, npu + 1), 'netmask': '255.255.0.0'}, 'link': 'UP', 'ping': []}
            for npu in range(count)]


@pytest.mark.parametrize('name', NAMES)
def test_each_filter_is_registered_under_its_file_name_and_documented(name):
    module = importlib.import_module('ansible_collections.ascend_ops.vllm.plugins.filter.%s' % name)
    assert list(module.FilterModule().filters()) == [name]
    assert 'name: %s\n' % name in module.DOCUMENTATION and module.EXAMPLES.strip() and module.RETURN.strip()


def test_the_ping_filters_plan_ping_and_record_a_ring():
    answers = {'a': _npus('10.0.1', 2), 'b': _npus('10.0.2', 2), 'c': None}
    pairs = hccl_filter('hccl_ping_pairs')(answers, node='b')
    assert [(pair['npu'], pair['peer'], pair['address']) for pair in pairs] == [(0, 'a', '10.0.1.1'), (1, 'a', '10.0.1.2')]
    assert hccl_filter('hccl_ping_targets')(pairs) == {'0': ['10.0.1.1'], '1': ['10.0.1.2']}
    answered = [{'id': 0, 'ping': [{'target': '10.0.1.1', 'transmitted': 3, 'received': 3}]},
                {'id': 1, 'ping': [{'target': '10.0.1.2', 'transmitted': 3, 'received': 0}]}]
    outcomes = hccl_filter('hccl_ping_outcomes')(pairs, answers=answered)
    assert [pair['ok'] for pair in outcomes] == [True, False]
    assert hccl_filter('hccl_ping_outcomes')([]) == []


@pytest.mark.parametrize('name, args, kwargs, message', [
    ('hccl_ping_pairs', ({'a': []},), {'node': 'a', 'pattern': 'star'}, "pattern: expected one of ring, all_pairs, got 'star'"),
    ('hccl_ping_pairs', ({'a': None},), {'node': 'a'}, 'a has no NPU results'),
    ('hccl_ping_pairs', ({'a': [{'id': 'zero'}], 'b': []},), {'node': 'a'}, 'a: expected hccn_check NPU results'),
    ('hccl_ping_targets', ([{'address': '10.0.0.1'}],), {}, 'expected pairs from ascend_ops.vllm.hccl_ping_pairs'),
    ('hccl_ping_outcomes', ([{'npu': 0, 'address': 'x'}],), {'answers': ['junk']}, 'answers: expected hccn_check NPU results'),
    ('hccl_address_clashes', ({'a': '10.0.0.1'},), {}, 'a: hccl_check_npu_addresses must be a list'),
    ('hccl_shared_addresses', ({'a': [{'ip': {'address': '10.0.0.1'}}]},), {}, 'a: expected hccn_check NPU results'),
    ('hccl_pending_settings', ([{'id': None}],), {'addresses': [], 'netmask': '255.0.0.0'}, 'current: expected hccn_check'),
    ('hccl_problems', ({'npus': []},), {'node': 'a', 'checks': [], 'npu_count': 'eight', 'node_type': 't'}, 'invalid literal'),
    ('hccl_rows', ([{'id': 0}],), {'node': 'a', 'checks': [], 'problems': [{'npu': 0}]}, "'check'"),
    ('hccl_report', (['a'], 'hostvars'), {}, 'hostvars must be the variables of every host'),
    ('hccl_last_run', (['a'], None), {}, 'hostvars must be the variables of every host'),
])
def test_refusals_are_filter_errors_naming_the_filter(name, args, kwargs, message):
    with pytest.raises(AnsibleFilterError) as caught:
        hccl_filter(name)(*args, **kwargs)
    assert str(caught.value).startswith('ascend_ops.vllm.%s: ' % name)
    assert message in str(caught.value)


def test_the_verdict_filters_judge_and_tabulate_a_node():
    probe = {'npus': _npus('10.0.1', 1), 'problems': [], 'healthy': True}
    shared = hccl_filter('hccl_shared_addresses')({'a': probe['npus'], 'b': _npus('10.0.1', 1)})
    pairs = [{'npu': 0, 'peer': 'b', 'peer_npu': 0, 'address': '10.0.1.1', 'transmitted': 3, 'received': 3, 'error': None, 'ok': True}]
    found = hccl_filter('hccl_problems')(probe, node='a', checks=['link', 'ip'], npu_count='2', node_type='atlas_800_a2',
                                         shared_addresses=shared, pairs=pairs)
    assert [problem['message'] for problem in found] == [
        'a NPU 1 device: saw no /dev/davinci1, expected the 2 NPUs of atlas_800_a2',
        'a NPU 0 ip: saw 10.0.1.1 also on b NPU 0, expected an address no other NPU has']
    table = hccl_filter('hccl_rows')(probe['npus'], node='a', checks=['link', 'ip'], problems=found, pairs=pairs)
    assert [(row['npu'], row['ping'], row['status']) for row in table] == [(0, '1/1 ok', 'ip'), (1, '-', 'device')]
    assert hccl_filter('hccl_address_clashes')({'a': ['10.0.0.1'], 'b': ['10.0.0.1']})[0]['summary'] == '10.0.0.1 (a NPU 0, b NPU 0)'


def test_pending_settings_filter_takes_empty_optional_settings_as_unset():
    current = [{'id': 0, 'ip': None, 'netdetect': None, 'gateway': None}]
    pending = hccl_filter('hccl_pending_settings')(current, addresses=['10.0.0.1'], netmask='255.255.0.0', netdetect=None, gateway='')
    assert [change['setting'] for change in pending] == ['ip']


def test_the_report_filters_read_the_nodes_facts_from_hostvars():
    run = {'nodes': ['a', 'b', 'ghost'], 'checks': ['link'], 'ping_pattern': 'ring', 'ping_hops': [1],
           'started': '2026-11-25T01:56:44.000001Z'}
    hostvars = {
        'a': {'hccl_check_run': run, 'hccl_check_rows': [{'node': 'a', 'npu': 0, 'status': 'ok'}], 'hccl_check_problems': [],
              'hccl_check_pairs': [{'npu': 0, 'peer': 'b', 'peer_npu': 0, 'ok': True}]},
        'b': {'hccl_check_run': run, 'hccl_check_rows': None, 'hccl_check_problems': None},
        'old': {'hccl_check_run': dict(run, nodes=['old'], started='2026-11-24T00:00:00.000000Z')},
        'localhost': {},
    }
    last = hccl_filter('hccl_last_run')(['a', 'b', 'old', 'localhost', 'ghost'], hostvars)
    assert last == run
    assert hccl_filter('hccl_last_run')(['localhost'], hostvars) is None
    result = hccl_filter('hccl_report')(last['nodes'], hostvars, run=last)
    assert result['data']['nodes_without_result'] == ['b', 'ghost']
    assert result['data']['pairs_per_node'] == {'a': 1} and result['pairs'][0]['node'] == 'a'
    assert [problem['message'][:13] for problem in result['problems']] == ['b: no result ', 'ghost: no res']
    assert (result['data']['checks'], result['data']['ping_hops']) == (['link'], [1])
    assert hccl_filter('hccl_report')('a', hostvars)['data']['checks'] == 'unknown'
