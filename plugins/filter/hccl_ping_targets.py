# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_ping_targets
short_description: The ping targets of each NPU, for the hccn_check module
author: ascend_ops.vllm contributors
description:
  - Takes a node's pairs (P(ascend_ops.vllm.hccl_ping_pairs#filter)) and returns, for each local NPU, the addresses it
    pings in the pairs' order, as O(ascend_ops.vllm.hccn_check#module:ping_targets) takes them.
  - Pairs whose peer NPU has no address are left out; there is nothing to ping.
options:
  _input:
    description: The pairs, each with C(npu) and C(address).
    type: list
    elements: dict
    required: true
seealso:
  - plugin: ascend_ops.vllm.hccl_ping_pairs
    plugin_type: filter
  - module: ascend_ops.vllm.hccn_check
"""

EXAMPLES = r"""
- name: Ping the pairs
  ascend_ops.vllm.hccn_check:
    npus: "{{ targets | list | map('int') | sort }}"
    checks: []
    ping_targets: "{{ targets }}"
  vars:
    targets: "{{ pairs | ascend_ops.vllm.hccl_ping_targets }}"
    # {'0': ['10.20.2.1'], '1': ['10.20.2.2']}
"""

RETURN = r"""
_value:
  description: NPU id (as text) -> the addresses that NPU pings; NPUs with nothing to ping are absent.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import ping_targets

FILTER_NAME = 'ascend_ops.vllm.hccl_ping_targets'


def hccl_ping_targets(pairs):
    """NPU id -> addresses to ping."""
    try:
        return ping_targets(pairs)
    except (AttributeError, KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: expected pairs from ascend_ops.vllm.hccl_ping_pairs: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Ping targets filter."""

    def filters(self):
        return {'hccl_ping_targets': hccl_ping_targets}
