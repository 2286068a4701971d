# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The NPU network check across nodes: which NPUs ping which, and what the answers mean.

Private to the collection. Pure: no Jinja, no I/O; the ``hccl_*`` filters are thin
wrappers and the ``hccl_check`` role calls them. ``_hccn`` parses hccn_tool and judges
one node's NPUs (the ``hccn_check`` module); this module joins the nodes' results:

* the ping plan: the nodes that answered, in play order, form a ring; with
  ``ring`` NPU x of a node pings NPU x of the node ``hop`` places further (the
  smaller board's NPUs wrap around, so every NPU of both boards sends or
  receives), with ``all_pairs`` every NPU pings every NPU of every other node;
* each pair's outcome, from the module's answers, in the order it pinged;
* addresses that two NPUs own (in the inventory, or answered by the NPUs);
* the settings to give the NPUs from inventory (``hccn_tool -s`` arguments);
* the verdict: every problem of a node as one sentence naming node, NPU,
  check, what was seen and what was expected (and the peer of a ping);
* the report rows (one per NPU) and the report over every node.

An NPU result is one entry of the ``hccn_check`` module's ``npus``: ``id`` and,
for the checks that ran, ``link``, ``net_health``, ``ip`` (``address``,
``netmask`` or None), ``netdetect``, ``gateway``, ``lldp``, ``lldp_error``, ``ping``.
"""

from __future__ import annotations

import collections.abc
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

PATTERNS = ('ring', 'all_pairs')
PING_EXPECTED = 'every packet answered'
NO_PEER_ADDRESS = 'the peer NPU has no address'
NO_PING_ANSWER = 'hccn_check returned no answer for this ping'
SHARED_EXPECTED = 'an address no other NPU has'
NO_RESULT = ('no result (unreachable, failed before its checks ended: see its task error; or check mode'
             ' stopped after planning NPU settings)')
UNKNOWN = 'unknown'

NpuResult = Mapping[str, Any]


class HcclError(ValueError):
    """The input cannot be judged; the message names the input and what is wrong."""


# ---------------------------------------------------------------- helpers


def _npu_id(npu: Any, where: str) -> int:
    if not isinstance(npu, collections.abc.Mapping) or isinstance(npu.get('id'), bool) or not isinstance(npu.get('id'), int):
        raise HcclError('%s: expected hccn_check NPU results (each with an integer id), got %r' % (where, npu))
    return npu['id']


def _address(npu: NpuResult) -> Optional[str]:
    """The NPU's address, None when it has none (or its address was not read)."""
    return (npu.get('ip') or {}).get('address')


def owner_name(node: str, npu: Any) -> str:
    """``hc-a2-1 NPU 3``: how messages name one NPU of one node."""
    return '%s NPU %s' % (node, npu)


def problem_message(node: str, problem: Mapping[str, Any]) -> str:
    """The sentence of one problem, with the node in front."""
    if problem.get('check') == 'ping':
        return '%s NPU %s ping to %s NPU %s (%s): saw %s, expected %s' % (
            node, problem['npu'], problem['peer'], problem['peer_npu'], problem.get('address') or 'no address',
            problem['seen'], problem['expected'])
    return '%s NPU %s %s: saw %s, expected %s' % (node, problem['npu'], problem['check'], problem['seen'], problem['expected'])


# ---------------------------------------------------------------- the ping plan


def _ring(npus_by_node: Mapping[str, Optional[Sequence[NpuResult]]]) -> List[str]:
    """The nodes that answered (their NPU results are known), in the order given."""
    return [node for node, npus in npus_by_node.items() if npus is not None]


def _hops(hops: Sequence[Any]) -> List[int]:
    if isinstance(hops, (str, bytes)) or not isinstance(hops, collections.abc.Sequence) or not hops:
        raise HcclError('hops: expected a non-empty list of ring distances >= 1, got %r' % (hops,))
    checked = []
    for hop in hops:
        if isinstance(hop, str) and hop.strip().isdigit():
            hop = int(hop)
        if isinstance(hop, bool) or not isinstance(hop, int) or hop < 1:
            raise HcclError('hops: expected a non-empty list of ring distances >= 1, got %r' % (hops,))
        checked.append(hop)
    return checked


def ping_peers(node: str, ring: Sequence[str], pattern: str = 'ring', hops: Sequence[Any] = (1,)) -> List[str]:
    """The nodes ``node`` pings: the nodes ``hops`` places after it in ``ring``, or every other node."""
    if pattern not in PATTERNS:
        raise HcclError('pattern: expected one of %s, got %r' % (', '.join(PATTERNS), pattern))
    if node not in ring:
        raise HcclError('%s has no NPU results, so it is not in the ring (%s)' % (node, ', '.join(ring) or 'empty'))
    if pattern == 'all_pairs':
        return [peer for peer in ring if peer != node]
    me = list(ring).index(node)
    peers = []  # type: List[str]
    for hop in _hops(hops):
        peer = ring[(me + hop) % len(ring)]
        if peer != node and peer not in peers:
            peers.append(peer)
    return peers


def ping_pairs(node: str, npus_by_node: Mapping[str, Optional[Sequence[NpuResult]]], pattern: str = 'ring',
               hops: Sequence[Any] = (1,)) -> List[Dict[str, Any]]:
    """The pings of ``node``: ``{npu, peer, peer_npu, address}`` each, ``address`` None for a peer NPU without one.

    ``npus_by_node`` maps every node of the play, in play order, to its NPU results
    (None for a node whose checks did not finish: it leaves the ring). With ``ring``
    a node pings max(its NPUs, the peer's NPUs) pairs per peer, NPU x to NPU x, the
    smaller board's NPUs wrapping around; with ``all_pairs`` every NPU pings every
    NPU of every other node. A peer without NPUs has nothing to be pinged.
    """
    ring = _ring(npus_by_node)
    peers = ping_peers(node, ring, pattern, hops)
    mine = [_npu_id(npu, node) for npu in npus_by_node[node]]
    pairs = []  # type: List[Dict[str, Any]]
    for peer in peers if mine else []:
        theirs = list(npus_by_node[peer])
        ids = [_npu_id(npu, peer) for npu in theirs]
        if not ids:
            continue
        if pattern == 'all_pairs':
            chosen = [(npu, peer_npu) for npu in mine for peer_npu in ids]
        else:
            chosen = [(mine[x % len(mine)], ids[x % len(ids)]) for x in range(max(len(mine), len(ids)))]
        by_id = dict(zip(ids, theirs))
        for npu, peer_npu in chosen:
            pairs.append({'npu': npu, 'peer': peer, 'peer_npu': peer_npu, 'address': _address(by_id[peer_npu])})
    return pairs


def ping_targets(pairs: Sequence[Mapping[str, Any]]) -> Dict[str, List[str]]:
    """The ``ping_targets`` of the hccn_check module: NPU id (as text) -> the addresses it pings, in pair order.

    Pairs whose peer NPU has no address are left out: there is nothing to ping.
    """
    targets = {}  # type: Dict[str, List[str]]
    for pair in pairs:
        if pair.get('address'):
            targets.setdefault(str(pair['npu']), []).append(pair['address'])
    return targets


def ping_outcomes(pairs: Sequence[Mapping[str, Any]], answers: Sequence[NpuResult]) -> List[Dict[str, Any]]:
    """Each pair with ``transmitted``, ``received``, ``error`` and ``ok``, grouped by NPU in the pairs' order.

    ``answers`` is the hccn_check module's ``npus`` for the run given
    :func:`ping_targets` (each NPU's ``ping`` in the order of its targets), or
    empty when nothing was pinged. A pair whose peer NPU has no address failed
    unpinged; a pair is ok when every packet sent was answered.
    """
    answered = {}  # type: Dict[int, List[Mapping[str, Any]]]
    for npu in answers:
        npu_id = _npu_id(npu, 'answers')
        answered[npu_id] = list(npu.get('ping') or [])
    order = []  # type: List[int]
    for pair in pairs:
        if pair['npu'] not in order:
            order.append(pair['npu'])
    outcomes = []  # type: List[Dict[str, Any]]
    for npu in order:
        pings = answered.get(npu, [])
        pinged = [pair for pair in pairs if pair['npu'] == npu and pair.get('address')]
        for index, pair in enumerate(pinged):
            if index < len(pings):
                answer = pings[index]
                transmitted, received = answer.get('transmitted', 0), answer.get('received', 0)
                outcomes.append(dict(pair, transmitted=transmitted, received=received, error=answer.get('error'),
                                     ok=received > 0 and received == transmitted))
            else:
                outcomes.append(dict(pair, transmitted=0, received=0, error=NO_PING_ANSWER, ok=False))
        for pair in pairs:
            if pair['npu'] == npu and not pair.get('address'):
                outcomes.append(dict(pair, transmitted=0, received=0, error=NO_PEER_ADDRESS, ok=False))
    return outcomes


# ---------------------------------------------------------------- addresses


def _owned_twice(owners_in_order: Iterable[Tuple[str, str, int]]) -> List[Dict[str, Any]]:
    """``(address, node, npu)`` triples -> the addresses with more than one owner, in order of first appearance."""
    owners = {}  # type: Dict[str, List[Dict[str, Any]]]
    for address, node, npu in owners_in_order:
        owners.setdefault(address, []).append({'node': node, 'npu': npu})
    return [{'address': address, 'owners': found,
             'summary': '%s (%s)' % (address, ', '.join(owner_name(owner['node'], owner['npu']) for owner in found))}
            for address, found in owners.items() if len(found) > 1]


def address_clashes(addresses_by_node: Mapping[str, Optional[Sequence[str]]]) -> List[Dict[str, Any]]:
    """Addresses the inventory gives to more than one NPU: ``{address, owners: [{node, npu}], summary}``.

    ``addresses_by_node`` maps each node to its ``hccl_check_npu_addresses`` (NPU i gets item i).
    """
    triples = []  # type: List[Tuple[str, str, int]]
    for node, addresses in addresses_by_node.items():
        if isinstance(addresses, (str, bytes)):
            raise HcclError('%s: hccl_check_npu_addresses must be a list of addresses, got %r' % (node, addresses))
        triples.extend((str(address), node, npu) for npu, address in enumerate(addresses or []))
    return _owned_twice(triples)


def shared_addresses(npus_by_node: Mapping[str, Optional[Sequence[NpuResult]]]) -> List[Dict[str, Any]]:
    """Addresses that more than one NPU answers to, on one node or several: ``{address, owners, summary}``.

    Such an address makes pings succeed that prove nothing. Nodes mapped to None are left out.
    """
    triples = []  # type: List[Tuple[str, str, int]]
    for node, npus in npus_by_node.items():
        for npu in npus or []:
            address = _address(npu)
            if address:
                triples.append((address, node, _npu_id(npu, node)))
    return _owned_twice(triples)


# ---------------------------------------------------------------- settings from inventory


def _change(npu: int, setting: str, current: str, wanted: str, args: List[str]) -> Dict[str, Any]:
    return {'npu': npu, 'setting': setting, 'current': current, 'wanted': wanted, 'args': args,
            'summary': 'NPU %d %s: %s -> %s' % (npu, setting, current, wanted)}


def pending_settings(current: Sequence[NpuResult], addresses: Sequence[str], netmask: str, netdetect: str = '',
                     gateway: str = '') -> List[Dict[str, Any]]:
    """The ``hccn_tool -i N`` settings that differ from the inventory, in the order hccn_tool needs them.

    ``current`` is what hccn_check read (checks ``ip``, ``netdetect``, ``gateway``).
    NPU i is given ``addresses[i]`` with ``netmask``; ``netdetect`` and ``gateway``
    when not empty. An NPU's address comes before its gateway, which hccn_tool
    refuses outside the NPU's segment. Each entry: ``npu``, ``setting``,
    ``current``, ``wanted``, ``args`` (after ``hccn_tool -i N``) and ``summary``.
    """
    pending = []  # type: List[Dict[str, Any]]
    for npu in current:
        npu_id = _npu_id(npu, 'current')
        if npu_id >= len(addresses):
            continue
        address, ip = addresses[npu_id], npu.get('ip')
        if not ip or ip.get('address') != address or ip.get('netmask') != netmask:
            pending.append(_change(npu_id, 'ip', '%s netmask %s' % (ip['address'], ip['netmask']) if ip else 'none',
                                   '%s netmask %s' % (address, netmask),
                                   ['-ip', '-s', 'address', address, 'netmask', netmask]))
        if netdetect and npu.get('netdetect') != netdetect:
            pending.append(_change(npu_id, 'netdetect', npu.get('netdetect') or 'none', netdetect,
                                   ['-netdetect', '-s', 'address', netdetect]))
        have_gateway = (npu.get('gateway') or {}).get('address')
        if gateway and have_gateway != gateway:
            pending.append(_change(npu_id, 'gateway', have_gateway or 'none', gateway, ['-gateway', '-s', 'gateway', gateway]))
    return pending


# ---------------------------------------------------------------- the verdict


def npu_problems(node: str, probe: Mapping[str, Any], checks: Sequence[str], npu_count: int,
                 node_type: str) -> List[Dict[str, Any]]:
    """The problems hccn_check found on the chosen checks, then one per NPU of the board that is missing."""
    problems = [dict(problem, node=node) for problem in probe.get('problems') or [] if problem.get('check') in checks]
    present = set(_npu_id(npu, node) for npu in probe.get('npus') or [])
    for npu in range(npu_count):
        if npu not in present:
            problems.append({'node': node, 'npu': npu, 'check': 'device', 'seen': 'no /dev/davinci%d' % npu,
                             'expected': 'the %d NPUs of %s' % (npu_count, node_type)})
    return problems


def problems(node: str, probe: Mapping[str, Any], checks: Sequence[str], npu_count: int, node_type: str,
             shared: Sequence[Mapping[str, Any]] = (), pairs: Optional[Sequence[Mapping[str, Any]]] = None) -> List[Dict[str, Any]]:
    """Every problem of ``node``, each with ``node``, ``npu``, ``check``, ``seen``, ``expected`` and ``message``.

    In this order: what hccn_check found (``probe``, its result, on ``checks``
    only), the NPUs of the board (``npu_count`` of ``node_type``) that are
    missing, the NPUs whose address another NPU has (``shared``, from
    :func:`shared_addresses`), and the failed pairs (``pairs``, from
    :func:`ping_outcomes`, which add ``peer``, ``peer_npu`` and ``address``).
    """
    found = npu_problems(node, probe, checks, npu_count, node_type)
    owners = dict((entry['address'], entry['owners']) for entry in shared)
    for npu in probe.get('npus') or []:
        address = _address(npu)
        if address in owners:
            others = [owner_name(owner['node'], owner['npu']) for owner in owners[address]
                      if (owner['node'], owner['npu']) != (node, npu['id'])]
            found.append({'node': node, 'npu': npu['id'], 'check': 'ip', 'seen': '%s also on %s' % (address, ', '.join(others)),
                          'expected': SHARED_EXPECTED})
    for pair in pairs or []:
        if not pair.get('ok'):
            found.append({'node': node, 'npu': pair['npu'], 'check': 'ping', 'peer': pair['peer'], 'peer_npu': pair['peer_npu'],
                          'address': pair.get('address'),
                          'seen': pair.get('error') or '%s of %s replies' % (pair.get('received'), pair.get('transmitted')),
                          'expected': PING_EXPECTED})
    return [dict(problem, message=problem_message(node, problem)) for problem in found]


# ---------------------------------------------------------------- the report


def _ping_cell(pairs: Sequence[Mapping[str, Any]]) -> str:
    if not pairs:
        return '-'
    failed = [pair for pair in pairs if not pair.get('ok')]
    text = '%d/%d ok' % (len(pairs) - len(failed), len(pairs))
    if failed:
        text += '; failed: ' + ', '.join(owner_name(pair['peer'], pair['peer_npu']) for pair in failed)
    return text


def _checked(npu: NpuResult, key: str, value: Any) -> Any:
    """``value`` when the check of ``key`` ran on the NPU, ``-`` when it did not."""
    return value if key in npu else '-'


def rows(node: str, npus: Sequence[NpuResult], problems_found: Sequence[Mapping[str, Any]],
         pairs: Optional[Sequence[Mapping[str, Any]]], checks: Sequence[str]) -> List[Dict[str, Any]]:
    """One report row per NPU of ``node`` (those that answered and those with a problem), by NPU id.

    Each cell says what the check saw (``-``: not checked; ``none``: nothing
    configured); ``ping`` counts the NPU's own pings and names the peers that
    failed; ``status`` lists the checks that failed (``ok`` when none).
    """
    by_id = dict((_npu_id(npu, node), npu) for npu in npus)
    ids = sorted(set(by_id) | set(problem['npu'] for problem in problems_found if problem.get('npu') is not None))
    table = []  # type: List[Dict[str, Any]]
    for npu_id in ids:
        npu = by_id.get(npu_id, {'id': npu_id})
        mine = [problem for problem in problems_found if problem.get('npu') == npu_id]
        conf = [problem['seen'] for problem in mine if problem['check'] == 'hccn_conf']
        lldp = npu.get('lldp') or {}
        failed = []  # type: List[str]
        for problem in mine:
            if problem['check'] not in failed:
                failed.append(problem['check'])
        table.append({
            'node': node,
            'npu': npu_id,
            'address': _checked(npu, 'ip', _address(npu) or 'none'),
            'link': npu.get('link', '-'),
            'net_health': npu.get('net_health', '-'),
            'hccn_conf': (conf[0] if conf else 'ok') if 'hccn_conf' in checks and 'ip' in npu else '-',
            'netdetect': _checked(npu, 'netdetect', npu.get('netdetect') or 'none'),
            'gateway': _checked(npu, 'gateway', (npu.get('gateway') or {}).get('address') or 'none'),
            'lldp': _checked(npu, 'lldp', lldp.get('port_ifname') or npu.get('lldp_error') or 'none'),
            'ping': _ping_cell([pair for pair in pairs or [] if pair['npu'] == npu_id]),
            'status': ', '.join(failed) or 'ok',
        })
    return table


def last_run(runs: Iterable[Any]) -> Optional[Dict[str, Any]]:
    """The newest of the run records the main entry point leaves on the nodes it checks (by ``started``), or None."""
    newest = None  # type: Optional[Mapping[str, Any]]
    for run in runs:
        if isinstance(run, collections.abc.Mapping) and run.get('started') and (newest is None or str(run['started']) > str(newest['started'])):
            newest = run
    return dict(newest) if newest is not None else None


def report(hosts: Sequence[str], results: Mapping[str, Optional[Mapping[str, Any]]],
           run: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """The report over ``hosts``: ``rows``, ``problems``, ``pairs`` (each with ``node``) and the report's ``data``.

    ``results`` maps a node to its ``rows``, ``problems`` and ``pairs`` (the
    ``hccl_check_*`` facts), or to None when its checks did not end: such a node
    gets a ``no result`` row and problem. ``run`` is the record of the check
    (:func:`last_run`): its ``checks``, ``ping_pattern`` and ``ping_hops`` go
    into ``data``, ``unknown`` without one.
    """
    table = []  # type: List[Dict[str, Any]]
    found = []  # type: List[Dict[str, Any]]
    pairs = []  # type: List[Dict[str, Any]]
    silent = []  # type: List[str]
    for node in hosts:
        result = results.get(node)
        if result is not None and result.get('rows') is not None:
            table.extend(result['rows'])
            found.extend(result.get('problems') or [])
            pairs.extend(dict(pair, node=node) for pair in result.get('pairs') or [])
        else:
            silent.append(node)
            table.append({'node': node, 'npu': '-', 'status': 'no result'})
            found.append({'node': node, 'npu': None, 'check': 'result', 'seen': 'no result', 'expected': 'the node checked',
                          'message': '%s: %s' % (node, NO_RESULT)})
    per_node = {}  # type: Dict[str, int]
    for pair in pairs:
        per_node[pair['node']] = per_node.get(pair['node'], 0) + 1
    failing = [pair for pair in pairs if not pair.get('ok')]
    run = run or {}
    data = {
        'healthy': not found,
        'nodes': list(hosts),
        'nodes_without_result': silent,
        'checks': run.get('checks', UNKNOWN),
        'ping_pattern': run.get('ping_pattern', UNKNOWN),
        'ping_hops': run.get('ping_hops', UNKNOWN),
        'pairs_checked': len(pairs),
        'pairs_per_node': dict(sorted(per_node.items())),
        'pairs_failed': len(failing),
        'failing_pairs': failing,
        'problems': found,
    }
    return {'rows': table, 'problems': found, 'pairs': pairs, 'data': data}
