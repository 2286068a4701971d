# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Router instances from the serving nodes' facts, the router's argv, the worker diff, and its metrics parsed."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _router

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'router')


def capture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def endpoint(node, address, index, model='qwen3.6', url=True):
    return {'node': node, 'replica': 'vllm-%s-r%d' % (model, index), 'npus': [2 * index, 2 * index + 1],
            'port': 8000 + index if url else None, 'url': 'http://%s:%d/v1' % (address, 8000 + index) if url else '',
            'model': model, 'health': 'healthy', 'answer': ' Paris'}


def planned(name, replicas, model='qwen3.6', host=None, group=None):
    node = {'inventory_hostname': name,
            'ascend_serving_layout': {'served_model_name': model,
                                      'replicas': [{'index': i, 'name': 'vllm-%s-r%d' % (model, i), 'port': 8000 + i}
                                                   for i in range(replicas)]}}
    if host:
        node['ansible_host'] = host
    if group:
        node['ascend_data_parallel_layout'] = {'head': group}
    return node


A2 = {'inventory_hostname': 'npu-a2-01', 'ansible_host': '10.0.0.11',
      'vllm_serve_endpoints': [endpoint('npu-a2-01', '10.0.0.11', i) for i in range(4)]}
A3 = {'inventory_hostname': 'npu-a3-01', 'ansible_host': '10.0.0.21',
      'vllm_serve_endpoints': [endpoint('npu-a3-01', '10.0.0.21', i, model='qwen3.5') for i in range(2)]}
ROUTER_ONLY = {'inventory_hostname': 'router-01'}


def test_one_instance_per_model_with_ports_in_model_order():
    instances = _router.router_instances([A2, A3, ROUTER_ONLY])
    assert [(i['name'], i['model'], i['port'], i['metrics_port'], i['front_port']) for i in instances] == [
        ('qwen3.5', 'qwen3.5', 30000, 29000, 8080), ('qwen3.6', 'qwen3.6', 30001, 29001, 8081)]
    assert instances[1]['workers'] == ['http://10.0.0.11:%d' % port for port in range(8000, 8004)]
    assert instances[0]['workers'] == ['http://10.0.0.21:8000', 'http://10.0.0.21:8001']


def test_verified_endpoints_leave_headless_ranks_out():
    node = {'inventory_hostname': 'dp-1', 'vllm_serve_endpoints': [endpoint('dp-1', '10.0.0.12', 0, url=False)]}
    assert _router.router_instances([node]) == []


def test_hung_or_failed_replicas_are_no_workers():
    records = [endpoint('npu-a2-01', '10.0.0.11', i) for i in range(3)]
    records[1] = dict(records[1], health='hung', serving=False)
    workers = _router.node_workers({'inventory_hostname': 'npu-a2-01', 'vllm_serve_endpoints': records})
    assert workers == [('qwen3.6', 'http://10.0.0.11:8000'), ('qwen3.6', 'http://10.0.0.11:8002')]


def test_plan_gives_the_workers_in_check_mode_at_the_address_endpoint_records_uses():
    instances = _router.router_instances([planned('npu-a2-02', 2, host='10.0.0.12'), planned('npu-a2-03', 1)])
    assert instances[0]['workers'] == ['http://10.0.0.12:8000', 'http://10.0.0.12:8001', 'http://npu-a2-03:8000']


def test_plan_of_a_data_parallel_group_gives_only_the_head():
    head, headless = planned('dp-0', 4, group='dp-0'), planned('dp-1', 4, group='dp-0')
    assert _router.router_instances([head, headless])[0]['workers'] == ['http://dp-0:8000']


def test_verified_endpoints_win_over_the_plan():
    node = dict(planned('npu-a2-01', 2), **A2)
    assert len(_router.router_instances([node])[0]['workers']) == 4


def test_front_ports_override_per_model_and_settings_move_the_bases():
    instances = _router.router_instances([A2, A3], {'front_ports': {'qwen3.6': 443}, 'port_base': 31000,
                                                    'metrics_port_base': 9100, 'front_port_base': 9000})
    assert [(i['port'], i['metrics_port'], i['front_port']) for i in instances] == [(31000, 9100, 9000), (31001, 9101, 443)]


def test_front_port_of_a_model_nobody_serves_is_refused():
    with pytest.raises(_router.RouterError, match='front_ports names qwen9, which no replica serves'):
        _router.router_instances([A2], {'front_ports': {'qwen9': 9000}})


def test_two_models_on_one_front_port_are_refused():
    with pytest.raises(_router.RouterError, match='front ports of qwen3.5 and qwen3.6 are both 8080'):
        _router.router_instances([A2, A3], {'front_ports': {'qwen3.6': 8080}})


def test_unknown_setting_and_policy_are_refused():
    with pytest.raises(_router.RouterError, match='polcy is no router setting'):
        _router.router_instances([A2], {'polcy': 'round_robin'})
    with pytest.raises(_router.RouterError, match="policy 'kv_aware' is not a policy the role runs"):
        _router.router_instances([A2], {'policy': 'kv_aware'})


def test_instance_names_are_safe_for_systemd_and_distinct():
    assert _router.instance_name('Qwen3.6 Chat/27B') == 'qwen3.6-chat-27b'
    node = {'inventory_hostname': 'x', 'vllm_serve_endpoints': [endpoint('x', '10.0.0.9', 0, model='Qwen A'),
                                                                endpoint('x', '10.0.0.9', 1, model='qwen-a')]}
    with pytest.raises(_router.RouterError, match='same router instance name qwen-a'):
        _router.router_instances([node])


def test_args_carry_the_settings_and_never_a_key():
    instance = _router.router_instances([A2], {'health_check_interval': 1, 'health_failure_threshold': 2,
                                               'health_success_threshold': 1})[0]
    args = instance['args']
    pairs = dict(zip(args[::2], args[1::2]))
    assert pairs['--host'] == '127.0.0.1' and pairs['--port'] == '30000' and pairs['--policy'] == 'round_robin'
    assert pairs['--prometheus-host'] == '127.0.0.1' and pairs['--prometheus-port'] == '29000'
    assert (pairs['--health-check-interval-secs'], pairs['--health-failure-threshold'], pairs['--health-success-threshold']) \
        == ('1', '2', '1')
    assert pairs['--retry-max-retries'] == '3' and pairs['--cb-failure-threshold'] == '5'
    assert '--api-key' not in args and '--worker-urls' not in args


def test_one_attempt_disables_retries_and_the_breaker_can_be_off():
    args = _router.router_args({'port': 30000, 'metrics_port': 29000}, {'retry_max_retries': 1, 'circuit_breaker': False})
    assert '--disable-retries' in args and '--retry-max-retries' not in args
    assert '--disable-circuit-breaker' in args and '--cb-failure-threshold' not in args


def test_front_url_uses_the_router_host_unless_the_front_has_its_own_address():
    assert _router.router_instances([A2], router_address='10.0.0.5')[0]['front_url'] == 'http://10.0.0.5:8080'
    assert _router.front_url(8443, '10.0.0.5', {'front_address': '192.0.2.7', 'tls': True}) == 'https://192.0.2.7:8443'
    assert _router.front_url(8080, 'fd00::5') == 'http://[fd00::5]:8080'


def test_worker_url_drops_v1_and_refuses_other_text():
    assert _router.worker_url('http://10.0.0.11:8003/v1') == 'http://10.0.0.11:8003'
    with pytest.raises(_router.RouterError, match='no replica URL'):
        _router.worker_url('10.0.0.11:8003')


def test_workers_diff_on_what_list_workers_returned():
    current = json.loads(capture('list_workers_vllm-router-0.1.17_this-host.json'))['urls']
    assert _router.workers_diff(current, ['http://127.0.0.1:18001', 'http://127.0.0.1:18002/']) == {
        'add': ['http://127.0.0.1:18002'], 'remove': ['http://127.0.0.1:18999']}
    assert _router.workers_diff(current, list(reversed(current))) == {'add': [], 'remove': []}


def test_workers_of_nodes_a_limited_run_left_out_stay():
    nodes = [{'inventory_hostname': 'npu-a2-01', 'ascend_node_type': 'atlas_800_a2', 'vllm_serve_endpoints': []},
             {'inventory_hostname': 'npu-a2-02', 'ascend_node_type': 'atlas_800_a2'},
             {'inventory_hostname': 'npu-a3-01', 'ascend_node_type': 'atlas_800_a3', 'ansible_host': '10.0.0.13'},
             {'inventory_hostname': 'router-01'}]
    assert _router.unplanned_hosts(nodes) == ['npu-a2-02', '10.0.0.13']
    current = ['http://npu-a2-01:8000', 'http://npu-a2-02:8000', 'http://10.0.0.13:8001/']
    assert _router.workers_diff(current, [], ['npu-a2-02', '10.0.0.13']) == {'add': [], 'remove': ['http://npu-a2-01:8000']}
    assert _router.workers_diff(current, [])['remove'] == [url.rstrip('/') for url in current]


def test_worker_health_from_the_routers_metrics():
    metrics = capture('metrics_one-healthy-one-dead_vllm-router-0.1.17_this-host.txt')
    assert _router.worker_health(metrics) == {'http://127.0.0.1:18001': True, 'http://127.0.0.1:18999': False}
    assert _router.unhealthy_workers(metrics, ['http://127.0.0.1:18001', 'http://127.0.0.1:18999',
                                               'http://127.0.0.1:18002']) == ['http://127.0.0.1:18999', 'http://127.0.0.1:18002']
    assert _router.unhealthy_workers('', ['http://127.0.0.1:18001']) == ['http://127.0.0.1:18001']


def test_endpoint_records_and_report_rows():
    instance = _router.router_instances([{'inventory_hostname': 'h', 'vllm_serve_endpoints': [
        endpoint('h', '127.0.0.1', 0), dict(endpoint('h', '127.0.0.1', 0), url='http://127.0.0.1:18999/v1')]}])[0]
    instance['workers'] = ['http://127.0.0.1:18001', 'http://127.0.0.1:18999']
    metrics = {'content': capture('metrics_one-healthy-one-dead_vllm-router-0.1.17_this-host.txt')}
    answer = {'status': 200, 'json': {'choices': [{'text': ' Paris, the capital of France, is a city ' * 3}]}}
    records = _router.endpoint_records('router-01', [instance], ['http://10.0.0.5:8080'], [metrics], [answer])
    assert records[0]['healthy'] == 1 and records[0]['total'] == 2 and records[0]['url'] == 'http://10.0.0.5:8080'
    assert (records[0]['port'], records[0]['metrics_port'], records[0]['front_port']) == (30000, 29000, 8080)
    assert records[0]['workers'][1] == {'url': 'http://127.0.0.1:18999', 'healthy': False}
    assert records[0]['all_healthy'] is False and records[0]['error'] == ''
    refused_answer = {'status': 401, 'json': {'error': 'Unauthorized'}, 'msg': 'Status code was 401'}
    refused = _router.endpoint_records('r', [instance], ['u'], [{}], [refused_answer])
    assert refused[0]['error'] == 'qwen3.6: HTTP 401 Unauthorized' and refused[0]['answer'] == ''
    rows = _router.report_rows([{'inventory_hostname': 'router-01', 'vllm_router_endpoints': records},
                                {'inventory_hostname': 'router-02', 'vllm_router_instances': [dict(instance, front_url='u')]},
                                {'inventory_hostname': 'npu-a2-01'}])
    assert rows[0]['workers'] == '1/2 healthy' and rows[0]['answer'].endswith('...') and len(rows[0]['answer']) <= 60
    assert rows[1] == {'router': 'router-02', 'model': 'qwen3.6', 'url': 'u', 'workers': '2 planned, not verified', 'answer': ''}
    assert len(rows) == 2


def test_settings_problems_list_every_wrong_setting():
    problems = _router.settings_problems({'port_base': 80, 'health_failure_threshold': 0, 'health_check_endpoint': 'health',
                                          'front_ports': {'qwen3.6': 'x'}, 'log_level': 'loud'})
    assert [key for key, what, accepted in problems] == ['log_level', 'port_base', 'health_failure_threshold', 'front_ports',
                                                         'health_check_endpoint']
    assert _router.settings_problems({'health_check_interval': '1', 'front_ports': {'qwen3.6': 9000}}) == []
