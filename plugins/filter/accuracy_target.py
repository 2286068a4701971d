# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: accuracy_target
short_description: The one endpoint an AISBench accuracy run evaluates
author: ascend_ops.vllm contributors
description:
  - O(url) (set by the user) wins, for O(model) or the one model the serving nodes serve.
  - Else O(target) - C(cluster) is the router's front (the first router host with C(vllm_router_instances); with several served
    models O(model) picks one), C(replica) one replica of the serving nodes' plans (O(replica) names it, else the first replica of
    the first node; a data-parallel group is one API, on its head).
  - Fails naming the variable (C(vllm_accuracy_target), C(vllm_accuracy_url), C(vllm_accuracy_model), C(vllm_accuracy_replica))
    and the accepted values.
options:
  _input:
    description: The hostvars of the serving nodes (each with its plan C(ascend_serving_layout)).
    type: list
    elements: dict
    required: true
  routers:
    description: The hostvars of the router hosts (their C(vllm_router_instances)).
    type: list
    elements: dict
    default: []
  groups:
    description: The inventory's groups (C(groups)), for the data-parallel groups.
    type: dict
    default: {}
  target:
    description: C(cluster) or C(replica).
    type: str
    default: cluster
  url:
    description: An endpoint given by hand, such as C(http://llm.example.internal:8080); wins over O(target).
    type: str
    default: ''
  model:
    description: The served model name to evaluate; empty when the endpoint serves one model.
    type: str
    default: ''
  replica:
    description: With O(target=replica), C(<node>/<replica>), C(<node>) (its first replica) or the target name C(<node>-<replica>).
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Evaluate the cluster endpoint
  ansible.builtin.set_fact:
    endpoint: "{{ serving_nodes | ascend_ops.vllm.accuracy_target(routers=router_hosts, groups=groups) }}"
"""

RETURN = r"""
_value:
  description: The endpoint - C(name), C(kind) (C(cluster) or C(replica)), C(node), C(replica), C(model) (the served model name),
    C(url) (no trailing slash), C(note).
  type: dict
  sample: {name: cluster-qwen3.6, kind: cluster, node: cluster, replica: "http://router-0:8080", model: qwen3.6,
           url: "http://router-0:8080", note: "router router-0, 4 workers"}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import AccuracyError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import accuracy_target as _accuracy_target

FILTER_NAME = 'ascend_ops.vllm.accuracy_target'


def accuracy_target(nodes, routers=None, groups=None, target='cluster', url='', model='', replica=''):
    """The endpoint the accuracy run evaluates."""
    try:
        return _accuracy_target(nodes or [], routers or [], groups or {}, target=target, url=url or '', model=model or '',
                                replica=replica or '')
    except (AccuracyError, KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Accuracy endpoint filter."""

    def filters(self):
        return {'accuracy_target': accuracy_target}
