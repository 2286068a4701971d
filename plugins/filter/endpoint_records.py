# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: endpoint_records
short_description: The verified endpoints of a node, one record per container
author: ascend_ops.vllm contributors
description:
  - Joins each API replica's container information, its C(/health) and the answer it gave to a completion, and each
    headless data-parallel container's information, into the records of the fact C(vllm_serve_endpoints) - node,
    replica, NPUs, port, URL, model, health, reason, serving, container id, start time, answer and data-parallel part.
  - C(health) is the verdict - C(healthy); C(hung) when C(/health) answered 200 but the completion got no answer within
    O(timeout); C(no answer) for an error or no text; the container's health status (C(unhealthy), C(starting)) or
    C(failed) (exited, restarted, gone) for one that did not come up; C(running) or C(failed) for a headless rank.
    C(reason) says why it is not healthy (for a failed one the last line its log shows an error on), C(serving)
    whether it takes requests (the routers' workers are those).
options:
  _input:
    description:
      - The loop results of the API replicas' container information (each C(item) the replica).
    type: list
    elements: dict
    required: true
  node:
    description: The node's inventory name.
    type: str
    required: true
  address:
    description: The address clients use for the node (its C(ansible_host)), in the endpoint URLs.
    type: str
    required: true
  model:
    description: The served model name.
    type: str
    required: true
  answers:
    description: The loop results of the completion requests (joined by C(item.name); skipped ones were not asked).
    type: list
    elements: dict
    required: true
  checks:
    description: The loop results of asking each replica's C(/health) (joined by C(item.name)).
    type: list
    elements: dict
    default: []
  logs:
    description: The loop results of reading the failed replicas' logs (each C(item) a container information result).
    type: list
    elements: dict
    default: []
  timeout:
    description: The completion's timeout in seconds, for the reason of a hung replica.
    type: raw
  headless:
    description: The loop results of the headless data-parallel containers' information.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Record the verified endpoints
  ansible.builtin.set_fact:
    vllm_serve_endpoints: >-
      {{ health.results | ascend_ops.vllm.endpoint_records(node=inventory_hostname, address=ansible_host,
         model='qwen3.6', answers=answers.results, checks=checks.results, logs=logs.results, timeout=120) }}
"""

RETURN = r"""
_value:
  description: One record per container.
  type: list
  elements: dict
  sample:
    - node: sv-a2
      replica: vllm-qwen3.6-r0
      npus: [0, 1]
      port: 8000
      url: http://sv-a2:8000/v1
      model: qwen3.6
      health: healthy
      reason: ""
      serving: true
      container_id: 4f0c...
      started_at: "2026-12-01T21:00:00.000000000Z"
      answer: " Paris"
      data_parallel: ""
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _endpoints

FILTER_NAME = 'ascend_ops.vllm.endpoint_records'


def endpoint_records(health, node, address, model, answers, headless=None, checks=None, logs=None, timeout=None):
    """The records of vllm_serve_endpoints."""
    try:
        return _endpoints.endpoint_records(node, address, model, health, answers, headless or [], checks or [], logs or [], timeout)
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: unexpected results: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """The verified endpoints of a node, one record per container."""

    def filters(self):
        return {'endpoint_records': endpoint_records}
