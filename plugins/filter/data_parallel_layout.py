# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: data_parallel_layout
short_description: Split one vLLM data-parallel group across several Ascend nodes
author: ascend_ops.vllm contributors
description:
  - Takes the nodes of one data-parallel group in order, the head first, and returns each node's C(vllm serve) options and
    environment, as the vllm-ascend multi-node tutorials start them.
  - Every node runs one vLLM process holding its local ranks; a node's local ranks are its serving plan's replicas
    (P(ascend_ops.vllm.serving_layout#filter)), one rank per tensor-parallel block of NPUs.
  - "Every node gets C(--data-parallel-size) (the sum of the local ranks), C(--data-parallel-size-local) (its own),
    C(--data-parallel-address) (the head's address) and C(--data-parallel-rpc-port) (the same everywhere). The other nodes
    add C(--headless) and C(--data-parallel-start-rank), the ranks placed on the nodes before them."
  - Every node gets C(HCCL_IF_IP) = its own address, and C(GLOO_SOCKET_IFNAME), C(TP_SOCKET_IFNAME) and C(HCCL_SOCKET_IFNAME)
    = its interface.
  - Refuses, naming what to change, a group of fewer than two nodes, a node without ranks, tensor-parallel sizes or models that
    differ across the nodes, an address that is not an IP address, and an rpc port that falls on a planned API, HCCL or
    C(VLLM_PORT) port of a node.
  - The options are meant to be combined over a replica's C(serve_options) and the environment over its C(env).
options:
  _input:
    description:
      - The nodes of the group in order, the head first. Each is a dictionary with C(name) (the inventory name), C(address)
        (its IP address, C(HCCL_IF_IP)), C(interface) (the network interface of that address) and C(layout) (its serving plan,
        which gives the local ranks, the tensor-parallel size, the model and the planned ports).
      - Instead of C(layout), C(local_ranks) and C(tensor_parallel_size) (optionally C(model) and C(reserved_ports), a list of
        C({first, last, what})).
      - C(address) and C(interface) may be left out to check a group before facts are known; the entries that need them are
        then missing from the result.
    type: list
    elements: dict
    required: true
  rpc_port:
    description: The data-parallel rpc port the head listens on, the same on every node.
    type: int
    default: 13389
seealso:
  - plugin: ascend_ops.vllm.serving_layout
    plugin_type: filter
  - plugin: ascend_ops.vllm.vllm_serve_args
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Two Atlas 800 A2 as one group of 8 ranks (TP2 x 4 per node)
  ansible.builtin.set_fact:
    dp_group: >-
      {{ [{'name': 'node0', 'address': '192.168.1.10', 'interface': 'eth0', 'local_ranks': 4, 'tensor_parallel_size': 2},
          {'name': 'node1', 'address': '192.168.1.11', 'interface': 'eth0', 'local_ranks': 4, 'tensor_parallel_size': 2}]
         | ascend_ops.vllm.data_parallel_layout }}
    # dp_group.nodes[1].serve_options: {data_parallel_size: 8, data_parallel_size_local: 4, data_parallel_address: 192.168.1.10,
    #   data_parallel_rpc_port: 13389, headless: true, data_parallel_start_rank: 4}

- name: The group of an inventory group, from each node's plan and facts
  ansible.builtin.set_fact:
    dp_group: >-
      {{ groups['dp_group_1'] | map('extract', hostvars)
         | map(attribute='dp_node') | list
         | ascend_ops.vllm.data_parallel_layout(rpc_port=13389) }}
"""

RETURN = r"""
_value:
  description: The group and each node's share.
  type: dict
  contains:
    size:
      description: The group's C(--data-parallel-size), the sum of every node's local ranks.
      type: int
      sample: 8
    tensor_parallel_size:
      description: The tensor-parallel size of every rank.
      type: int
    model:
      description: The model of the nodes' plans (null when not given).
      type: str
    head:
      description: The head node's name (the first node).
      type: str
    address:
      description: The head's address (C(--data-parallel-address)); null when the head's address was not given.
      type: str
    rpc_port:
      description: The C(--data-parallel-rpc-port).
      type: int
      sample: 13389
    nodes:
      description: One entry per node, in the order given.
      type: list
      elements: dict
      contains:
        name:
          description: The node's name.
          type: str
        role:
          description: C(head) or C(headless).
          type: str
        head:
          description: Whether the node is the head (runs the API server).
          type: bool
        start_rank:
          description: The node's first rank (C(--data-parallel-start-rank) on headless nodes).
          type: int
        last_rank:
          description: The node's last rank.
          type: int
        local_ranks:
          description: The node's C(--data-parallel-size-local).
          type: int
        address:
          description: The node's address.
          type: str
        interface:
          description: The node's interface.
          type: str
        description:
          description: A label such as C(headless ranks 4-7 of 8).
          type: str
        serve_options:
          description: The node's data-parallel C(vllm serve) options, to combine over a replica's C(serve_options).
          type: dict
        env:
          description: C(HCCL_IF_IP), C(GLOO_SOCKET_IFNAME), C(TP_SOCKET_IFNAME), C(HCCL_SOCKET_IFNAME).
          type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._data_parallel import DEFAULT_RPC_PORT, DataParallelError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._data_parallel import data_parallel_layout as _data_parallel_layout

FILTER_NAME = 'ascend_ops.vllm.data_parallel_layout'


def data_parallel_layout(nodes, rpc_port=DEFAULT_RPC_PORT):
    """Each node's share of one data-parallel group."""
    try:
        return _data_parallel_layout(nodes, rpc_port)
    except DataParallelError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Data-parallel layout filter."""

    def filters(self):
        return {'data_parallel_layout': data_parallel_layout}
