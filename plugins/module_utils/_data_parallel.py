# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One vLLM data-parallel group across several nodes: each node's share of the ranks.

Private to the collection. Pure: no Jinja, no I/O; the ``data_parallel_layout``
filter is a thin wrapper.

The pattern of the vllm-ascend multi-node tutorials: the first node of the
group (the head) runs the API server and the rpc endpoint the others join;
every other node runs ``--headless`` with ``--data-parallel-start-rank`` = the
ranks placed on the nodes before it. Every node names the head's address and
the same rpc port, the group's total ``--data-parallel-size`` and its own
``--data-parallel-size-local`` (its local plan's replica count: one rank per
replica-sized block of NPUs), and gets ``HCCL_IF_IP`` = its own address and
``GLOO_SOCKET_IFNAME`` / ``TP_SOCKET_IFNAME`` / ``HCCL_SOCKET_IFNAME`` = the
interface that address is on.

The head serves only once every rank has joined with the same sizes, so
anything inconsistent here would show up only as a node that never joins:
differing tensor-parallel sizes or models, a group of one node, a node with
no ranks and an rpc port that another planned port already takes are refused
with :class:`DataParallelError`, whose message names what to change.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import HCCL_PORTS_PER_BASE
from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import PORT_STRIDE as VLLM_PORTS_PER_BASE

DEFAULT_RPC_PORT = 13389
# The serving plan (_layout) spaces the ports: HCCL listens on
# HCCL_PORTS_PER_BASE ports from a replica's base, vLLM probes up to the next
# replica's VLLM_PORT (PORT_STRIDE) from its own.

SOCKET_INTERFACE_VARIABLES = ('GLOO_SOCKET_IFNAME', 'TP_SOCKET_IFNAME', 'HCCL_SOCKET_IFNAME')
NODE_KEYS = frozenset(['name', 'address', 'interface', 'layout', 'local_ranks', 'tensor_parallel_size', 'model', 'reserved_ports'])

# Linux interface names: up to 15 characters, no slash, colon or whitespace.
_INTERFACE_NAME = re.compile(r'^[A-Za-z0-9_.@-]{1,15}$')

# (first port, last port, what uses them)
PortRange = Tuple[int, int, str]


class DataParallelError(ValueError):
    """The group cannot run; ``setting`` names the input to change."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__('%s: %s' % (setting, message))
        self.setting = setting


# ---------------------------------------------------------------- inputs


def _positive_int(value: Any, setting: str, minimum: int = 1, maximum: Optional[int] = None) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataParallelError(setting, 'must be an integer, got %r' % (value,))
    if value < minimum or (maximum is not None and value > maximum):
        bounds = '>= %d' % minimum if maximum is None else 'within %d-%d' % (minimum, maximum)
        raise DataParallelError(setting, 'must be %s, got %d' % (bounds, value))
    return value


def layout_reserved_ports(layout: Mapping[str, Any]) -> List[PortRange]:
    """The ports a serving plan gives its replicas: API port, HCCL's and vLLM's ranges."""
    ranges = []  # type: List[PortRange]
    for replica in layout.get('replicas') or []:
        name = 'r%s' % replica.get('index', '?')
        if replica.get('port') is not None:
            ranges.append((int(replica['port']), int(replica['port']), 'the API port of replica %s' % name))
        if replica.get('hccl_base_port') is not None:
            base = int(replica['hccl_base_port'])
            ranges.append((base, base + HCCL_PORTS_PER_BASE - 1, 'the HCCL ports of replica %s' % name))
        if replica.get('vllm_port') is not None:
            base = int(replica['vllm_port'])
            ranges.append((base, base + VLLM_PORTS_PER_BASE - 1, 'the VLLM_PORT range of replica %s' % name))
    return ranges


def _reserved_ports(node: Mapping[str, Any], name: str) -> List[PortRange]:
    ranges = []  # type: List[PortRange]
    for entry in node.get('reserved_ports') or []:
        if not isinstance(entry, Mapping) or 'first' not in entry:
            raise DataParallelError('%s.reserved_ports' % name, 'entries are {first, last, what}, got %r' % (entry,))
        first = _positive_int(entry['first'], '%s.reserved_ports' % name, 1, 65535)
        last = _positive_int(entry.get('last', first), '%s.reserved_ports' % name, first, 65535)
        ranges.append((first, last, str(entry.get('what', 'a planned port'))))
    return ranges


def _address(value: Any, name: str) -> Optional[str]:
    if value is None or value == '':
        return None
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise DataParallelError('%s.address' % name, 'must be the IP address of the node (HCCL_IF_IP takes no host name), got %r'
                                % (value,))


def _interface(value: Any, name: str) -> Optional[str]:
    if value is None or value == '':
        return None
    if not isinstance(value, str) or not _INTERFACE_NAME.match(value):
        raise DataParallelError('%s.interface' % name, 'must be a network interface name such as eth0, got %r' % (value,))
    return value


def _node(node: Any, position: int) -> Dict[str, Any]:
    """One node's input, checked and normalised: name, address, interface, local_ranks, tensor_parallel_size, model, ports."""
    if not isinstance(node, Mapping):
        raise DataParallelError('_input[%d]' % position, 'each node is a dictionary with name, address, interface and layout'
                                ' (or local_ranks and tensor_parallel_size), got %r' % (node,))
    name = node.get('name')
    if not isinstance(name, str) or not name.strip():
        raise DataParallelError('_input[%d].name' % position, 'required: the node\'s inventory name')
    unknown = sorted(str(key) for key in node if key not in NODE_KEYS)
    if unknown:
        raise DataParallelError('%s.%s' % (name, unknown[0]), 'unknown key; known: %s' % ', '.join(sorted(NODE_KEYS)))
    layout = node.get('layout')
    if layout is not None and not isinstance(layout, Mapping):
        raise DataParallelError('%s.layout' % name, 'must be the node\'s serving plan (ascend_ops.vllm.serving_layout), got %r' % (layout,))
    layout = layout or {}
    local_ranks = node.get('local_ranks', len(layout['replicas']) if 'replicas' in layout else None)
    if local_ranks is None:
        raise DataParallelError('%s.local_ranks' % name, 'required (or give layout, the node\'s serving plan)')
    local_ranks = _positive_int(local_ranks, '%s.local_ranks' % name, 0)
    if local_ranks == 0:
        raise DataParallelError('%s.local_ranks' % name, 'the node has no data-parallel rank (its plan has no replica): give it usable'
                                ' NPUs (vllm_serve_exclude_npus, vllm_serve_replicas) or take it out of the group')
    tensor_parallel_size = node.get('tensor_parallel_size', layout.get('tensor_parallel_size'))
    if tensor_parallel_size is None:
        raise DataParallelError('%s.tensor_parallel_size' % name, 'required (or give layout, the node\'s serving plan)')
    return {
        'name': name,
        'address': _address(node.get('address'), name),
        'interface': _interface(node.get('interface'), name),
        'local_ranks': local_ranks,
        'tensor_parallel_size': _positive_int(tensor_parallel_size, '%s.tensor_parallel_size' % name),
        'model': node.get('model', layout.get('model')),
        'reserved_ports': layout_reserved_ports(layout) + _reserved_ports(node, name),
    }


# ---------------------------------------------------------------- group checks


def _check_same(nodes: Sequence[Mapping[str, Any]], key: str, setting: str, fix: str) -> None:
    values = [node[key] for node in nodes if node[key] is not None]
    if len(set(values)) > 1:
        raise DataParallelError(setting, 'differs across the group (%s); every node of a data-parallel group must run the same: %s'
                                % (', '.join('%s %s' % (node['name'], node[key]) for node in nodes), fix))


def _check_rpc_port(nodes: Sequence[Mapping[str, Any]], rpc_port: int) -> None:
    for node in nodes:
        for first, last, what in node['reserved_ports']:
            if first <= rpc_port <= last:
                raise DataParallelError('rpc_port', '%d is among %s on %s (%d-%d); choose an rpc port outside every node\'s planned'
                                        ' ports (default %d)' % (rpc_port, what, node['name'], first, last, DEFAULT_RPC_PORT))


def _check_group(nodes: Any) -> List[Dict[str, Any]]:
    if not isinstance(nodes, (list, tuple)):
        raise DataParallelError('_input', 'expected the list of the group\'s nodes, head first, got %r' % (nodes,))
    checked = [_node(node, position) for position, node in enumerate(nodes)]
    if len(checked) < 2:
        raise DataParallelError('_input', 'a data-parallel group needs at least two nodes, got %d (%s): add nodes to the group, or'
                                ' leave data parallelism off and serve the node on its own'
                                % (len(checked), ', '.join(node['name'] for node in checked) or 'none'))
    names = [node['name'] for node in checked]
    twice = sorted(set(name for name in names if names.count(name) > 1))
    if twice:
        raise DataParallelError('_input', 'node %s is listed more than once' % ', '.join(twice))
    _check_same(checked, 'tensor_parallel_size', 'tensor_parallel_size',
                'set vllm_serve_tensor_parallel_size for the whole group (ranks of different sizes cannot form one group)')
    _check_same(checked, 'model', 'model', 'set ascend_model (vllm_serve_model) for the whole group')
    return checked


# ---------------------------------------------------------------- plan


def data_parallel_layout(nodes: Sequence[Mapping[str, Any]], rpc_port: Any = DEFAULT_RPC_PORT) -> Dict[str, Any]:
    """Each node's data-parallel options and environment; the first node is the head.

    ``address`` and ``interface`` may be left out (a check of the group before
    facts are known): the entries that need them are then left out too.
    """
    checked = _check_group(nodes)
    rpc_port = _positive_int(DEFAULT_RPC_PORT if rpc_port is None else rpc_port, 'rpc_port', 1, 65535)
    _check_rpc_port(checked, rpc_port)

    size = sum(node['local_ranks'] for node in checked)
    head = checked[0]
    result_nodes = []
    start_rank = 0
    for position, node in enumerate(checked):
        is_head = position == 0
        options = {
            'data_parallel_size': size,
            'data_parallel_size_local': node['local_ranks'],
            'data_parallel_rpc_port': rpc_port,
        }  # type: Dict[str, Any]
        if head['address'] is not None:
            options['data_parallel_address'] = head['address']
        if not is_head:
            options['headless'] = True
            options['data_parallel_start_rank'] = start_rank
        env = {}  # type: Dict[str, str]
        if node['address'] is not None:
            env['HCCL_IF_IP'] = node['address']
        if node['interface'] is not None:
            env.update((variable, node['interface']) for variable in SOCKET_INTERFACE_VARIABLES)
        last_rank = start_rank + node['local_ranks'] - 1
        result_nodes.append({
            'name': node['name'],
            'role': 'head' if is_head else 'headless',
            'head': is_head,
            'start_rank': start_rank,
            'last_rank': last_rank,
            'local_ranks': node['local_ranks'],
            'address': node['address'],
            'interface': node['interface'],
            'description': '%s ranks %d-%d of %d' % ('head' if is_head else 'headless', start_rank, last_rank, size),
            'serve_options': options,
            'env': env,
        })
        start_rank = last_rank + 1
    return {
        'size': size,
        'tensor_parallel_size': head['tensor_parallel_size'],
        'model': head['model'],
        'head': head['name'],
        'address': head['address'],
        'rpc_port': rpc_port,
        'nodes': result_nodes,
    }
