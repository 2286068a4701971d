# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_ping_pairs
short_description: Choose the NPU pairs one node pings across nodes (ring or all pairs)
author: ascend_ops.vllm contributors
description:
  - Takes every node of the play, in play order, with its NPU results (the C(npus) of P(ascend_ops.vllm.hccn_check#module))
    and returns the pings of one node, each with the local NPU, the peer node and NPU, and the peer NPU's address.
  - The nodes with results form a ring; a node mapped to V(null) (its checks did not finish) leaves it.
  - With O(pattern=ring) the node pings the node O(hops) places after it in the ring, NPU x to NPU x. Where the two boards
    differ in size, the NPUs of the smaller one wrap around (an Atlas 800 A2 NPU x pings NPUs x and x + 8 of an A3; A3 NPU x
    pings A2 NPU x mod 8), so every NPU of both boards sends or receives; max(its NPUs, the peer's NPUs) pings per peer.
  - With O(pattern=all_pairs) every NPU pings every NPU of every other node.
  - A peer NPU without an address is kept, with C(address) V(null); P(ascend_ops.vllm.hccl_ping_outcomes#filter)
    records it as failed.
  - C(docs/hccl.md) in the collection says which faults each pattern finds.
options:
  _input:
    description: Node name -> its NPU results (each with C(id) and C(ip)), every node of the play in play order.
    type: dict
    required: true
  node:
    description: The node whose pings are chosen; it must have results.
    type: str
    required: true
  pattern:
    description: V(ring) or V(all_pairs).
    type: str
    choices: [ring, all_pairs]
    default: ring
  hops:
    description: With V(ring), the distances in the ring to the nodes pinged, each >= 1.
    type: list
    elements: int
    default: [1]
seealso:
  - plugin: ascend_ops.vllm.hccl_ping_targets
    plugin_type: filter
  - plugin: ascend_ops.vllm.hccl_ping_outcomes
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Choose this node's pings, the next node of the ring
  ansible.builtin.set_fact:
    pairs: >-
      {{ {'node-a': [{'id': 0, 'ip': {'address': '10.20.1.1', 'netmask': '255.255.0.0'}}],
          'node-b': [{'id': 0, 'ip': {'address': '10.20.2.1', 'netmask': '255.255.0.0'}}]}
         | ascend_ops.vllm.hccl_ping_pairs(node='node-a') }}
    # [{npu: 0, peer: node-b, peer_npu: 0, address: 10.20.2.1}]

- name: Two rings, to the next node and the one after it
  ansible.builtin.set_fact:
    pairs: "{{ npus_by_node | ascend_ops.vllm.hccl_ping_pairs(node=inventory_hostname, hops=[1, 2]) }}"
"""

RETURN = r"""
_value:
  description: The node's pings, peer by peer in ring order.
  type: list
  elements: dict
  contains:
    npu:
      description: The local NPU id.
      type: int
    peer:
      description: The node pinged.
      type: str
    peer_npu:
      description: The peer's NPU id.
      type: int
    address:
      description: The peer NPU's address, V(null) when it has none.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import HcclError, ping_pairs

FILTER_NAME = 'ascend_ops.vllm.hccl_ping_pairs'


def hccl_ping_pairs(npus_by_node, node, pattern='ring', hops=(1,)):
    """The pings of one node."""
    try:
        return ping_pairs(node, npus_by_node, pattern, hops)
    except (HcclError, AttributeError, KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Ping plan filter."""

    def filters(self):
        return {'hccl_ping_pairs': hccl_ping_pairs}
