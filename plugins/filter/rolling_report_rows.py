# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_report_rows
short_description: The rows of the upgrade report, one per rolling step
author: ascend_ops.vllm contributors
description:
  - One row per step of every node that ran one (its fact C(vllm_serve_rolling_steps)) - node, step, replicas started, old
    replicas replaced, capacity taken, requests in flight at removal, drain, result (replaced, rolled back, failed) and reason.
options:
  _input:
    description: The nodes' variables (C(hostvars)), in inventory order.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Report the rolling change
  ansible.builtin.debug:
    msg: "{{ groups['all'] | map('extract', hostvars) | ascend_ops.vllm.rolling_report_rows }}"
"""

RETURN = r"""
_value:
  description: The rows.
  type: list
  elements: dict
  sample:
    - {node: npu-a2-01, step: 0, replicas: vllm-qwen3.5-r0, replaces: vllm-qwen3.5-r0, capacity taken: 1 of 2 replicas,
       in flight: 3, drain: "drained: 3 in flight at removal finished", result: replaced, reason: passed}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import RollingError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import report_rows

FILTER_NAME = 'ascend_ops.vllm.rolling_report_rows'


def rolling_report_rows(nodes):
    """Report rows of a rolling change."""
    try:
        return report_rows(list(nodes))
    except (RollingError, AttributeError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Rolling report rows filter."""

    def filters(self):
        return {'rolling_report_rows': rolling_report_rows}
