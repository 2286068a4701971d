# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_routers
short_description: The router of a served model on each router host, for a rolling step
author: ascend_ops.vllm contributors
description:
  - The router hosts that planned an instance for the model (C(vllm_router_instances), set by the vllm_router role's plan step)
    and the loopback URL of that instance, where its run-time API (C(/list_workers), C(/remove_worker), C(/add_worker)) answers.
options:
  _input:
    description: The router hosts' variables (C(hostvars)).
    type: list
    elements: dict
    required: true
  model:
    description: The served model name.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Find the routers of this node's model
  ansible.builtin.set_fact:
    routers: "{{ groups['vllm_router'] | map('extract', hostvars) | ascend_ops.vllm.rolling_routers(model='qwen3.5') }}"
"""

RETURN = r"""
_value:
  description: One entry per router host with an instance for the model.
  type: list
  elements: dict
  sample: [{host: router-01, url: "http://127.0.0.1:30000"}]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import RollingError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import router_targets

FILTER_NAME = 'ascend_ops.vllm.rolling_routers'


def rolling_routers(routers, model):
    """Router instances of a model."""
    try:
        return router_targets(list(routers), str(model))
    except (RollingError, KeyError, AttributeError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Rolling routers filter."""

    def filters(self):
        return {'rolling_routers': rolling_routers}
