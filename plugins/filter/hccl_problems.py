# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_problems
short_description: Judge one node's NPU network, naming node, NPU, check and peer of every problem
author: ascend_ops.vllm contributors
description:
  - "Takes what P(ascend_ops.vllm.hccn_check#module) returned for a node's per-NPU checks and returns every problem of the
    node, each with a C(message) such as C(hc-a2-1 NPU 3 link: saw DOWN, expected link status UP)."
  - "In this order, the module's problems on the checks of O(checks), one C(device) problem per NPU of the board
    (O(npu_count) of O(node_type)) that is missing, one C(ip) problem per NPU whose address another NPU has
    (O(shared_addresses)), and one C(ping) problem per failed pair of O(pairs), naming the peer and its address, such as
    'hc-a2-0 NPU 3 ping to hc-a2-1 NPU 3 (10.20.62.4): saw 0 of 3 replies, expected every packet answered'."
options:
  _input:
    description: The module's result, with C(npus) and C(problems).
    type: dict
    required: true
  node:
    description: The node's name, the start of every message.
    type: str
    required: true
  checks:
    description: The checks to judge; the module's problems on other checks are left out.
    type: list
    elements: str
    required: true
  npu_count:
    description: How many NPUs the node's board has (ids 0 to O(npu_count) - 1).
    type: int
    required: true
  node_type:
    description: The node type, named in a C(device) problem.
    type: str
    required: true
  shared_addresses:
    description: The addresses more than one NPU has (P(ascend_ops.vllm.hccl_shared_addresses#filter)).
    type: list
    elements: dict
    default: []
  pairs:
    description: The node's pairs with their outcome (P(ascend_ops.vllm.hccl_ping_outcomes#filter)).
    type: list
    elements: dict
    default: []
seealso:
  - plugin: ascend_ops.vllm.hccl_rows
    plugin_type: filter
  - module: ascend_ops.vllm.hccn_check
"""

EXAMPLES = r"""
- name: Judge this node's NPUs and pairs
  ansible.builtin.set_fact:
    problems: >-
      {{ probe | ascend_ops.vllm.hccl_problems(node=inventory_hostname, checks=['link', 'ip'], npu_count=8,
                                                node_type='atlas_800_a2', shared_addresses=shared, pairs=pairs) }}

- name: Fail naming every problem
  ansible.builtin.fail:
    msg: "{{ problems | map(attribute='message') | join('; ') }}"
  when: problems | length > 0
"""

RETURN = r"""
_value:
  description: The node's problems.
  type: list
  elements: dict
  contains:
    node:
      description: The node.
      type: str
    npu:
      description: The NPU id.
      type: int
    check:
      description: The check, V(device), V(link), V(net_health), V(ip), V(hccn_conf), V(netdetect), V(gateway), V(lldp) or V(ping).
      type: str
    seen:
      description: What was seen.
      type: str
    expected:
      description: What a healthy NPU shows.
      type: str
    message:
      description: The same in one sentence, with the node in front.
      type: str
    peer:
      description: The node pinged.
      type: str
      returned: for a ping
    peer_npu:
      description: The peer's NPU id.
      type: int
      returned: for a ping
    address:
      description: The address pinged, V(null) when the peer NPU has none.
      type: str
      returned: for a ping
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import HcclError, problems

FILTER_NAME = 'ascend_ops.vllm.hccl_problems'


def hccl_problems(probe, node, checks, npu_count, node_type, shared_addresses=(), pairs=()):
    """Every problem of one node."""
    try:
        return problems(node, probe, checks, int(npu_count), node_type, shared_addresses or [], pairs or [])
    except (HcclError, AttributeError, KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Verdict filter."""

    def filters(self):
        return {'hccl_problems': hccl_problems}
