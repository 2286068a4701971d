# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A rolling change: node batches, replacement steps, drain and gate verdicts, report rows.

Private to the collection. Pure standard library. A rolling change (upgrade.yml,
or deploy.yml where a router exists) replaces the replicas of a node one step at
a time: the old replicas of a step leave the router, finish their requests,
stop; the new ones start, pass a gate (``/health`` and a real completion) and
join the router. The functions here decide which nodes go together, which
replicas form one step and how much capacity it takes away, whether a replica
is drained and whether a new one passed its gate, and the rows of the report.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.ascend_ops.vllm.plugins.module_utils._endpoints import completion_timed_out, hung_reason
from ansible_collections.ascend_ops.vllm.plugins.module_utils._replacement import LABEL

# A rolling step renames the old container it stops to <name>-previous, so
# that the new one can take the name and a rollback can start the old one
# again unchanged; one left by an interrupted run is no replica to replace.
PREVIOUS_SUFFIX = '-previous'

_RUNNING = re.compile(r'^vllm:num_requests_running(?:\{[^}]*\})?\s+(?P<value>\S+)', re.MULTILINE)


class RollingError(ValueError):
    """The inputs cannot make a rolling change; the message names what to change."""


def node_batches(hosts: Sequence[str], serial: int = 1, groups: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """The nodes of a rolling change in batches, in inventory order.

    ``hosts``: the serving nodes; ``serial``: how many nodes change at once;
    ``groups``: node -> its data-parallel group (empty or absent: none). A
    data-parallel group spans nodes and serves only while every rank runs, so
    its nodes are one batch of their own, whatever ``serial`` says, placed
    where its first node stands. Returns ``batches`` (lists of nodes),
    ``order`` (the nodes batch after batch), ``sizes`` (for a play's
    ``serial:`` list) and ``members`` (``[node, batch index]`` pairs in order,
    for ``add_host`` into a group per batch).
    """
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 1:
        raise RollingError('serial must be a whole number of nodes of 1 or more, got %r' % (serial,))
    groups = dict(groups or {})
    batches: List[List[str]] = []
    current: List[str] = []
    placed = set()
    for host in hosts:
        if host in placed:
            continue
        group = groups.get(host) or ''
        if group:
            if current:
                batches.append(current)
                current = []
            members = [other for other in hosts if (groups.get(other) or '') == group]
            batches.append(members)
            placed.update(members)
            continue
        current.append(host)
        placed.add(host)
        if len(current) == serial:
            batches.append(current)
            current = []
    if current:
        batches.append(current)
    return {'batches': batches, 'order': [host for batch in batches for host in batch],
            'sizes': [len(batch) for batch in batches],
            'members': [[host, index] for index, batch in enumerate(batches) for host in batch]}


def _label_npus(text: Optional[str]) -> List[int]:
    if not text or text == 'none':
        return []
    return sorted(int(npu) for npu in str(text).split(',') if npu.strip())


def _container_name(container: Mapping[str, Any]) -> str:
    names = container.get('Names') or []
    if not names:
        raise RollingError('a container without a name: %r' % (container,))
    return str(names[0]).lstrip('/')


def current_replicas(existing: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The replica containers without those an interrupted rolling step left (``<name>-previous``)."""
    return [container for container in existing if not _container_name(container).endswith(PREVIOUS_SUFFIX)]


def _old_replicas(existing: Sequence[Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    replicas = {}
    for container in current_replicas(existing):
        names = container.get('Names')
        labels = container.get('Labels') or {}
        port = labels.get(LABEL + '.port')
        replicas[str(names[0]).lstrip('/')] = {
            'npus': _label_npus(labels.get(LABEL + '.npus')),
            'port': int(port) if port and port != 'none' else None,
        }
    return replicas


def rolling_steps(replacement: Mapping[str, Any], existing: Sequence[Mapping[str, Any]],
                  units: Sequence[Mapping[str, Any]], data_parallel: bool = False,
                  address: str = '') -> List[Dict[str, Any]]:
    """The steps of one node's rolling change, each taken out of service together.

    ``replacement``: the node's ``replacement_plan``; ``existing``: its replica
    containers (as for that plan); ``units``: the planned containers (name,
    npus, port, api). New replicas that replace a common old one (a layout
    change: one TP4 in place of two TP2, each TP2 of a new layout overlapping
    two old ones) are one step; a new replica replacing nothing is a step of
    its own; old replicas no longer planned and replaced by nothing leave in a
    last step. A data-parallel node's containers are one step.

    Each step: ``index``, ``start`` (new containers, plan order),
    ``replaces`` (old containers), ``old`` and ``new`` (name, npus, port of
    each; port None for a headless container), ``replicas_out`` and
    ``npus_out`` (what the step takes out of service), ``serving_before``
    (the node's API replicas serving before the step, kept ones included) and
    ``capacity_taken`` (``replicas_out`` of ``serving_before``, as text).
    With ``address`` (the node's, as the router knows it) each old and new
    replica with a port has ``url``, its worker URL.
    """
    old = _old_replicas(existing)
    by_name = {str(unit['name']): unit for unit in units}
    groups: List[Dict[str, Any]] = []
    for step in replacement.get('steps') or []:
        name = str(step['name'])
        replaces = set(str(other) for other in step.get('replaces') or [] if str(other) in old)
        merged = [group for group in groups if group['replaces'] & replaces]
        target = {'start': [name], 'replaces': replaces}
        for group in merged:
            target['start'] = group['start'] + target['start']
            target['replaces'] |= group['replaces']
            groups.remove(group)
        groups.append(target)
    replaced = set(other for group in groups for other in group['replaces'])
    leaving = [name for name in replacement.get('remove') or [] if name not in replaced and name in old]
    if leaving:
        groups.append({'start': [], 'replaces': set(leaving)})
    if data_parallel and len(groups) > 1:
        groups = [{'start': [name for group in groups for name in group['start']],
                   'replaces': set(other for group in groups for other in group['replaces'])}]
    order = {str(unit['name']): index for index, unit in enumerate(units)}
    groups.sort(key=lambda group: min([order.get(name, len(order)) for name in group['start']] or [len(order)]))

    serving = set(name for name in old if old[name]['port'] is not None)
    steps = []
    for index, group in enumerate(groups):
        start = sorted(group['start'], key=lambda name: order.get(name, len(order)))
        replaces = sorted(group['replaces'])
        olds = [{'name': name, 'npus': old.get(name, {}).get('npus', []), 'port': old.get(name, {}).get('port')}
                for name in replaces]
        news = [{'name': name, 'npus': [int(npu) for npu in by_name.get(name, {}).get('npus') or []],
                 'port': by_name.get(name, {}).get('port') if by_name.get(name, {}).get('api', True) else None}
                for name in start]
        for replica in olds + news:
            if address:
                replica['url'] = 'http://%s:%s' % (address, replica['port']) if replica['port'] is not None else None
        out = [replica for replica in olds if replica['port'] is not None]
        before = len(serving)
        steps.append({
            'index': index, 'start': start, 'replaces': replaces, 'old': olds, 'new': news,
            'replicas_out': len(out), 'npus_out': sorted(set(npu for replica in olds for npu in replica['npus'])),
            'serving_before': before,
            'capacity_taken': '%d of %d replicas' % (len(out), before),
        })
        serving -= set(replica['name'] for replica in out)
        serving |= set(replica['name'] for replica in news if replica['port'] is not None)
    return steps


def requests_running(metrics: str) -> float:
    """The sum of ``vllm:num_requests_running`` in a replica's ``/metrics`` text (every engine's line)."""
    values = [float(match.group('value')) for match in _RUNNING.finditer(str(metrics or ''))]
    if not values:
        raise RollingError('the metrics have no vllm:num_requests_running line')
    return sum(values)


def drain_verdict(samples: Sequence[Mapping[str, Any]], timeout: float) -> Dict[str, Any]:
    """Whether a replica finished its requests, from the polls of its ``/metrics`` (ansible.builtin.uri results).

    ``samples`` in poll order, each with ``content`` (or ``failed`` / ``status``).
    Returns ``in_flight`` (requests running at the first poll, when the replica
    left the router), ``drained`` (the last poll saw 0, or the replica no longer
    answers: nothing runs on a stopped server) and ``reason``.
    """
    counts: List[Optional[float]] = []
    for sample in samples:
        try:
            counts.append(requests_running(sample.get('content', '')) if sample.get('status') == 200 else None)
        except RollingError:
            counts.append(None)
    first = next((count for count in counts if count is not None), 0.0)
    last = counts[-1] if counts else None
    drained = last is None or last == 0
    if last is None or last == 0:
        reason = 'drained: %d in flight at removal finished' % first if first else 'drained: nothing in flight'
    else:
        reason = '%d requests still running after %s s: stopped anyway' % (int(last), _seconds(timeout))
    return {'in_flight': int(first), 'drained': drained, 'reason': reason}


def step_drain(first: Sequence[Mapping[str, Any]], last: Sequence[Mapping[str, Any]], timeout: float) -> Dict[str, Any]:
    """:func:`drain_verdict` of each old replica of a step, from two loop results (``item.name`` joins them).

    ``first``: the poll of each replica's ``/metrics`` as it left the router;
    ``last``: the last poll of the wait for 0. Returns ``in_flight`` (their
    sum), ``drained`` (every one), ``drain`` (one line per replica, joined)
    and ``replicas`` (each one's verdict with its ``name``).
    """
    lasts = {str((result.get('item') or {}).get('name')): result for result in last}
    replicas = []
    for result in first:
        name = str((result.get('item') or {}).get('name'))
        samples = [result] + ([lasts[name]] if name in lasts else [])
        replicas.append(dict(drain_verdict(samples, timeout), name=name))
    if not replicas:
        return {'in_flight': 0, 'drained': True, 'drain': 'nothing served', 'replicas': []}
    return {'in_flight': sum(replica['in_flight'] for replica in replicas),
            'drained': all(replica['drained'] for replica in replicas),
            'drain': '; '.join('%s %s' % (replica['name'], replica['reason']) for replica in replicas),
            'replicas': replicas}


def _seconds(value: float) -> str:
    return ('%d' % value) if float(value).is_integer() else ('%g' % value)


def gate_verdict(name: str, container: Optional[Mapping[str, Any]], health: Optional[Mapping[str, Any]],
                 completion: Optional[Mapping[str, Any]], timeout: Any = None) -> Dict[str, Any]:
    """Whether a new replica passed its gate: running and healthy, ``/health`` 200, a completion with text.

    ``container``: its ``docker_container_info`` result (after the wait for
    health); ``health`` and ``completion``: the ``ansible.builtin.uri`` results
    (None when not asked, for a headless container). Returns ``name``,
    ``passed`` and ``reason`` (the first thing that failed, or ``passed``).
    A replica whose ``/health`` answered 200 and whose completion got no
    answer within ``timeout`` seconds is ``hung: ...``.
    """
    state = ((container or {}).get('container') or {}).get('State') or {}
    if container is not None:
        if not container.get('exists'):
            return {'name': name, 'passed': False, 'reason': 'the container is gone'}
        if state.get('Status') != 'running':
            return {'name': name, 'passed': False, 'reason': 'the container is %s (exit code %s)'
                    % (state.get('Status', 'unknown'), state.get('ExitCode', '?'))}
        if ((container.get('container') or {}).get('RestartCount') or 0) > 0:
            return {'name': name, 'passed': False, 'reason': 'the container restarted'}
        health_state = (state.get('Health') or {}).get('Status', 'none')
        if health_state not in ('healthy', 'none'):
            return {'name': name, 'passed': False, 'reason': 'the container is %s, not healthy, at the end of the gate' % health_state}
    if health is not None and health.get('status') == 200 and completion_timed_out(completion):
        return {'name': name, 'passed': False, 'reason': 'hung: %s' % hung_reason(timeout)}
    for what, result in (('/health', health), ('the completion', completion)):
        if result is None:
            continue
        if result.get('status') != 200:
            return {'name': name, 'passed': False, 'reason': '%s answered %s%s' % (
                what, result.get('status', 'nothing'), (': ' + str(result['msg'])[:120]) if result.get('msg') else '')}
    if completion is not None:
        choices = (completion.get('json') or {}).get('choices') or []
        if not choices or not str(choices[0].get('text') or '').strip():
            return {'name': name, 'passed': False, 'reason': 'the completion returned no text'}
    return {'name': name, 'passed': True, 'reason': 'passed'}


def gate_verdicts(containers: Sequence[Mapping[str, Any]], health: Sequence[Mapping[str, Any]],
                  completions: Sequence[Mapping[str, Any]], timeout: Any = None) -> List[Dict[str, Any]]:
    """:func:`gate_verdict` of every new replica of a step, from the loop results of the three checks.

    Each list holds the results of a loop over the step's containers (each
    result's ``item`` has the container's ``name``); ``health`` and
    ``completions`` loop over those with an API only. Skipped results (a
    check that did not run) count as not asked.
    """
    def by_name(results: Sequence[Mapping[str, Any]]) -> Dict[str, Mapping[str, Any]]:
        return {str((result.get('item') or {}).get('name')): result for result in results
                if not result.get('skipped')}
    healths, answers = by_name(health), by_name(completions)
    verdicts = []
    for result in containers:
        name = str((result.get('item') or {}).get('name'))
        verdicts.append(gate_verdict(name, None if result.get('skipped') else result, healths.get(name), answers.get(name), timeout))
    return verdicts


def router_targets(routers: Sequence[Mapping[str, Any]], model: str) -> List[Dict[str, str]]:
    """``host`` and ``url`` (loopback) of the router of ``model`` on each router host that planned one (``vllm_router_instances``)."""
    targets = []
    for router in routers:
        for instance in router.get('vllm_router_instances') or []:
            if str(instance.get('model')) == str(model):
                targets.append({'host': str(router['inventory_hostname']), 'url': 'http://127.0.0.1:%d' % int(instance['port'])})
    return targets


def report_rows(nodes: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The upgrade report's rows: one per step of every node that ran one (``vllm_serve_rolling_steps``), node order."""
    rows = []
    for node in nodes:
        for record in node.get('vllm_serve_rolling_steps') or []:
            rows.append({
                'node': node.get('inventory_hostname', record.get('node', '')),
                'step': record.get('index', ''),
                'replicas': ', '.join(record.get('start') or []) or '-',
                'replaces': ', '.join(record.get('replaces') or []) or '-',
                'capacity taken': record.get('capacity_taken', ''),
                'in flight': record.get('in_flight', ''),
                'drain': record.get('drain', ''),
                'result': record.get('result', ''),
                'reason': record.get('reason', ''),
            })
    return rows
