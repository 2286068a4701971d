# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: router_unhealthy_workers
short_description: The workers a vLLM router does not report healthy, from its Prometheus metrics
author: ascend_ops.vllm contributors
description:
  - Reads C(vllm_router_worker_health{worker="URL"} 1|0) from the text of the router's metrics (its
    C(--prometheus-port)) and returns the workers of O(workers) that are not at 1; a worker the router does not list
    counts as not healthy.
options:
  _input:
    description: The metrics text (C(ansible.builtin.uri) with C(return_content), its C(content)).
    type: str
    required: true
  workers:
    description: The worker URLs that should be healthy.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Wait until the router sees every worker healthy
  ansible.builtin.uri:
    url: http://127.0.0.1:29000/metrics
    return_content: true
  register: __metrics
  until: __metrics.content | default('') | ascend_ops.vllm.router_unhealthy_workers(['http://10.0.0.11:8000']) | length == 0
  retries: 30
  delay: 2
"""

RETURN = r"""
_value:
  description: The workers of O(workers) not reported healthy, in their order.
  type: list
  elements: str
  sample: [http://10.0.0.11:8001]
"""

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _router


def router_unhealthy_workers(metrics, workers):
    """The workers the router does not report healthy."""
    return _router.unhealthy_workers(metrics, workers)


class FilterModule(object):
    """The workers a router does not report healthy."""

    def filters(self):
        return {'router_unhealthy_workers': router_unhealthy_workers}
