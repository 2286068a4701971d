# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_address_clashes
short_description: Find NPU addresses the inventory gives to more than one NPU
author: ascend_ops.vllm contributors
description:
  - Takes each node's C(hccl_check_npu_addresses) (NPU i gets item i) and returns every address given to two NPUs or
    more, on one node or several, with its owners.
  - Two NPUs with one address would answer each other's pings; the C(hccl_check) role refuses such an inventory before
    it touches any NPU.
options:
  _input:
    description: Node name -> the list of addresses of its NPUs, in NPU id order.
    type: dict
    required: true
seealso:
  - plugin: ascend_ops.vllm.hccl_shared_addresses
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Refuse an address given twice
  ansible.builtin.assert:
    that: clashes | length == 0
    fail_msg: "the same address for several NPUs: {{ clashes | map(attribute='summary') | join('; ') }}"
  vars:
    clashes: "{{ {'node-a': ['10.20.1.1', '10.20.1.2'], 'node-b': ['10.20.1.2']} | ascend_ops.vllm.hccl_address_clashes }}"
    # [{address: 10.20.1.2, owners: [{node: node-a, npu: 1}, {node: node-b, npu: 0}],
    #   summary: "10.20.1.2 (node-a NPU 1, node-b NPU 0)"}]
"""

RETURN = r"""
_value:
  description: The addresses given more than once, in the order they first appear.
  type: list
  elements: dict
  contains:
    address:
      description: The address.
      type: str
    owners:
      description: The NPUs given it, each with C(node) and C(npu).
      type: list
      elements: dict
    summary:
      description: 'The address and its owners in words, such as "10.20.1.2 (node-a NPU 1, node-b NPU 0)".'
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import HcclError, address_clashes

FILTER_NAME = 'ascend_ops.vllm.hccl_address_clashes'


def hccl_address_clashes(addresses_by_node):
    """Addresses given to more than one NPU."""
    try:
        return address_clashes(addresses_by_node)
    except (HcclError, AttributeError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Address clashes filter."""

    def filters(self):
        return {'hccl_address_clashes': hccl_address_clashes}
