# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: weights_peer_plan
short_description: Which node each node copies the model's weights from, when the nodes share no storage
author: ascend_ops.vllm contributors
description:
  - Nodes on a C(local) weight cache that download the same repository and revision from the same hub form one group. Its
    source is its first node (in play order) whose copy is complete, else its first node, which downloads from the hub;
    every other node of the group that is not complete copies from the source inside the cluster.
  - Nodes on shared storage, and nodes whose weights come from a C(path) or C(archive), stage on their own (empty group).
options:
  _input:
    description:
      - The nodes in play order, each C(host), C(storage), C(source), C(endpoint), C(repository), C(revision), C(complete)
        (its copy matches the record of a verified stage) and C(address) (where the other nodes reach it).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the copies
  ansible.builtin.set_fact:
    peer: "{{ (nodes | ascend_ops.vllm.weights_peer_plan)[inventory_hostname] }}"
"""

RETURN = r"""
_value:
  description: Host -> its part.
  type: dict
  sample:
    npu-a2-01: {source: npu-a2-01, address: 10.0.0.11, copy: false, serves: [npu-a2-02]}
    npu-a2-02: {source: npu-a2-01, address: 10.0.0.11, copy: true, serves: []}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._artifacts import ArtifactError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._artifacts import weights_peer_plan as _weights_peer_plan

FILTER_NAME = 'ascend_ops.vllm.weights_peer_plan'


def weights_peer_plan(nodes):
    """The peer copy plan of ``nodes``."""
    if not isinstance(nodes, (list, tuple)) or not all(isinstance(node, dict) for node in nodes):
        raise AnsibleFilterError('%s: a list of nodes (dictionaries) is needed, not %r' % (FILTER_NAME, nodes))
    try:
        return _weights_peer_plan(nodes)
    except ArtifactError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Weights copied between nodes."""

    def filters(self):
        return {'weights_peer_plan': weights_peer_plan}
