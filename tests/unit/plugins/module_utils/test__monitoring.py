# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prometheus targets from the deployment's facts, and the alert settings."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _endpoints, _monitoring, _router

LAYOUT = {'served_model_name': 'qwen3.6', 'replicas': [
    {'name': 'vllm-qwen3.6-r0', 'npus': [0, 1, 2, 3], 'port': 8000},
    {'name': 'vllm-qwen3.6-r1', 'npus': [4, 5, 6, 7], 'port': 8001}]}


def verified_node():
    """A node whose verify phase ran: its records made by _endpoints as the role makes them."""
    health = [{'item': replica, 'container': {'Id': 'c%d' % index, 'State': {'Health': {'Status': 'healthy'}}}}
              for index, replica in enumerate(LAYOUT['replicas'])]
    answers = [{'json': {'choices': [{'text': 'ok'}]}} for _record in health]
    records = _endpoints.endpoint_records('cl-a2-0', '10.0.0.11', 'qwen3.6', health, answers)
    return {'inventory_hostname': 'cl-a2-0', 'ansible_host': '10.0.0.11', 'vllm_serve_endpoints': records,
            'ascend_serving_layout': LAYOUT}


def test_verified_replicas_are_targets_with_node_replica_npus_and_model():
    assert _monitoring.replica_targets(verified_node()) == [
        {'targets': ['10.0.0.11:8000'],
         'labels': {'node': 'cl-a2-0', 'replica': 'vllm-qwen3.6-r0', 'npus': '0,1,2,3', 'model': 'qwen3.6'}},
        {'targets': ['10.0.0.11:8001'],
         'labels': {'node': 'cl-a2-0', 'replica': 'vllm-qwen3.6-r1', 'npus': '4,5,6,7', 'model': 'qwen3.6'}}]


def test_the_plan_gives_the_targets_before_the_verify_phase_at_the_inventory_name():
    groups = _monitoring.replica_targets({'inventory_hostname': 'cl-a2-1', 'ascend_serving_layout': LAYOUT})
    assert [group['targets'] for group in groups] == [['cl-a2-1:8000'], ['cl-a2-1:8001']]


def test_a_data_parallel_head_serves_replica_0_and_a_headless_rank_nothing():
    head = {'inventory_hostname': 'a', 'ascend_serving_layout': LAYOUT, 'ascend_data_parallel_layout': {'head': 'a'}}
    rank = {'inventory_hostname': 'b', 'ascend_serving_layout': LAYOUT, 'ascend_data_parallel_layout': {'head': 'a'}}
    assert [group['targets'] for group in _monitoring.replica_targets(head)] == [['a:8000']]
    assert _monitoring.replica_targets(rank) == []


def test_headless_records_without_url_are_no_target():
    node = verified_node()
    node['vllm_serve_endpoints'].append({'node': 'cl-a2-0', 'replica': 'vllm-qwen3.6-r2', 'npus': [8], 'port': None,
                                         'url': '', 'model': 'qwen3.6'})
    assert len(_monitoring.replica_targets(node)) == 2


def test_a_node_without_facts_gives_none_not_an_empty_list():
    assert _monitoring.replica_targets({'inventory_hostname': 'x'}) is None
    assert _monitoring.router_targets({'inventory_hostname': 'x'}) is None
    assert _monitoring.exporter_targets({'inventory_hostname': 'x'}) is None


def test_a_bad_url_is_refused_with_an_example():
    with pytest.raises(_monitoring.MonitoringError, match='no replica URL such as http://10.0.0.5:8000/v1'):
        _monitoring.replica_targets({'inventory_hostname': 'x', 'vllm_serve_endpoints': [{'url': 'nonsense', 'replica': 'r'}]})


def test_router_instances_are_targets_on_their_metrics_ports_at_the_router_hosts_address():
    instances = _router.router_instances([verified_node(), {
        'inventory_hostname': 'cl-a2-1', 'ascend_serving_layout': dict(LAYOUT, served_model_name='qwen3.5')}])
    groups = _monitoring.router_targets({'inventory_hostname': 'cl-router', 'vllm_router_instances': instances})
    assert groups == [
        {'targets': ['cl-router:29000'], 'labels': {'node': 'cl-router', 'model': 'qwen3.5', 'router': instances[0]['name']}},
        {'targets': ['cl-router:29001'], 'labels': {'node': 'cl-router', 'model': 'qwen3.6', 'router': instances[1]['name']}}]


@pytest.mark.parametrize('address, target', [('10.0.0.11', '10.0.0.11:8082'), ('0.0.0.0', 'node-a:8082'),
                                             ('127.0.0.1', 'node-a:8082')])
def test_the_exporter_target_is_its_address_or_the_hosts_when_it_listens_everywhere(address, target):
    groups = _monitoring.exporter_targets({'inventory_hostname': 'node-a',
                                           'npu_exporter_endpoint': {'address': address, 'port': 8082}})
    assert groups == [{'targets': [target], 'labels': {'node': 'node-a'}}]


def test_scrape_targets_one_file_per_job_and_host_with_facts_sorted_by_host():
    nodes = [{'inventory_hostname': 'cl-router', 'vllm_router_instances': []},
             dict(verified_node(), npu_exporter_endpoint={'address': '10.0.0.11', 'port': 8082}),
             {'inventory_hostname': 'mon-0'}]
    files = _monitoring.scrape_targets(nodes)
    assert [(item['job'], item['host']) for item in files] == [('vllm', 'cl-a2-0'), ('npu_exporter', 'cl-a2-0'),
                                                               ('vllm_router', 'cl-router')]
    # A router host with no instance still gets its (empty) file: its old targets go.
    assert files[2]['groups'] == []


def test_stale_files_are_those_of_hosts_gone_from_the_inventory():
    paths = ['/etc/prometheus/ascend_ops/vllm/cl-a2-0.json', '/etc/prometheus/ascend_ops/vllm/old-node.json',
             '/etc/prometheus/ascend_ops/npu_exporter/old-node.json', '/etc/prometheus/ascend_ops/vllm/notes.txt']
    assert _monitoring.stale_target_files(paths, ['cl-a2-0', 'cl-router']) == [
        '/etc/prometheus/ascend_ops/npu_exporter/old-node.json', '/etc/prometheus/ascend_ops/vllm/old-node.json']


def test_alert_settings_merge_over_the_defaults():
    settings = _monitoring.alert_settings({'replica_down_for': '5s', 'waiting_requests': 4})
    assert settings['replica_down_for'] == '5s' and settings['waiting_requests'] == 4
    assert settings['hbm_percent'] == 95


@pytest.mark.parametrize('setting, value, message', [
    ('replica_down_for', '5 minutes', "'5 minutes' is no Prometheus duration"),
    ('hung_window', '0m', 'is zero: a rate needs a window'),
    ('kv_cache_percent', 120, '120 is not a percentage in (0, 100]'),
    ('waiting_requests', -1, '-1 is negative'),
    ('temperature_celsius', True, 'True is not a number'),
    ('hbm_percentage', 90, 'is no alert setting'),
])
def test_bad_alert_settings_are_named(setting, value, message):
    problems = _monitoring.alert_settings_problems({setting: value})
    assert [problem[0] for problem in problems] == [setting]
    assert message in problems[0][1]
    with pytest.raises(_monitoring.MonitoringError, match=setting):
        _monitoring.alert_settings({setting: value})


def test_the_defaults_have_no_problem():
    assert _monitoring.alert_settings_problems(_monitoring.DEFAULT_ALERT_SETTINGS) == []
