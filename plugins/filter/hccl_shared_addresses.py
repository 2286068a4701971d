# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_shared_addresses
short_description: Find NPU addresses that more than one NPU answers to
author: ascend_ops.vllm contributors
description:
  - Takes every node's NPU results (the C(npus) of P(ascend_ops.vllm.hccn_check#module)) and returns every address that
    two NPUs or more have, on one node or several, with its owners.
  - Such an address (a copied C(hccn.conf)) makes pings succeed that prove nothing;
    P(ascend_ops.vllm.hccl_problems#filter) names it as a problem of each owner.
  - One pass over nodes x NPUs; a node mapped to V(null) is left out.
options:
  _input:
    description: Node name -> its NPU results, each with C(id) and C(ip) (C(address), C(netmask) or V(null)).
    type: dict
    required: true
seealso:
  - plugin: ascend_ops.vllm.hccl_problems
    plugin_type: filter
  - plugin: ascend_ops.vllm.hccl_address_clashes
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Find NPU addresses used on more than one node
  ansible.builtin.set_fact:
    shared: "{{ npus_by_node | ascend_ops.vllm.hccl_shared_addresses }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The addresses more than one NPU has, in the order they first appear.
  type: list
  elements: dict
  contains:
    address:
      description: The address.
      type: str
    owners:
      description: The NPUs that have it, each with C(node) and C(npu).
      type: list
      elements: dict
    summary:
      description: 'The address and its owners in words, such as "10.20.1.2 (node-a NPU 1, node-b NPU 0)".'
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import HcclError, shared_addresses

FILTER_NAME = 'ascend_ops.vllm.hccl_shared_addresses'


def hccl_shared_addresses(npus_by_node):
    """Addresses more than one NPU has."""
    try:
        return shared_addresses(npus_by_node)
    except (HcclError, AttributeError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Shared addresses filter."""

    def filters(self):
        return {'hccl_shared_addresses': hccl_shared_addresses}
