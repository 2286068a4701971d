# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_targets
short_description: The endpoints one benchmark run measures, in the batches they run in
author: ascend_ops.vllm contributors
description:
  - From the serving nodes' variables (their plan C(ascend_serving_layout)) and the router hosts' C(vllm_router_instances),
    the targets of C(vllm bench serve) - the cluster endpoint (the router's front, one per served model) and every API
    replica of every node (a data-parallel group's head only) - each with the tokenizer directory it is given on the client.
  - "Batches: each cluster endpoint alone, then every replica at once (O(together)), or each replica alone."
  - Without a router and without O(cluster_url) the cluster endpoint is skipped, and C(notes) says so.
  - Fails naming C(vllm_bench_tokenizer) when the client is no serving node and no tokenizer directory is given.
options:
  _input:
    description: The serving nodes' variables (C(hostvars)), in inventory order.
    type: list
    elements: dict
    required: true
  routers:
    description: The router hosts' variables (C(hostvars)); the first with C(vllm_router_instances) gives the cluster endpoints.
    type: list
    elements: dict
    default: []
  groups:
    description: The inventory's groups (C(groups)), to find the head of a data-parallel group.
    type: dict
    default: {}
  kinds:
    description: What to measure, a list of C(cluster) and C(replicas).
    type: list
    elements: str
    default: [cluster, replicas]
  together:
    description: Measure every replica at the same time (one batch), else one after the other.
    type: bool
    default: true
  client:
    description: The host that runs C(vllm bench serve).
    type: str
    default: localhost
  tokenizer:
    description: The tokenizer directory on the client for every target; empty takes the plan's model directory on a serving node.
    type: str
    default: ""
  tokenizers:
    description: Served model name -> tokenizer directory on the client, before O(tokenizer).
    type: dict
    default: {}
  cluster_url:
    description: The cluster endpoint given by the user (before the routers').
    type: str
    default: ""
  cluster_model:
    description: The served model name O(cluster_url) answers for; empty when the nodes serve one model.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Work out the targets
  ansible.builtin.set_fact:
    bench: >-
      {{ groups['ascend_serving_nodes'] | map('extract', hostvars) | list
         | ascend_ops.vllm.bench_targets(routers=groups['vllm_router'] | default([]) | map('extract', hostvars) | list,
                                         groups=groups, client='localhost', tokenizer='/data/models/Qwen3.6-27B-w8a8') }}
"""

RETURN = r"""
_value:
  description: The run's targets.
  type: dict
  contains:
    targets:
      description: >-
        One per endpoint: C(name) (result file and label), C(kind) (C(cluster) or C(replica)), C(node), C(node_type),
        C(replica), C(model) (served name), C(url), C(model_path), C(tokenizer), C(note).
      type: list
      elements: dict
    batches:
      description: Lists of target names; the targets of one batch run at the same time.
      type: list
      elements: list
    notes:
      description: What was skipped and why.
      type: list
      elements: str
    node_types:
      description: Node name -> node type, for the slow-replica verdict.
      type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import BenchError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import bench_targets as _bench_targets

FILTER_NAME = 'ascend_ops.vllm.bench_targets'


def bench_targets(nodes, routers=None, groups=None, kinds=None, together=True, client='localhost', tokenizer='',
                  tokenizers=None, cluster_url='', cluster_model=''):
    """The targets of one benchmark run."""
    try:
        return _bench_targets(nodes, routers=routers or [], groups=groups or {}, kinds=kinds or ['cluster', 'replicas'],
                              together=bool(together), client=str(client), tokenizer=str(tokenizer or ''),
                              tokenizers=tokenizers or {}, cluster_url=str(cluster_url or ''),
                              cluster_model=str(cluster_model or ''))
    except BenchError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Benchmark targets filter."""

    def filters(self):
        return {'bench_targets': bench_targets}
