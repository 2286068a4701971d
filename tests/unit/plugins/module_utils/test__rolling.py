# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Node batches, replacement steps with the capacity they take away, drain and gate verdicts, report rows."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._replacement import replacement_plan
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import (
    RollingError, current_replicas, step_drain, drain_verdict, gate_verdict, gate_verdicts, node_batches, report_rows, requests_running,
    router_targets, rolling_steps)

# What the stand-in's and vLLM 0.18's /metrics print for one engine (trimmed).
METRICS = """# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="qwen3.5"} 3.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="qwen3.5"} 1.0
"""


def running(index, npus, config_hash='old', port=None, model='qwen3.5'):
    return {'Id': 'c%d' % index, 'Names': ['/vllm-%s-r%d' % (model, index)],
            'Labels': {'ascend_ops.vllm.replica': str(index), 'ascend_ops.vllm.npus': ','.join(map(str, npus)),
                       'ascend_ops.vllm.port': 'none' if port == 'none' else str(8000 + index if port is None else port),
                       'ascend_ops.vllm.config_hash': config_hash}}


def unit(index, npus, config_hash='new', api=True, model='qwen3.5'):
    return {'name': 'vllm-%s-r%d' % (model, index), 'npus': npus, 'port': 8000 + index if api else None,
            'api': api, 'config_hash': config_hash}


def steps_for(existing, units, **kwargs):
    return rolling_steps(replacement_plan(existing, units), existing, units, **kwargs)


# --- node batches ---

def test_one_node_at_a_time_by_default():
    assert node_batches(['a', 'b', 'c'])['batches'] == [['a'], ['b'], ['c']]


def test_serial_two_leaves_a_short_last_batch():
    plan = node_batches(['a', 'b', 'c'], 2)
    assert plan['batches'] == [['a', 'b'], ['c']]
    assert plan['sizes'] == [2, 1]


def test_a_data_parallel_group_is_one_batch_whatever_serial_says():
    plan = node_batches(['a', 'dp0', 'b', 'dp1', 'c'], 1, {'dp0': 'dp_qwen', 'dp1': 'dp_qwen', 'a': ''})
    assert plan['batches'] == [['a'], ['dp0', 'dp1'], ['b'], ['c']]
    assert plan['order'] == ['a', 'dp0', 'dp1', 'b', 'c']
    assert plan['sizes'] == [1, 2, 1, 1]
    assert plan['members'] == [['a', 0], ['dp0', 1], ['dp1', 1], ['b', 2], ['c', 3]]


def test_a_data_parallel_group_breaks_a_partial_batch_of_plain_nodes():
    plan = node_batches(['a', 'dp0', 'dp1', 'b'], 3, {'dp0': 'g', 'dp1': 'g'})
    assert plan['batches'] == [['a'], ['dp0', 'dp1'], ['b']]


@pytest.mark.parametrize('serial', [0, -1, '1', True, 1.5])
def test_serial_must_be_a_whole_number_of_nodes(serial):
    with pytest.raises(RollingError, match='serial must be a whole number'):
        node_batches(['a'], serial)


# --- steps ---

def test_a_changed_image_replaces_each_replica_in_its_own_step():
    existing = [running(0, [0, 1, 2, 3]), running(1, [4, 5, 6, 7])]
    steps = steps_for(existing, [unit(0, [0, 1, 2, 3]), unit(1, [4, 5, 6, 7])])
    assert [(step['start'], step['replaces']) for step in steps] == [
        (['vllm-qwen3.5-r0'], ['vllm-qwen3.5-r0']), (['vllm-qwen3.5-r1'], ['vllm-qwen3.5-r1'])]
    assert [step['capacity_taken'] for step in steps] == ['1 of 2 replicas', '1 of 2 replicas']
    assert steps[0]['npus_out'] == [0, 1, 2, 3]
    assert steps[0]['old'] == [{'name': 'vllm-qwen3.5-r0', 'npus': [0, 1, 2, 3], 'port': 8000}]
    assert steps[0]['new'] == [{'name': 'vllm-qwen3.5-r0', 'npus': [0, 1, 2, 3], 'port': 8000}]


def test_tp2_to_tp4_ties_every_old_replica_the_new_ones_need_into_one_step():
    existing = [running(i, npus) for i, npus in enumerate([[0, 1], [2, 3], [4, 5], [6, 7]])]
    steps = steps_for(existing, [unit(0, [0, 1, 2, 3]), unit(1, [4, 5, 6, 7])])
    # New r0 needs old r0 and r1 (NPUs 2, 3); new r1 needs old r1 (its name and port 8001), r2 and r3:
    # old r1 is in both, so both new replicas are one step and the node is out of service for it.
    assert len(steps) == 1
    assert steps[0]['start'] == ['vllm-qwen3.5-r0', 'vllm-qwen3.5-r1']
    assert steps[0]['replaces'] == ['vllm-qwen3.5-r%d' % i for i in range(4)]
    assert steps[0]['capacity_taken'] == '4 of 4 replicas'
    assert steps[0]['npus_out'] == list(range(8))


def test_tp2_to_one_tp4_replaces_a_pair_then_removes_the_rest():
    existing = [running(i, npus) for i, npus in enumerate([[0, 1], [2, 3], [4, 5], [6, 7]])]
    steps = steps_for(existing, [unit(0, [0, 1, 2, 3])])
    assert [(step['start'], step['replaces']) for step in steps] == [
        (['vllm-qwen3.5-r0'], ['vllm-qwen3.5-r0', 'vllm-qwen3.5-r1']), ([], ['vllm-qwen3.5-r2', 'vllm-qwen3.5-r3'])]
    # The new TP4 serves before the last two TP2 replicas leave.
    assert [step['capacity_taken'] for step in steps] == ['2 of 4 replicas', '2 of 3 replicas']


def test_fewer_replicas_remove_the_unplanned_ones_in_a_last_step():
    existing = [running(0, [0, 1, 2, 3]), running(1, [4, 5, 6, 7])]
    steps = steps_for(existing, [unit(0, [0, 1, 2, 3])])
    assert [(step['start'], step['replaces']) for step in steps] == [
        (['vllm-qwen3.5-r0'], ['vllm-qwen3.5-r0']), ([], ['vllm-qwen3.5-r1'])]
    assert steps[1]['capacity_taken'] == '1 of 2 replicas'


def test_capacity_counts_what_earlier_steps_brought_back():
    existing = [running(0, [0, 1]), running(1, [2, 3]), running(2, [4, 5])]
    steps = steps_for(existing, [unit(0, [0, 1]), unit(1, [2, 3]), unit(2, [4, 5]), unit(3, [6, 7])])
    assert [step['capacity_taken'] for step in steps] == [
        '1 of 3 replicas', '1 of 3 replicas', '1 of 3 replicas', '0 of 3 replicas']
    assert steps[3]['replaces'] == []


def test_a_data_parallel_node_is_one_step():
    existing = [running(0, [0, 1, 2, 3, 4, 5, 6, 7], port='none')]
    units = [unit(0, [0, 1, 2, 3, 4, 5, 6, 7], api=False)]
    steps = steps_for(existing, units, data_parallel=True)
    assert len(steps) == 1
    assert steps[0]['new'][0]['port'] is None
    assert steps[0]['capacity_taken'] == '0 of 0 replicas'  # a headless node serves through its head


def test_unchanged_replicas_make_no_step():
    existing = [running(0, [0, 1, 2, 3], 'same'), running(1, [4, 5, 6, 7])]
    steps = steps_for(existing, [unit(0, [0, 1, 2, 3], 'same'), unit(1, [4, 5, 6, 7])])
    assert [step['start'] for step in steps] == [['vllm-qwen3.5-r1']]
    assert steps[0]['serving_before'] == 2


# --- drain ---

def test_requests_running_reads_every_engine():
    assert requests_running(METRICS) == 3.0
    two = METRICS + 'vllm:num_requests_running{engine="1",model_name="qwen3.5"} 2.0\n'
    assert requests_running(two) == 5.0


def test_requests_running_refuses_metrics_without_it():
    with pytest.raises(RollingError, match='no vllm:num_requests_running'):
        requests_running('# nothing here\n')


def poll(count):
    return {'status': 200, 'content': METRICS.replace(' 3.0', ' %.1f' % count)}


def test_a_replica_that_finished_its_requests_is_drained():
    verdict = drain_verdict([poll(3), poll(1), poll(0)], 120)
    assert verdict == {'in_flight': 3, 'drained': True, 'reason': 'drained: 3 in flight at removal finished'}


def test_a_replica_still_busy_at_the_timeout_is_not_drained():
    verdict = drain_verdict([poll(2), poll(2)], 30)
    assert verdict['drained'] is False
    assert verdict['reason'] == '2 requests still running after 30 s: stopped anyway'


def test_a_replica_that_stopped_answering_has_nothing_running():
    assert drain_verdict([poll(1), {'status': -1, 'msg': 'connection refused'}], 30)['drained'] is True


# --- gate ---

HEALTHY = {'exists': True, 'container': {'State': {'Status': 'running', 'Health': {'Status': 'healthy'}}, 'RestartCount': 0}}
ANSWER = {'status': 200, 'json': {'choices': [{'text': ' Paris.'}]}}


def test_a_healthy_replica_that_answers_passes():
    assert gate_verdict('r0', HEALTHY, {'status': 200}, ANSWER) == {'name': 'r0', 'passed': True, 'reason': 'passed'}


@pytest.mark.parametrize('container, health, answer, reason', [
    ({'exists': False}, None, None, 'the container is gone'),
    ({'exists': True, 'container': {'State': {'Status': 'exited', 'ExitCode': 1}}}, None, None,
     'the container is exited (exit code 1)'),
    ({'exists': True, 'container': {'State': {'Status': 'running'}, 'RestartCount': 2}}, None, None, 'the container restarted'),
    ({'exists': True, 'container': {'State': {'Status': 'running', 'Health': {'Status': 'starting'}}, 'RestartCount': 0}},
     None, None, 'the container is starting, not healthy, at the end of the gate'),
    (HEALTHY, {'status': -1, 'msg': 'Status code was -1 and not [200]: Request failed: <urlopen error timed out>'}, None,
     '/health answered -1: Status code was -1 and not [200]: Request failed: <urlopen error timed out>'),
    (HEALTHY, {'status': 200}, {'status': 200, 'json': {'choices': [{'text': ''}]}}, 'the completion returned no text'),
    (HEALTHY, {'status': 200}, {'status': 500}, 'the completion answered 500'),
])
def test_the_gate_names_the_first_failure(container, health, answer, reason):
    verdict = gate_verdict('r0', container, health, answer)
    assert verdict['passed'] is False
    assert verdict['reason'] == reason


def test_a_replica_whose_health_answers_but_whose_completion_times_out_is_hung():
    timed_out = {'status': -1, 'msg': 'Status code was -1 and not [200]: Request failed: <urlopen error timed out>'}
    verdict = gate_verdict('r0', HEALTHY, {'status': 200}, timed_out, 120)
    assert verdict == {'name': 'r0', 'passed': False, 'reason': 'hung: /health answers 200 but no completion came within 120 s'}
    refused = gate_verdict('r0', HEALTHY, {'status': 200}, {'status': -1, 'msg': 'Request failed: Connection refused'}, 120)
    assert refused['reason'].startswith('the completion answered -1')


# --- report ---

def test_report_rows_one_per_step_in_node_order():
    nodes = [{'inventory_hostname': 'a2-0', 'vllm_serve_rolling_steps': [
        {'index': 0, 'start': ['vllm-qwen3.5-r0'], 'replaces': ['vllm-qwen3.5-r0'], 'capacity_taken': '1 of 2 replicas',
         'in_flight': 3, 'drain': 'drained: 3 in flight at removal finished', 'result': 'replaced', 'reason': 'passed'}]},
        {'inventory_hostname': 'router'},
        {'inventory_hostname': 'a2-1', 'vllm_serve_rolling_steps': [
            {'index': 0, 'start': ['vllm-qwen3.5-r0'], 'replaces': ['vllm-qwen3.5-r0'], 'capacity_taken': '1 of 2 replicas',
             'in_flight': 0, 'drain': 'drained: nothing in flight', 'result': 'rolled back',
             'reason': 'the container is exited (exit code 1)'}]}]
    rows = report_rows(nodes)
    assert [(row['node'], row['result']) for row in rows] == [('a2-0', 'replaced'), ('a2-1', 'rolled back')]
    assert rows[1]['reason'] == 'the container is exited (exit code 1)'
    assert rows[0]['replicas'] == 'vllm-qwen3.5-r0'


def test_steps_carry_worker_urls_at_the_nodes_address():
    existing = [running(0, [0, 1, 2, 3])]
    steps = steps_for(existing, [unit(0, [0, 1, 2, 3])], address='10.0.0.11')
    assert steps[0]['old'][0]['url'] == 'http://10.0.0.11:8000'
    assert steps[0]['new'][0]['url'] == 'http://10.0.0.11:8000'


def test_a_container_an_interrupted_step_left_is_no_replica_to_replace():
    left = running(0, [0, 1, 2, 3])
    left['Names'] = ['/vllm-qwen3.5-r0-previous']
    existing = [left, running(0, [0, 1, 2, 3])]
    assert [c['Names'] for c in current_replicas(existing)] == [['/vllm-qwen3.5-r0']]
    steps = steps_for(existing, [unit(0, [0, 1, 2, 3])])
    assert [step['replaces'] for step in steps] == [['vllm-qwen3.5-r0']]


def test_gate_verdicts_join_the_three_checks_by_container():
    containers = [dict(HEALTHY, item={'name': 'r0'}), dict(HEALTHY, item={'name': 'r1'})]
    health = [{'status': 200, 'item': {'name': 'r0'}}, {'status': 503, 'item': {'name': 'r1'}}]
    answers = [dict(ANSWER, item={'name': 'r0'}), {'skipped': True, 'item': {'name': 'r1'}}]
    verdicts = gate_verdicts(containers, health, answers)
    assert [(v['name'], v['passed']) for v in verdicts] == [('r0', True), ('r1', False)]
    assert verdicts[1]['reason'] == '/health answered 503'


def test_router_targets_find_the_models_instance_on_each_router_host():
    routers = [{'inventory_hostname': 'cl-router', 'vllm_router_instances': [
        {'model': 'qwen3.5', 'port': 30000}, {'model': 'qwen3.6', 'port': 30001}]}, {'inventory_hostname': 'unplanned'}]
    assert router_targets(routers, 'qwen3.6') == [{'host': 'cl-router', 'url': 'http://127.0.0.1:30001'}]
    assert router_targets(routers, 'other') == []


def test_step_drain_sums_the_replicas_in_flight_and_needs_every_one_drained():
    first = [dict(poll(3), item={'name': 'r0'}), dict(poll(1), item={'name': 'r1'})]
    last = [dict(poll(0), item={'name': 'r0'}), dict(poll(1), item={'name': 'r1'})]
    verdict = step_drain(first, last, 60)
    assert verdict['in_flight'] == 4
    assert verdict['drained'] is False
    assert verdict['drain'] == ('r0 drained: 3 in flight at removal finished; '
                                'r1 1 requests still running after 60 s: stopped anyway')


def test_a_step_that_takes_no_serving_replica_out_has_nothing_to_drain():
    assert step_drain([], [], 60) == {'in_flight': 0, 'drained': True, 'drain': 'nothing served', 'replicas': []}
