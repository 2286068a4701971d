# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_batches
short_description: The nodes of a rolling change in batches, a data-parallel group as one batch
author: ascend_ops.vllm contributors
description:
  - Cuts the serving nodes, in inventory order, into batches of O(serial) nodes; the nodes of one data-parallel group (which
    serves only while every rank runs) are one batch of their own whatever O(serial) says, where its first node stands.
options:
  _input:
    description: The serving nodes, in inventory order.
    type: list
    elements: str
    required: true
  serial:
    description: Nodes changed at once.
    type: int
    default: 1
  groups:
    description: Node name to its data-parallel group (C(vllm_serve_data_parallel_group)); empty or absent for none.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Work out the batches
  ansible.builtin.set_fact:
    batches: "{{ groups['ascend_serving_nodes'] | ascend_ops.vllm.rolling_batches(serial=1, groups={'dp0': 'dp', 'dp1': 'dp'}) }}"
  # batches.sizes is a play's serial: list, batches.order its hosts (upgrade.yml puts them in groups with add_host)
"""

RETURN = r"""
_value:
  description: The batches.
  type: dict
  contains:
    batches:
      description: Lists of nodes.
      type: list
      elements: list
      sample: [[npu-a2-01], [npu-dp-01, npu-dp-02], [npu-a2-02]]
    order:
      description: The nodes batch after batch.
      type: list
      elements: str
    sizes:
      description: The size of each batch, for a play's C(serial) list.
      type: list
      elements: int
      sample: [1, 2, 1]
    members:
      description: C([node, batch index]) pairs, batch after batch (for M(ansible.builtin.add_host) into a group per batch).
      type: list
      elements: list
      sample: [[npu-a2-01, 0], [npu-dp-01, 1], [npu-dp-02, 1], [npu-a2-02, 2]]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import RollingError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import node_batches

FILTER_NAME = 'ascend_ops.vllm.rolling_batches'


def rolling_batches(hosts, serial=1, groups=None):
    """Batches of nodes for a rolling change."""
    try:
        return node_batches(list(hosts), int(serial) if isinstance(serial, str) and serial.isdigit() else serial, groups or {})
    except (RollingError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Rolling batches filter."""

    def filters(self):
        return {'rolling_batches': rolling_batches}
