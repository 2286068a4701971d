# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The monitoring filters as the prometheus role calls them."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter import monitoring_stale_targets as stale_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import monitoring_targets as targets_filter


def test_each_filter_is_registered_under_its_name():
    assert list(targets_filter.FilterModule().filters()) == ['monitoring_targets']
    assert list(stale_filter.FilterModule().filters()) == ['monitoring_stale_targets']


def test_targets_of_hostvars():
    node = {'inventory_hostname': 'n', 'npu_exporter_endpoint': {'address': '10.1.1.1', 'port': 8082}}
    files = targets_filter.monitoring_targets([node])
    assert files == [{'job': 'npu_exporter', 'host': 'n', 'groups': [{'targets': ['10.1.1.1:8082'], 'labels': {'node': 'n'}}]}]


def test_a_bad_record_is_a_filter_error_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.monitoring_targets: .*no replica URL'):
        targets_filter.monitoring_targets([{'inventory_hostname': 'n', 'vllm_serve_endpoints': [{'url': 'x', 'replica': 'r'}]}])
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.monitoring_targets'):
        targets_filter.monitoring_targets([{'no_name': 1}])


def test_stale_targets():
    assert stale_filter.monitoring_stale_targets(['/d/vllm/a.json', '/d/vllm/b.json'], ['a']) == ['/d/vllm/b.json']
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.monitoring_stale_targets'):
        stale_filter.monitoring_stale_targets(None, ['a'])
