# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: removal_report_rows
short_description: The rows of playbooks/remove.yml's report - what went and what stayed, per host and part
author: ascend_ops.vllm contributors
description:
  - One row per host and part (C(monitoring), C(router), C(replicas), C(NPU exporter), C(image), C(weights)) whose remove entry
    point ran on it, from the fact that entry point sets (C(prometheus_removed), C(vllm_router_removed), C(vllm_serve_removed),
    C(npu_exporter_removed), C(vllm_image_removed), C(model_weights_removed), each with C(removed) and C(kept), lists of names).
  - A part with nothing removed or nothing kept shows C(-) there, so a second run's report still lists every part it looked at.
options:
  _input:
    description: The hosts' variables (C(hostvars)), in inventory order.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Write the removal report
  ansible.builtin.include_role:
    name: ascend_ops.vllm.report
  vars:
    report_name: remove
    report_columns: [host, part, removed, kept]
    report_rows: "{{ groups['all'] | map('extract', hostvars) | ascend_ops.vllm.removal_report_rows }}"
"""

RETURN = r"""
_value:
  description: The rows, keyed by the report's columns.
  type: list
  elements: dict
  sample: [{host: npu-a2-01, part: replicas, removed: "vllm-qwen3.6-r0, /etc/ascend_ops/vllm/vllm-qwen3.6-r0.sh", kept: "-"}]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._removal import RemovalError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._removal import removal_rows

FILTER_NAME = 'ascend_ops.vllm.removal_report_rows'


def removal_report_rows(hosts):
    """Report rows of the removal."""
    try:
        return removal_rows(list(hosts))
    except (RemovalError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Removal report rows filter."""

    def filters(self):
        return {'removal_report_rows': removal_report_rows}
