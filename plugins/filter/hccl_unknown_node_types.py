# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_unknown_node_types
short_description: Name the hosts whose node type is not in the catalog
author: ascend_ops.vllm contributors
description:
  - Takes each host's C(ascend_node_type) and the known node types, and returns "host (value)" for every host whose value
    is not among them, in the order given, for a validation message that names them all.
options:
  _input:
    description: Host name -> its node type (for example V(unset) when it has none).
    type: dict
    required: true
  known:
    description: The node types of the catalog.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Check every host says which board it is
  ansible.builtin.assert:
    that: unknown | length == 0
    fail_msg: "ascend_node_type is wrong or missing on: {{ unknown | join(', ') }}"
  vars:
    unknown: >-
      {{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars)
              | map(attribute='ascend_node_type', default='unset')))
         | ascend_ops.vllm.hccl_unknown_node_types(['atlas_800_a2', 'atlas_800_a3']) }}
    # ['npu-a2-03 (atlas_800_a5)', 'npu-a3-02 (unset)']
  run_once: true
"""

RETURN = r"""
_value:
  description: '"host (value)" for each host whose node type is unknown.'
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import unknown_node_types

FILTER_NAME = 'ascend_ops.vllm.hccl_unknown_node_types'


def hccl_unknown_node_types(node_types, known):
    """The hosts whose node type is unknown."""
    if not isinstance(node_types, Mapping):
        raise AnsibleFilterError('%s: expected host name -> node type, got %r' % (FILTER_NAME, node_types))
    return unknown_node_types(node_types, list(known))


class FilterModule(object):
    """Unknown node types filter."""

    def filters(self):
        return {'hccl_unknown_node_types': hccl_unknown_node_types}
