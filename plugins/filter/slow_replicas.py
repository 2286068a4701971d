# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slow_replicas
short_description: The replicas whose output throughput falls below a share of their node type's median
author: ascend_ops.vllm contributors
description:
  - Among the rows of P(ascend_ops.vllm.bench_rows#filter) of the nodes in O(node_types), groups the replicas by node type and
    returns those whose output throughput is below O(fraction) x the median of their group.
  - The cluster endpoint is not compared; a node type with one measured replica has nothing to compare with.
options:
  _input:
    description: The summary's rows.
    type: list
    elements: dict
    required: true
  fraction:
    description: The share of the median, in (0, 1].
    type: float
    required: true
  node_types:
    description: Node name -> node type.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Fail on slow replicas
  ansible.builtin.assert:
    that: slow | length == 0
    fail_msg: "{{ slow | map(attribute='node') | zip(slow | map(attribute='text')) | map('join', ': ') | join('; ') }}"
  vars:
    slow: "{{ rows | ascend_ops.vllm.slow_replicas(0.7, bench.node_types) }}"
"""

RETURN = r"""
_value:
  description: One record per slow replica, C(node), C(replica), C(node_type), C(output_throughput), C(median), C(threshold), C(text).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import BenchError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import slow_replicas as _slow_replicas

FILTER_NAME = 'ascend_ops.vllm.slow_replicas'


def slow_replicas(rows, fraction, node_types):
    """The slow replicas of a benchmark run."""
    try:
        return _slow_replicas(rows, float(fraction), node_types or {})
    except (BenchError, ValueError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Slow replicas filter."""

    def filters(self):
        return {'slow_replicas': slow_replicas}
