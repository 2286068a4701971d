# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verdicts on running replicas and the endpoints table, on results shaped as
community.docker.docker_container_info and ansible.builtin.uri register them."""

from __future__ import annotations

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _endpoints


def replica(index, npus, port=None, data_parallel=''):
    return {'index': index, 'name': 'vllm-qwen3.6-r%d' % index, 'npus': npus, 'port': 8000 + index if port is None else port,
            'data_parallel': data_parallel}


def info(item, status='running', health='healthy', restarts=0, exists=True):
    state = {'Status': status, 'StartedAt': '2026-12-01T21:00:00.1Z'}
    if health is not None:
        state['Health'] = {'Status': health}
    container = {'Id': 'id-%s' % item['name'], 'State': state, 'RestartCount': restarts} if exists else None
    return {'item': item, 'exists': exists, 'container': container}


def answer(item, status=200, text=' Paris is the capital', error=None):
    result = {'item': item, 'status': status}
    if text is not None:
        result['json'] = {'choices': [{'text': text}]}
    if error is not None:
        result['json'] = {'error': error}
        result['msg'] = 'Status code was %d' % status
    return result


R0, R1 = replica(0, [0, 1]), replica(1, [2, 3])


def test_healthy_replicas_are_not_failed():
    assert _endpoints.unhealthy_replicas([info(R0), info(R1)]) == []


def test_every_kind_of_not_healthy_is_failed_in_order():
    health = [info(R0, health='starting'), info(R1, status='exited', health='unhealthy'),
              info(replica(2, [4, 5]), exists=False), info(replica(3, [6, 7]), health=None)]
    assert [r['item']['name'] for r in _endpoints.unhealthy_replicas(health)] == [
        'vllm-qwen3.6-r0', 'vllm-qwen3.6-r1', 'vllm-qwen3.6-r2', 'vllm-qwen3.6-r3']


def test_headless_container_fails_when_stopped_or_restarted_not_for_lack_of_health():
    running = info(replica(0, [0, 1], port=None), health=None)
    restarted = info(replica(1, [2, 3]), health=None, restarts=2)
    exited = info(replica(2, [4, 5]), status='exited', health=None)
    failed = _endpoints.unhealthy_replicas([], headless=[running, restarted, exited])
    assert [r['item']['index'] for r in failed] == [1, 2]


def test_unhealthy_message_names_node_replica_state_and_the_troubled_log_lines():
    failed = info(R1, status='exited', health='unhealthy', restarts=1)
    logs = [{'item': failed, 'stdout_lines': ['INFO loading', 'ERROR EI0019: IP address and port have been bound already'],
             'stderr_lines': ['INFO bye']}]
    message = _endpoints.unhealthy_message('sv-a2', 4, 'replicas', logs)
    assert message.startswith('vllm_serve: on sv-a2 1 of 4 replicas are not healthy.')
    assert 'vllm-qwen3.6-r1 (NPUs 2,3, port 8001): exited, health unhealthy, restarted 1 times;' in message
    assert message.endswith('it logged: ERROR EI0019: IP address and port have been bound already')


def test_unhealthy_message_quotes_the_last_lines_when_none_says_what_went_wrong():
    logs = [{'item': info(R0, exists=False), 'stdout_lines': ['line %d' % n for n in range(9)], 'stderr_lines': []}]
    message = _endpoints.unhealthy_message('sv-a2', 4, 'replicas', logs)
    assert 'vllm-qwen3.6-r0 (NPUs 0,1, port 8000): no container; it logged: line 4 / line 5 / line 6 / line 7 / line 8' in message


def test_unhealthy_message_of_a_data_parallel_group_adds_the_other_nodes_logs():
    head = replica(0, [0, 1, 2, 3], data_parallel='head, ranks 0-3 of 8')
    logs = [{'item': info(head, health='unhealthy'), 'stdout_lines': ['waiting'], 'stderr_lines': []}]
    group = [{'item': {'name': 'hc-a2-1', 'description': 'headless ranks 4-7 of 8'},
              'stdout_lines': ['RuntimeError: connection refused by 10.0.0.1:13389'], 'stderr_lines': []},
             {'item': {'name': 'hc-a2-2', 'description': 'headless ranks 8-11 of 12'}, 'msg': 'unreachable'}]
    message = _endpoints.unhealthy_message('hc-a2-0', 1, 'containers of data-parallel group hc', logs, group)
    assert 'hc-a2-0 1 of 1 containers of data-parallel group hc are not healthy' in message
    assert '(head, ranks 0-3 of 8) it logged: waiting' in message
    assert 'hc-a2-1 (headless ranks 4-7 of 8) logged: RuntimeError: connection refused by 10.0.0.1:13389' in message
    assert message.endswith('hc-a2-2 (headless ranks 8-11 of 12) logged: unreachable')


def test_silent_replicas_message_is_empty_when_all_answered():
    assert _endpoints.silent_replicas_message('sv-a2', [answer(R0), answer(R1)]) == ''


def test_silent_replicas_message_names_errors_empty_text_and_no_answer():
    answers = [answer(R0, status=401, text=None, error='Unauthorized'), answer(R1, text='  \n'),
               {'item': replica(2, [4, 5]), 'msg': 'Connection refused'}]
    message = _endpoints.silent_replicas_message('sv-a3', answers)
    assert message == ('vllm_serve: on sv-a3 replicas did not answer a completion with text: vllm-qwen3.6-r0: HTTP 401 Unauthorized; '
                       'vllm-qwen3.6-r1: HTTP 200 ; vllm-qwen3.6-r2: HTTP - Connection refused')


def test_endpoint_records_join_health_and_answers_and_list_headless_containers():
    headless = info(replica(0, [0, 1, 2, 3], data_parallel='headless ranks 4-7 of 8'), health=None)
    records = _endpoints.endpoint_records('sv-a2', '172.31.240.10', 'qwen3.6', [info(R0)], [answer(R0)], [headless])
    assert records[0] == {'node': 'sv-a2', 'replica': 'vllm-qwen3.6-r0', 'npus': [0, 1], 'port': 8000,
                          'url': 'http://172.31.240.10:8000/v1', 'model': 'qwen3.6', 'health': 'healthy',
                          'reason': '', 'serving': True, 'container_id': 'id-vllm-qwen3.6-r0', 'started_at': '2026-12-01T21:00:00.1Z',
                          'answer': ' Paris is the capital', 'data_parallel': ''}
    assert records[1]['port'] is None and records[1]['url'] == '' and records[1]['health'] == 'running'
    assert records[1]['serving'] is True and records[1]['reason'] == ''
    assert records[1]['data_parallel'] == 'headless ranks 4-7 of 8'


def test_report_rows_from_verified_endpoints_shorten_the_answer_as_jinja_truncate():
    long_answer = ' while gently the a batches replica quickly the ascend cluster answers every single request '
    node = {'inventory_hostname': 'sv-a2', 'vllm_serve_endpoints': _endpoints.endpoint_records(
        'sv-a2', 'sv-a2', 'qwen3.6', [info(R0)], [answer(R0, text=long_answer)])}
    rows = _endpoints.report_rows([node])
    assert rows == [{'node': 'sv-a2', 'replica': 'vllm-qwen3.6-r0', 'npus': '0,1', 'port': 8000, 'model': 'qwen3.6',
                     'health': 'healthy', 'answer': 'while gently the a batches replica quickly the ascend...', 'reason': ''}]


def test_report_rows_keep_a_short_answer_whole_within_the_leeway():
    text = 'x' * 64
    node = {'inventory_hostname': 'n', 'vllm_serve_endpoints': _endpoints.endpoint_records(
        'n', 'n', 'm', [info(R0)], [answer(R0, text=text)])}
    assert _endpoints.report_rows([node])[0]['answer'] == text


def test_report_rows_from_a_plan_say_not_verified_and_nodes_without_either_give_none():
    layout = {'served_model_name': 'qwen3.6', 'replicas': [
        {'index': 0, 'name': 'vllm-qwen3.6-r0', 'npus': [0, 1], 'port': 8000},
        {'index': 1, 'name': 'vllm-qwen3.6-r1', 'npus': [2, 3], 'port': 8001}]}
    rows = _endpoints.report_rows([{'inventory_hostname': 'a3', 'ascend_serving_layout': layout},
                                   {'inventory_hostname': 'router'}])
    assert [(r['replica'], r['npus'], r['health']) for r in rows] == [
        ('vllm-qwen3.6-r0', '0,1', 'not verified'), ('vllm-qwen3.6-r1', '2,3', 'not verified')]


def test_node_address_is_ansible_host_else_the_inventory_name():
    assert _endpoints.node_address({'inventory_hostname': 'npu-a2-01', 'ansible_host': '10.0.0.11'}) == '10.0.0.11'
    assert _endpoints.node_address({'inventory_hostname': 'npu-a2-01'}) == 'npu-a2-01'


# --- faults: a hung engine, a crash-looping replica, a node lost on the way

TIMED_OUT = {'status': -1, 'msg': 'Status code was -1 and not [200]: Request failed: <urlopen error The read operation timed out>'}


def timed_out(item):
    return dict(TIMED_OUT, item=item)


def check(item, status=200):
    return {'item': item, 'status': status}


def test_a_timed_out_completion_is_told_apart_from_an_error_answer():
    assert _endpoints.completion_timed_out(TIMED_OUT)
    assert _endpoints.completion_timed_out({'status': -1, 'msg': 'Request failed: <urlopen error timed out>'})
    assert not _endpoints.completion_timed_out({'status': -1, 'msg': 'Request failed: <urlopen error [Errno 111] Connection refused>'})
    assert not _endpoints.completion_timed_out({'status': 504, 'msg': 'Gateway timeout'})
    assert not _endpoints.completion_timed_out({'skipped': True})
    assert not _endpoints.completion_timed_out(None)


def test_silent_message_names_a_hung_replica_apart_from_one_that_answered_an_error():
    answers = [answer(R0), timed_out(R1), answer(replica(2, [4, 5]), status=401, text=None, error='Unauthorized')]
    checks = [check(R0), check(R1), check(replica(2, [4, 5]))]
    message = _endpoints.silent_replicas_message('sv-a2', answers, checks, 120)
    assert message.startswith('vllm_serve: on sv-a2 replica vllm-qwen3.6-r1 (NPUs 2,3, port 8001) is hung '
                              '(/health answers 200 but no completion came within 120 s): restart it;')
    assert message.endswith('vllm_serve: on sv-a2 replicas did not answer a completion with text: vllm-qwen3.6-r2: HTTP 401 Unauthorized')
    assert 'vllm-qwen3.6-r0' not in message


def test_silent_message_skips_replicas_not_asked_and_calls_a_timeout_without_health_an_error():
    answers = [{'item': R0, 'skipped': True}, timed_out(R1)]
    message = _endpoints.silent_replicas_message('sv-a2', answers, [check(R1, status=-1)], 120)
    assert 'hung' not in message and 'vllm-qwen3.6-r0' not in message
    assert message.startswith('vllm_serve: on sv-a2 replicas did not answer a completion with text: vllm-qwen3.6-r1: /health answered -1')
    timed_out_alone = _endpoints.silent_replicas_message('sv-a2', [timed_out(R1)], [], 120)
    assert 'vllm-qwen3.6-r1 (NPUs 2,3, port 8001) is hung' in timed_out_alone


def test_a_replica_that_answers_health_but_no_completion_is_recorded_hung_and_not_serving():
    records = _endpoints.endpoint_records('sv-a2', 'sv-a2', 'qwen3.6', [info(R0), info(R1)], [answer(R0), timed_out(R1)],
                                          checks=[check(R0), check(R1)], timeout=120)
    assert [(r['health'], r['serving']) for r in records] == [('healthy', True), ('hung', False)]
    assert records[1]['reason'] == '/health answers 200 but no completion came within 120 s'
    assert records[1]['answer'] == ''


def test_a_crash_looping_replica_is_recorded_failed_with_its_last_error_line_and_the_others_serve():
    crashed = info(R1, status='restarting', health='unhealthy', restarts=3)
    logs = [{'item': crashed, 'stdout_lines': ['INFO Starting to load model', 'ERROR EngineCore failed during warm-up',
                                               'RuntimeError: ACL stream synchronize failed, error code:507035', 'INFO bye']}]
    records = _endpoints.endpoint_records('sv-a2', 'sv-a2', 'qwen3.6', [info(R0), crashed],
                                          [answer(R0), {'item': R1, 'skipped': True}],
                                          checks=[check(R0), {'item': R1, 'skipped': True}], logs=logs, timeout=120)
    assert [(r['health'], r['serving']) for r in records] == [('healthy', True), ('failed', False)]
    assert records[1]['reason'] == ('restarting, health unhealthy, restarted 3 times; '
                                    'last logged: RuntimeError: ACL stream synchronize failed, error code:507035')


def test_verdicts_of_replicas_not_up_health_refused_and_error_answers():
    assert _endpoints.replica_verdict(info(R0, health='starting'))['health'] == 'starting'
    assert _endpoints.replica_verdict(info(R0, exists=False)) == {'health': 'failed', 'serving': False, 'reason': 'no container'}
    refused = _endpoints.replica_verdict(info(R0), check(R0, status=503), answer(R0))
    assert (refused['health'], refused['reason']) == ('unhealthy', '/health answered 503')
    error = _endpoints.replica_verdict(info(R0), check(R0), answer(R0, status=500, text=None, error='engine dead'))
    assert (error['health'], error['serving'], error['reason']) == ('no answer', False, 'completion answered HTTP 500 engine dead')


def test_a_failed_headless_rank_is_recorded_failed_with_its_state():
    rank = info(replica(0, [0, 1, 2, 3], port=None, data_parallel='headless ranks 4-7 of 8'), status='exited', health=None)
    record = _endpoints.endpoint_records('hc-a2-1', 'hc-a2-1', 'q', [], [], [rank])[0]
    assert (record['health'], record['serving']) == ('failed', False)
    assert record['reason'].startswith('exited, health none')


def test_not_serving_picks_the_records_that_take_no_requests():
    records = [{'replica': 'a', 'serving': True}, {'replica': 'b', 'serving': False}, {'replica': 'c'}]
    assert [r['replica'] for r in _endpoints.not_serving(records)] == ['b']


def test_last_error_line_prefers_the_last_troubled_line_else_the_last():
    assert _endpoints.last_error_line(['a', 'ERROR one', 'b', 'RuntimeError: two', 'c', '']) == 'RuntimeError: two'
    assert _endpoints.last_error_line(['a', 'b ', '  ']) == 'b'
    assert _endpoints.last_error_line([]) == ''


def test_dropped_hosts_are_the_ones_left_out_unreachable_when_the_probe_says_so():
    probes = [{'item': 'sv-a3', 'unreachable': True, 'msg': 'Failed to connect'}, {'item': 'sv-a4', 'ping': 'pong'}]
    assert _endpoints.dropped_hosts(['sv-a2', 'sv-a3', 'sv-a4'], ['sv-a2'], probes) == {'sv-a3': 'unreachable', 'sv-a4': 'failed'}
    assert _endpoints.dropped_hosts(['sv-a2'], ['sv-a2']) == {}


def test_report_rows_list_a_lost_node_by_its_plan_or_one_row_instead_of_dropping_it():
    layout = {'served_model_name': 'qwen3.6', 'replicas': [{'index': 0, 'name': 'vllm-qwen3.6-r0', 'npus': [0, 1], 'port': 8000}]}
    nodes = [{'inventory_hostname': 'sv-a2', 'ascend_serving_layout': layout},
             {'inventory_hostname': 'sv-a3', 'ascend_node_type': 'atlas_800_a3', 'ascend_model': 'qwen3.6-27b-w8a8'},
             {'inventory_hostname': 'sv-a4', 'ascend_serving_layout': layout},
             {'inventory_hostname': 'router'}]
    rows = _endpoints.report_rows(nodes, {'sv-a2': 'failed', 'sv-a3': 'unreachable', 'router': 'unreachable'})
    assert [(r['node'], r['replica'], r['health']) for r in rows] == [
        ('sv-a2', 'vllm-qwen3.6-r0', 'failed'), ('sv-a3', '-', 'unreachable'), ('sv-a4', 'vllm-qwen3.6-r0', 'not verified')]
    assert rows[0]['reason'].startswith('the run stopped on this node (failed) before its replicas were verified')
    assert rows[1]['reason'].startswith('the run stopped on this node (unreachable) before it was planned')
    assert rows[2]['reason'] == ''


def test_report_rows_of_a_node_failed_in_verify_show_its_records_and_their_reasons():
    records = _endpoints.endpoint_records('sv-a2', 'sv-a2', 'qwen3.6', [info(R0), info(R1)], [answer(R0), timed_out(R1)],
                                          checks=[check(R0), check(R1)], timeout=30)
    rows = _endpoints.report_rows([{'inventory_hostname': 'sv-a2', 'vllm_serve_endpoints': records}], {'sv-a2': 'failed'})
    assert [(r['health'], r['reason']) for r in rows] == [
        ('healthy', ''), ('hung', '/health answers 200 but no completion came within 30 s')]
