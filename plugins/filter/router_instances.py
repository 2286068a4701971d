# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: router_instances
short_description: The vLLM router instances of the cluster endpoint, one per served model, with their workers
author: ascend_ops.vllm contributors
description:
  - Groups every API replica of the serving nodes by served model name, and gives each model one C(vllm-router)
    instance with its ports, its workers and its command-line options.
  - "A node's workers: its verified endpoints (C(vllm_serve_endpoints), the URL without C(/v1)) when the verify phase ran,
    else its plan (C(ascend_serving_layout)) at the address the verified records use (C(ansible_host), else the inventory
    name), so check mode shows the planned workers. A data-parallel group serves through its head only
    (C(ascend_data_parallel_layout.head)); headless ranks have no URL. A node with neither gives nothing."
  - Instances are ordered by model name; instance C(i) listens on O(settings.port_base) + C(i) (the router, on
    O(settings.address)), O(settings.metrics_port_base) + C(i) (its metrics) and O(settings.front_port_base) + C(i) (the
    front clients reach), unless O(settings.front_ports) names the model.
  - One router per model because vllm-router learns a worker's model from the worker's C(/v1/models), which needs the API
    key; routing by model name in one router would need the key on the router's command line.
  - The options never carry C(--api-key) (the router forwards the client's C(Authorization) header) nor the workers
    (they come from the instance's workers file, C(--worker-urls)).
options:
  _input:
    description: The variables of each serving node (C(groups['all'] | map('extract', hostvars))).
    type: list
    elements: dict
    required: true
  settings:
    description:
      - "The router settings, any of C(policy) (round_robin), C(address) (127.0.0.1), C(port_base) (30000),
        C(metrics_address) (127.0.0.1), C(metrics_port_base) (29000), C(front_address) (0.0.0.0), C(front_port_base) (8080),
        C(front_ports) ({}), C(tls) (false), C(health_check_interval) (10), C(health_check_timeout) (5),
        C(health_failure_threshold) (3), C(health_success_threshold) (2), C(health_check_endpoint) (/health),
        C(retry_max_retries) (3; 1 disables retries), C(circuit_breaker) (true), C(cb_failure_threshold) (5),
        C(cb_success_threshold) (2), C(cb_timeout) (30), C(request_timeout) (1800), C(worker_startup_timeout) (600),
        C(log_level) (info)."
    type: dict
    default: {}
  router_address:
    description: The router host's address; when given, each instance gets its RV(_value[].front_url).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The router instances over every replica of the serving nodes
  ansible.builtin.set_fact:
    vllm_router_instances: >-
      {{ groups['all'] | map('extract', hostvars) | ascend_ops.vllm.router_instances(
           settings={'policy': 'round_robin', 'health_check_interval': 1}, router_address=ansible_host) }}
"""

RETURN = r"""
_value:
  description: One router instance per served model.
  type: list
  elements: dict
  contains:
    name:
      description: The instance name (systemd C(vllm-router@NAME)), the model name in lower case with safe characters.
      type: str
      sample: qwen3.6
    model:
      description: The served model name clients request.
      type: str
      sample: qwen3.6
    port:
      description: The router's port.
      type: int
      sample: 30000
    metrics_port:
      description: The router's Prometheus port.
      type: int
      sample: 29000
    front_port:
      description: The front's port for this model.
      type: int
      sample: 8080
    front_url:
      description: The URL clients use (only with O(router_address)).
      type: str
      sample: http://10.0.0.5:8080
    workers:
      description: The worker URLs, in inventory order.
      type: list
      elements: str
      sample: [http://10.0.0.11:8000, http://10.0.0.11:8001]
    args:
      description: The vllm-router options, workers apart.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _router

FILTER_NAME = 'ascend_ops.vllm.router_instances'


def router_instances(nodes, settings=None, router_address=''):
    """The router instances of the cluster endpoint."""
    try:
        return _router.router_instances(nodes, settings, router_address=router_address)
    except _router.RouterError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: unexpected node variables: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """The router instances of the cluster endpoint."""

    def filters(self):
        return {'router_instances': router_instances}
