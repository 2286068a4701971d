# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_report
short_description: Gather the nodes' NPU network results into one report
author: ascend_ops.vllm contributors
description:
  - Takes the nodes to report on and the variables of every host (C(hostvars)), reads each node's C(hccl_check_rows),
    C(hccl_check_problems) and C(hccl_check_pairs) (the facts the C(hccl_check) role leaves) and returns the report's rows,
    problems and pairs and its C(data).
  - A node without C(hccl_check_rows) (unreachable, failed before its checks ended, or a check run that stopped after
    planning NPU settings) gets a row with status V(no result) and a problem that says so.
  - O(run) is the record of the check (P(ascend_ops.vllm.hccl_last_run#filter)); its C(checks), C(ping_pattern) and
    C(ping_hops) go into C(data), V(unknown) without one.
options:
  _input:
    description: The nodes to report on, in the report's order.
    type: list
    elements: str
    required: true
  hostvars:
    description: The variables of every host, C(hostvars).
    type: dict
    required: true
  run:
    description: The record of the check, with C(checks), C(ping_pattern) and C(ping_hops).
    type: dict
seealso:
  - plugin: ascend_ops.vllm.hccl_last_run
    plugin_type: filter
  - plugin: ascend_ops.vllm.hccl_rows
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Gather the nodes' results
  ansible.builtin.set_fact:
    hccl_report: "{{ groups['all'] | ascend_ops.vllm.hccl_report(hostvars, run=groups['all'] | ascend_ops.vllm.hccl_last_run(hostvars)) }}"
  run_once: true

- name: Say what failed
  ansible.builtin.debug:
    msg: "{{ hccl_report.problems | map(attribute='message') | list }}"
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    rows:
      description: Every node's rows (P(ascend_ops.vllm.hccl_rows#filter)), node by node.
      type: list
      elements: dict
    problems:
      description: Every node's problems (P(ascend_ops.vllm.hccl_problems#filter)), node by node.
      type: list
      elements: dict
    pairs:
      description: Every node's pairs, each with C(node) added.
      type: list
      elements: dict
    data:
      description:
        - The report's data, C(healthy), C(nodes), C(nodes_without_result), C(checks), C(ping_pattern), C(ping_hops),
          C(pairs_checked), C(pairs_per_node) (node -> its pairs, by node name), C(pairs_failed), C(failing_pairs) and
          C(problems).
      type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import HcclError, report

FILTER_NAME = 'ascend_ops.vllm.hccl_report'


def _results(hosts, hostvars):
    results = {}
    for node in hosts:
        node_vars = hostvars[node] if node in hostvars else {}
        rows = node_vars.get('hccl_check_rows')
        results[node] = None if rows is None else {
            'rows': rows, 'problems': node_vars.get('hccl_check_problems'), 'pairs': node_vars.get('hccl_check_pairs')}
    return results


def hccl_report(hosts, hostvars, run=None):
    """The report over the nodes."""
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError('%s: hostvars must be the variables of every host (hostvars), got %r' % (FILTER_NAME, hostvars))
    if isinstance(hosts, str):
        hosts = [hosts]
    try:
        return report(list(hosts), _results(hosts, hostvars), run if isinstance(run, Mapping) else None)
    except (HcclError, AttributeError, KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Report filter."""

    def filters(self):
        return {'hccl_report': hccl_report}
