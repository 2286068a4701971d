# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: router_report_rows
short_description: The rows of deploy.yml's cluster endpoint table
author: ascend_ops.vllm contributors
description:
  - One row per router instance of every router host given - router host, model, URL, workers healthy of total and the
    answer through the front (shortened to about 60 characters) - from C(vllm_router_endpoints) where this run verified
    them, else from the planned C(vllm_router_instances) as C(planned, not verified) (check mode).
  - A host with neither gives no row.
options:
  _input:
    description: The variables of each router host (C(groups['vllm_router'] | map('extract', hostvars))).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The cluster endpoint rows
  ansible.builtin.set_fact:
    __rows: "{{ groups['vllm_router'] | default([]) | map('extract', hostvars) | ascend_ops.vllm.router_report_rows }}"
"""

RETURN = r"""
_value:
  description: The table's rows.
  type: list
  elements: dict
  sample:
    - {router: router-01, model: qwen3.6, url: "http://10.0.0.5:8080", workers: 12/12 healthy, answer: Paris}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _router

FILTER_NAME = 'ascend_ops.vllm.router_report_rows'


def router_report_rows(nodes):
    """The rows of the cluster endpoint table."""
    try:
        return _router.report_rows(nodes)
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: unexpected host variables: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """The rows of the cluster endpoint table."""

    def filters(self):
        return {'router_report_rows': router_report_rows}
