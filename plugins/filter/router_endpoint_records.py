# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: router_endpoint_records
short_description: One record per vLLM router instance of a router host, for the fact vllm_router_endpoints
author: ascend_ops.vllm contributors
description:
  - Joins a router host's instances with what verifying them gave - the front URL, each worker's health from the
    router's metrics, the text of the completion sent through the front - into one record per instance.
options:
  _input:
    description: The router instances (P(ascend_ops.vllm.router_instances#filter)).
    type: list
    elements: dict
    required: true
  router:
    description: The router host's inventory name.
    type: str
    required: true
  front_urls:
    description: Each instance's front URL, in the order of O(_input).
    type: list
    elements: str
    required: true
  metrics:
    description: The loop results of reading each instance's metrics (C(ansible.builtin.uri), C(return_content)).
    type: list
    elements: dict
    required: true
  answers:
    description: The loop results of one completion through each instance's front (C(ansible.builtin.uri)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Record the verified cluster endpoints
  ansible.builtin.set_fact:
    vllm_router_endpoints: >-
      {{ vllm_router_instances | ascend_ops.vllm.router_endpoint_records(router=inventory_hostname,
           front_urls=vllm_router_instances | map(attribute='front_url'), metrics=__metrics.results,
           answers=__answers.results) }}
"""

RETURN = r"""
_value:
  description: One record per instance.
  type: list
  elements: dict
  contains:
    router:
      description: The router host.
      type: str
    instance:
      description: The instance name.
      type: str
    model:
      description: The served model name.
      type: str
    url:
      description: The front URL clients use.
      type: str
      sample: http://10.0.0.5:8080
    port:
      description: The router's own port on loopback (its run-time API).
      type: int
    metrics_port:
      description: The port of the router's Prometheus metrics.
      type: int
    front_port:
      description: The front's port for this model.
      type: int
    workers:
      description: Each worker, C(url) and C(healthy).
      type: list
      elements: dict
    healthy:
      description: How many workers the router reports healthy.
      type: int
    total:
      description: How many workers the instance has.
      type: int
    all_healthy:
      description: Whether the router reports every worker healthy.
      type: bool
    answer:
      description: The text of the completion sent through the front.
      type: str
    error:
      description: Why the completion gave no text (model, HTTP status, error), V('') when it gave text.
      type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _router

FILTER_NAME = 'ascend_ops.vllm.router_endpoint_records'


def router_endpoint_records(instances, router, front_urls, metrics, answers):
    """One record per router instance."""
    try:
        return _router.endpoint_records(router, instances, list(front_urls), metrics, answers)
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('%s: unexpected input: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Records of the cluster endpoints."""

    def filters(self):
        return {'router_endpoint_records': router_endpoint_records}
