# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: davinci_devices
short_description: NPU ids or an NPU count to /dev/davinciN device paths
author: ascend_ops.vllm contributors
description:
  - Turns Ascend NPU ids into the device nodes a container needs, one C(/dev/davinciN) per NPU, in the order given.
  - An NPU id is the device index used everywhere on a node, N in C(/dev/davinciN), in C(hccn_tool -i N) and the Phy-ID
    column of C(npu-smi info) on Atlas 800 A3 (the NPU id on A2).
  - A count C(n) stands for the ids C(0) to C(n-1).
  - The shared device nodes C(/dev/davinci_manager), C(/dev/devmm_svm) and C(/dev/hisi_hdc) are not included; every container
    needs them in addition.
options:
  _input:
    description:
      - A list of distinct NPU ids (integers >= 0; digit strings are accepted), or a count of NPUs.
    type: raw
    required: true
  node_type:
    description:
      - A node type of the catalog (C(atlas_800_a2), C(atlas_800_a3) or one added in O(catalog)).
      - When set, ids must exist on that node type and a count may not exceed its NPUs.
    type: str
  catalog:
    description:
      - "Extra catalog entries, C({node_types: {...}, models: {...}}), the same as the C(catalog) key of
        P(ascend_ops.vllm.serving_layout#filter)."
    type: dict
seealso:
  - plugin: ascend_ops.vllm.serving_layout
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Devices of a replica
  ansible.builtin.debug:
    msg: "{{ [4, 5] | ascend_ops.vllm.davinci_devices }}"
    # Produces: ['/dev/davinci4', '/dev/davinci5']

- name: All devices of an Atlas 800 A2
  ansible.builtin.debug:
    msg: "{{ 8 | ascend_ops.vllm.davinci_devices(node_type='atlas_800_a2') }}"
    # Produces: ['/dev/davinci0', ..., '/dev/davinci7']

- name: Docker --device arguments
  ansible.builtin.set_fact:
    device_args: "{{ [0, 1] | ascend_ops.vllm.davinci_devices | map('regex_replace', '^', '--device=') | list }}"
"""

RETURN = r"""
_value:
  description: The device paths, one per NPU, in input order.
  type: list
  elements: str
  sample: ['/dev/davinci0', '/dev/davinci1']
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._catalog import CatalogError, lookup_node_type, merged_catalog
from ansible_collections.ascend_ops.vllm.plugins.module_utils._devices import DeviceListError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._devices import davinci_devices as _davinci_devices

FILTER_NAME = 'ascend_ops.vllm.davinci_devices'


def davinci_devices(ids_or_count, node_type=None, catalog=None):
    """NPU ids (or a count) to ``/dev/davinciN`` paths."""
    try:
        limit = lookup_node_type(merged_catalog(catalog), node_type)['npus'] if node_type is not None else None
        return _davinci_devices(ids_or_count, limit)
    except (CatalogError, DeviceListError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """NPU device path filter."""

    def filters(self):
        return {'davinci_devices': davinci_devices}
