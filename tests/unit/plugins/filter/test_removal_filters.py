# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The removal filters as remove.yml and the roles' remove entry points call them."""

from __future__ import annotations

import base64

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter import files_with_marker as marker_filter
from ansible_collections.ascend_ops.vllm.plugins.filter import removal_report_rows as rows_filter


def test_each_filter_is_registered_under_its_name():
    assert list(marker_filter.FilterModule().filters()) == ['files_with_marker']
    assert list(rows_filter.FilterModule().filters()) == ['removal_report_rows']


def test_files_with_marker():
    content = base64.b64encode(b'# The front of the cluster endpoint (ascend_ops.vllm.vllm_router): one\n').decode('ascii')
    results = [{'content': content, 'item': {'path': '/etc/haproxy/haproxy.cfg', 'marker': '(ascend_ops.vllm.vllm_router)'}}]
    assert marker_filter.files_with_marker(results) == ['/etc/haproxy/haproxy.cfg']


def test_removal_report_rows():
    record = {'removed': ['npu-exporter'], 'kept': []}
    rows = rows_filter.removal_report_rows([{'inventory_hostname': 'n', 'npu_exporter_removed': record}])
    assert rows == [{'host': 'n', 'part': 'NPU exporter', 'removed': 'npu-exporter', 'kept': '-'}]


def test_bad_input_is_a_filter_error_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.files_with_marker: .*loop item'):
        marker_filter.files_with_marker([{'content': ''}])
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.removal_report_rows'):
        rows_filter.removal_report_rows([{'inventory_hostname': 'n', 'vllm_serve_removed': 'all of it'}])
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.removal_report_rows'):
        rows_filter.removal_report_rows(None)
