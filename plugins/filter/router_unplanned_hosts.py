# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: router_unplanned_hosts
short_description: The serving nodes a run has no facts of, whose router workers must stay
author: ascend_ops.vllm contributors
description:
  - Of the serving nodes' variables, the addresses (C(ansible_host), else the inventory name) of the nodes that have a
    node type (C(ascend_node_type)) but neither verified endpoints (C(vllm_serve_endpoints)) nor a plan
    (C(ascend_serving_layout)) in this run, as when C(--limit) leaves them out.
  - The role C(ascend_ops.vllm.vllm_router) passes them to C(ascend_ops.vllm.vllm_router_workers) as O(keep_hosts), so a
    deploy limited to some nodes does not take the other nodes' replicas out of the router.
options:
  _input:
    description: The serving nodes' variables (C(hostvars) of each).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Keep the workers of nodes this run left out
  ascend_ops.vllm.vllm_router_workers:
    url: http://127.0.0.1:30000
    workers: "{{ instance.workers }}"
    keep_hosts: "{{ groups['all'] | map('extract', hostvars) | ascend_ops.vllm.router_unplanned_hosts }}"
"""

RETURN = r"""
_value:
  description: The addresses of the nodes left out, in the order given.
  type: list
  elements: str
  sample: [npu-a2-02]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _router


def router_unplanned_hosts(nodes):
    """Addresses of serving nodes without facts in this run."""
    try:
        return _router.unplanned_hosts(nodes)
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('ascend_ops.vllm.router_unplanned_hosts: unexpected input: %s' % error)


class FilterModule(object):
    """Serving nodes a run has no facts of."""

    def filters(self):
        return {'router_unplanned_hosts': router_unplanned_hosts}
