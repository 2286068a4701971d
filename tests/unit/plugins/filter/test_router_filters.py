# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The router filters as the vllm_router role and deploy.yml call them."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter import router_endpoint_records as records_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import router_instances as instances_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import router_report_rows as rows_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import router_unhealthy_workers as unhealthy_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import router_unplanned_hosts as unplanned_filter

NODE = {'inventory_hostname': 'npu-a2-01', 'ansible_host': '10.0.0.11',
        'vllm_serve_endpoints': [{'url': 'http://10.0.0.11:8000/v1', 'model': 'qwen3.6'}]}


def test_each_filter_is_registered_under_its_name():
    assert list(instances_filter.FilterModule().filters()) == ['router_instances']
    assert list(unhealthy_filter.FilterModule().filters()) == ['router_unhealthy_workers']
    assert list(unplanned_filter.FilterModule().filters()) == ['router_unplanned_hosts']


def test_unplanned_hosts_names_nodes_without_facts():
    assert unplanned_filter.router_unplanned_hosts([{'inventory_hostname': 'a', 'ascend_node_type': 'atlas_800_a2'},
                                                    {'inventory_hostname': 'r'}]) == ['a']
    assert list(records_filter.FilterModule().filters()) == ['router_endpoint_records']
    assert list(rows_filter.FilterModule().filters()) == ['router_report_rows']


def test_instances_with_the_settings_the_role_passes_as_text():
    settings = {'policy': 'round_robin', 'health_check_interval': '1', 'circuit_breaker': True, 'tls': False}
    instance = instances_filter.router_instances([NODE], settings=settings, router_address='10.0.0.5')[0]
    assert instance['workers'] == ['http://10.0.0.11:8000'] and instance['front_url'] == 'http://10.0.0.5:8080'
    assert '--health-check-interval-secs' in instance['args']


def test_wrong_settings_fail_naming_the_filter_and_the_setting():
    with pytest.raises(AnsibleFilterError, match=r'ascend_ops.vllm.router_instances: health_failure_threshold 0'):
        instances_filter.router_instances([NODE], settings={'health_failure_threshold': 0})


def test_unhealthy_workers_and_records_and_rows():
    metrics = 'vllm_router_worker_health{worker="http://10.0.0.11:8000"} 0\n'
    assert unhealthy_filter.router_unhealthy_workers(metrics, ['http://10.0.0.11:8000']) == ['http://10.0.0.11:8000']
    instance = instances_filter.router_instances([NODE], router_address='10.0.0.5')[0]
    records = records_filter.router_endpoint_records([instance], 'router-01', [instance['front_url']], [{'content': metrics}],
                                                     [{'status': 200, 'json': {'choices': [{'text': ' Paris'}]}}])
    assert records[0]['healthy'] == 0 and records[0]['answer'] == ' Paris'
    rows = rows_filter.router_report_rows([{'inventory_hostname': 'router-01', 'vllm_router_endpoints': records}])
    assert rows == [{'router': 'router-01', 'model': 'qwen3.6', 'url': 'http://10.0.0.5:8080', 'workers': '0/1 healthy',
                     'answer': 'Paris'}]
    with pytest.raises(AnsibleFilterError, match='router_report_rows'):
        rows_filter.router_report_rows([{'inventory_hostname': 'x', 'vllm_router_endpoints': [{}]}])


def test_the_wheels_manifest_filter_reads_the_controllers_directory_and_names_a_missing_one(tmp_path):
    from ansible_collections.ascend_ops.vllm.plugins.filter import directory_manifest as manifest_filter
    (tmp_path / 'vllm_router-0.1.11.whl').write_bytes(b'wheel')
    filters = manifest_filter.FilterModule().filters()
    assert filters['directory_manifest'](str(tmp_path)).endswith('  5  vllm_router-0.1.11.whl\n')
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.directory_manifest: .*absent is not a directory'):
        filters['directory_manifest'](str(tmp_path / 'absent'))
