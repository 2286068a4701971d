# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rolling filters as upgrade.yml and the vllm_serve role call them."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter import rolling_batches as batches_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import rolling_drain as drain_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import rolling_gate as gate_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import rolling_report_rows as rows_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import rolling_routers as routers_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import rolling_steps as steps_filter


def test_each_filter_is_registered_under_its_name():
    for module, name in ((batches_filter, 'rolling_batches'), (drain_filter, 'rolling_drain'), (gate_filter, 'rolling_gate'),
                         (rows_filter, 'rolling_report_rows'), (routers_filter, 'rolling_routers'), (steps_filter, 'rolling_steps')):
        assert list(module.FilterModule().filters()) == [name]


def test_batches_take_serial_as_text_from_extra_vars():
    assert batches_filter.rolling_batches(['a', 'b', 'c'], serial='2')['sizes'] == [2, 1]


def test_a_bad_serial_names_the_filter():
    with pytest.raises(AnsibleFilterError, match='^ascend_ops.vllm.rolling_batches: serial must be'):
        batches_filter.rolling_batches(['a'], serial=0)


def test_steps_from_a_replacement_plan():
    existing = [{'Names': ['/vllm-qwen3.5-r0'], 'Labels': {'ascend_ops.vllm.npus': '0,1,2,3', 'ascend_ops.vllm.port': '8000'}}]
    plan = {'keep': [], 'remove': ['vllm-qwen3.5-r0'], 'start': ['vllm-qwen3.5-r0'],
            'steps': [{'name': 'vllm-qwen3.5-r0', 'replaces': ['vllm-qwen3.5-r0']}], 'unplanned': []}
    units = [{'name': 'vllm-qwen3.5-r0', 'npus': [0, 1, 2, 3], 'port': 8000, 'api': True}]
    steps = steps_filter.rolling_steps(plan, existing, units)
    assert steps[0]['capacity_taken'] == '1 of 1 replicas'


def test_steps_refuse_a_container_without_a_name():
    with pytest.raises(AnsibleFilterError, match='^ascend_ops.vllm.rolling_steps: a container without a name'):
        steps_filter.rolling_steps({'steps': []}, [{'Labels': {}}], [])


def test_drain_from_uri_results():
    first = [{'status': 200, 'content': 'vllm:num_requests_running{engine="0"} 2.0\n', 'item': {'name': 'r0'}}]
    last = [{'status': 200, 'content': 'vllm:num_requests_running{engine="0"} 0.0\n', 'item': {'name': 'r0'}}]
    verdict = drain_filter.rolling_drain(first, '120', last=last)
    assert (verdict['in_flight'], verdict['drained']) == (2, True)


def test_gate_of_a_headless_container_judges_the_container_only():
    info = [{'exists': True, 'item': {'name': 'dp-r0'}, 'container': {'State': {'Status': 'running'}, 'RestartCount': 0}}]
    assert gate_filter.rolling_gate(info)[0]['passed'] is True


def test_routers_need_hostvars_with_a_name():
    with pytest.raises(AnsibleFilterError, match='^ascend_ops.vllm.rolling_routers: '):
        routers_filter.rolling_routers([{'vllm_router_instances': [{'model': 'm', 'port': 1}]}], 'm')


def test_report_rows_from_hostvars():
    rows = rows_filter.rolling_report_rows([{'inventory_hostname': 'a', 'vllm_serve_rolling_steps': [{'index': 0, 'result': 'replaced'}]}])
    assert rows[0]['node'] == 'a' and rows[0]['result'] == 'replaced'
