# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_pending_settings
short_description: Plan the NPU network settings that differ from the inventory
author: ascend_ops.vllm contributors
description:
  - Takes what P(ascend_ops.vllm.hccn_check#module) read on a node (checks V(ip), V(netdetect), V(gateway)) and returns one
    entry per setting that differs from the inventory, with the C(hccn_tool -i N) arguments that set it.
  - NPU i is given item i of O(addresses) with O(netmask); NPUs beyond the list are left alone. O(netdetect) and O(gateway)
    are set when not empty.
  - Per NPU the address comes first, then the detect address, then the gateway, which C(hccn_tool) refuses outside the
    NPU's segment.
options:
  _input:
    description: The module's C(npus), each with C(id), C(ip), C(netdetect) and C(gateway).
    type: list
    elements: dict
    required: true
  addresses:
    description: One address per NPU, in NPU id order.
    type: list
    elements: str
    required: true
  netmask:
    description: The netmask of every address.
    type: str
    required: true
  netdetect:
    description: The detect address of every NPU; empty leaves it as it is.
    type: str
    default: ""
  gateway:
    description: The gateway of every NPU; empty leaves it as it is.
    type: str
    default: ""
seealso:
  - module: ascend_ops.vllm.hccn_check
"""

EXAMPLES = r"""
- name: Plan the settings that differ from the inventory
  ansible.builtin.set_fact:
    pending: >-
      {{ current.npus | ascend_ops.vllm.hccl_pending_settings(addresses=['10.20.1.1', '10.20.1.2'],
                                                               netmask='255.255.0.0', gateway='10.20.0.1') }}
    # [{npu: 0, setting: ip, current: none, wanted: 10.20.1.1 netmask 255.255.0.0,
    #   args: [-ip, -s, address, 10.20.1.1, netmask, 255.255.0.0], summary: "NPU 0 ip: none -> 10.20.1.1 netmask 255.255.0.0"}, ...]

- name: Set them
  ansible.builtin.command:
    argv: "{{ ['/usr/local/Ascend/driver/tools/hccn_tool', '-i', item.npu | string] + item.args }}"
  loop: "{{ pending }}"
  loop_control:
    label: "{{ item.summary }}"
  changed_when: true
"""

RETURN = r"""
_value:
  description: The settings to change, NPU by NPU.
  type: list
  elements: dict
  contains:
    npu:
      description: The NPU id.
      type: int
    setting:
      description: V(ip), V(netdetect) or V(gateway).
      type: str
    current:
      description: What the NPU has (C(<address> netmask <mask>) for V(ip)), V(none) when nothing is set.
      type: str
    wanted:
      description: What the inventory gives it.
      type: str
    args:
      description: The arguments after C(hccn_tool -i N).
      type: list
      elements: str
    summary:
      description: "The change in words, such as C(NPU 0 ip: none -> 10.20.1.1 netmask 255.255.0.0)."
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import HcclError, pending_settings

FILTER_NAME = 'ascend_ops.vllm.hccl_pending_settings'


def hccl_pending_settings(current, addresses, netmask, netdetect='', gateway=''):
    """The settings that differ from the inventory."""
    try:
        return pending_settings(current, addresses, netmask, netdetect or '', gateway or '')
    except (HcclError, AttributeError, KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Pending NPU settings filter."""

    def filters(self):
        return {'hccl_pending_settings': hccl_pending_settings}
