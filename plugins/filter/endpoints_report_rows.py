# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: endpoints_report_rows
short_description: The rows of deploy.yml's endpoints table
author: ascend_ops.vllm contributors
description:
  - One row per replica of every node given - node, replica, NPUs, port, model, health, the answer (shortened to
    about 60 characters) and the reason it is not healthy - from the node's endpoints (C(vllm_serve_endpoints)) where
    this run verified them (C(healthy), C(hung), C(unhealthy), C(failed), C(no answer)), otherwise from its plan
    (C(ascend_serving_layout)) as C(not verified) (check mode, a run of some phases only).
  - A node the run lost on the way (O(dropped)) without verified endpoints gives its planned replicas, or one row
    without a plan, as C(failed) or C(unreachable), instead of being left out.
  - A node with none of these gives no row.
options:
  _input:
    description:
      - The variables of each node (C(groups['all'] | map('extract', hostvars))).
    type: list
    elements: dict
    required: true
  dropped:
    description:
      - The hosts the run lost on the way, host -> C(failed) or C(unreachable) (the filter C(ascend_ops.vllm.dropped_hosts)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Write and show the endpoints table
  ansible.builtin.include_role:
    name: ascend_ops.vllm.report
  vars:
    report_rows: "{{ groups['all'] | map('extract', hostvars) | ascend_ops.vllm.endpoints_report_rows(dropped={'sv-a3': 'unreachable'}) }}"
"""

RETURN = r"""
_value:
  description: The table's rows.
  type: list
  elements: dict
  sample:
    - {node: sv-a2, replica: vllm-qwen3.6-r0, npus: "0,1", port: 8000, model: qwen3.6, health: healthy, answer: Paris, reason: ""}
    - {node: sv-a2, replica: vllm-qwen3.6-r1, npus: "2,3", port: 8001, model: qwen3.6, health: hung, answer: "",
       reason: /health answers 200 but no completion came within 120 s}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _endpoints

FILTER_NAME = 'ascend_ops.vllm.endpoints_report_rows'


def endpoints_report_rows(nodes, dropped=None):
    """The rows of the endpoints table."""
    try:
        return _endpoints.report_rows(nodes, dropped or {})
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: unexpected node variables: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """The rows of deploy.yml's endpoints table."""

    def filters(self):
        return {'endpoints_report_rows': endpoints_report_rows}
