# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_ping_outcomes
short_description: Record each NPU pair's ping outcome from the hccn_check module's answers
author: ascend_ops.vllm contributors
description:
  - Takes a node's pairs (P(ascend_ops.vllm.hccl_ping_pairs#filter)) and the C(npus) the
    P(ascend_ops.vllm.hccn_check#module) module returned for their targets (P(ascend_ops.vllm.hccl_ping_targets#filter)),
    and returns every pair with C(transmitted), C(received), C(error) and C(ok).
  - The module answers per NPU, its pings in the order given; they are matched back to the pairs in that order.
  - A pair is ok when packets were sent and every one was answered. A pair whose peer NPU has no address fails unpinged
    (C(error) V(the peer NPU has no address)).
  - The pairs come out grouped by local NPU, in the order the NPUs first appear in the pairs.
options:
  _input:
    description: The pairs, each with C(npu), C(peer), C(peer_npu) and C(address).
    type: list
    elements: dict
    required: true
  answers:
    description: The module's C(npus) (each with C(id) and C(ping)); empty when nothing was pinged.
    type: list
    elements: dict
    default: []
seealso:
  - plugin: ascend_ops.vllm.hccl_ping_pairs
    plugin_type: filter
  - module: ascend_ops.vllm.hccn_check
"""

EXAMPLES = r"""
- name: Record each pair's outcome
  ansible.builtin.set_fact:
    hccl_check_pairs: "{{ pairs | ascend_ops.vllm.hccl_ping_outcomes(answers=pinged.npus | default([])) }}"
"""

RETURN = r"""
_value:
  description: The pairs with their outcome.
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
      description: The address pinged, V(null) when the peer NPU has none.
      type: str
    transmitted:
      description: Packets sent.
      type: int
    received:
      description: Replies received.
      type: int
    error:
      description: What hccn_tool said when it refused to ping, or why the pair was not pinged; V(null) otherwise.
      type: str
    ok:
      description: Whether packets were sent and every one was answered.
      type: bool
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import HcclError, ping_outcomes

FILTER_NAME = 'ascend_ops.vllm.hccl_ping_outcomes'


def hccl_ping_outcomes(pairs, answers=()):
    """The pairs with their outcome."""
    try:
        return ping_outcomes(pairs, answers or [])
    except (HcclError, AttributeError, KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Ping outcomes filter."""

    def filters(self):
        return {'hccl_ping_outcomes': hccl_ping_outcomes}
