# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_rows
short_description: The report rows of one node's NPU network check, one per NPU
author: ascend_ops.vllm contributors
description:
  - Takes a node's NPU results, problems (P(ascend_ops.vllm.hccl_problems#filter)) and pairs
    (P(ascend_ops.vllm.hccl_ping_outcomes#filter)) and returns one row per NPU that answered or has a problem, by NPU id.
  - Each column says what a check saw, V(-) when it was not checked and V(none) when nothing is configured; C(hccn_conf) is
    V(ok) or what was wrong; C(lldp) is the switch port or what C(hccn_tool) said instead.
  - "C(ping) counts the NPU's own pings and names the peers that failed, such as C(0/2 ok; failed: hc-a3 NPU 3, hc-a3 NPU 11);
    C(status) lists the checks that failed, V(ok) when none."
options:
  _input:
    description: The NPU results (the C(npus) of P(ascend_ops.vllm.hccn_check#module)).
    type: list
    elements: dict
    required: true
  node:
    description: The node's name, the first column.
    type: str
    required: true
  problems:
    description: The node's problems.
    type: list
    elements: dict
    default: []
  pairs:
    description: The node's pairs with their outcome.
    type: list
    elements: dict
    default: []
  checks:
    description: The checks that ran; C(hccn_conf) shows V(-) when it is not among them.
    type: list
    elements: str
    required: true
seealso:
  - plugin: ascend_ops.vllm.hccl_problems
    plugin_type: filter
  - plugin: ascend_ops.vllm.hccl_report
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Tabulate this node's NPUs
  ansible.builtin.set_fact:
    rows: >-
      {{ npus | ascend_ops.vllm.hccl_rows(node=inventory_hostname, problems=problems, pairs=pairs,
                                           checks=['link', 'net_health', 'ip', 'hccn_conf']) }}
    # [{node: hc-a2-1, npu: 0, address: 10.20.62.1, link: UP, net_health: Success, hccn_conf: ok, netdetect: '-',
    #   gateway: '-', lldp: '-', ping: 2/2 ok, status: ok}, ...]
"""

RETURN = r"""
_value:
  description: One row per NPU, keyed by the report's columns.
  type: list
  elements: dict
  contains:
    node:
      description: The node.
      type: str
    npu:
      description: The NPU id.
      type: int
    address:
      description: The NPU's address.
      type: str
    link:
      description: The link status.
      type: str
    net_health:
      description: The net health status.
      type: str
    hccn_conf:
      description: V(ok), or what is wrong with the NPU's C(hccn.conf) entry.
      type: str
    netdetect:
      description: The detect address.
      type: str
    gateway:
      description: The gateway.
      type: str
    lldp:
      description: The switch port, or what C(hccn_tool) said instead.
      type: str
    ping:
      description: The NPU's pings that were answered, and the peers that failed.
      type: str
    status:
      description: The checks that failed, V(ok) when none.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import HcclError, rows

FILTER_NAME = 'ascend_ops.vllm.hccl_rows'


def hccl_rows(npus, node, checks, problems=(), pairs=()):
    """One report row per NPU of one node."""
    try:
        return rows(node, npus, problems or [], pairs or [], checks)
    except (HcclError, AttributeError, KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Report rows filter."""

    def filters(self):
        return {'hccl_rows': hccl_rows}
