# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which replica containers a serve step keeps, removes and starts.

Private to the collection. Pure standard library. The inputs are the node's
replica containers as ``community.docker.docker_host_info`` lists them
(``verbose_output``: names and labels) and the containers the plan wants (the
vllm_serve role's units: name, NPUs, ports, configuration hash). A planned
container whose hash differs from the running one's is replaced; a new
container may need the NPUs or ports of several old ones (a layout change, TP2
to TP4), and the plan says which, so that a rolling change can take exactly
those out of service together and say how much capacity the step takes away.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Set

LABEL = 'ascend_ops.vllm'


class ReplacementError(ValueError):
    """The inputs are not what the serve step gives."""


def _name(container: Mapping[str, Any]) -> str:
    names = container.get('Names') or []
    if not names:
        raise ReplacementError('a container without a name: %r' % (container,))
    return str(names[0]).lstrip('/')


def _labels(container: Mapping[str, Any]) -> Mapping[str, str]:
    return container.get('Labels') or {}


def _npus_of_label(text: Optional[str]) -> Set[int]:
    if not text or text == 'none':
        return set()
    return {int(npu) for npu in str(text).split(',') if npu.strip()}


def _ports_of_label(text: Optional[str]) -> Set[int]:
    if not text or text == 'none':
        return set()
    return {int(text)}


def _unit_ports(unit: Mapping[str, Any]) -> Set[int]:
    ports = set(int(port) for port in unit.get('ports') or [])
    if unit.get('port') is not None:
        ports.add(int(unit['port']))
    return ports


def replacement_plan(existing: Sequence[Mapping[str, Any]], planned: Sequence[Mapping[str, Any]],
                     remove_unplanned: bool = True) -> Dict[str, Any]:
    """Keep, remove and start lists, and what each started container replaces.

    ``existing``: this collection's replica containers on the node (``Names``,
    ``Labels`` with ``ascend_ops.vllm.config_hash``, ``.npus``, ``.port``).
    ``planned``: the wanted containers (``name``, ``npus``, ``port`` or none,
    optional ``ports`` it also listens on, ``config_hash``).

    Returns ``keep`` (running with the planned hash), ``remove`` (running
    with another hash, or not planned when ``remove_unplanned``), ``start``
    (planned and not kept, in plan order), ``steps`` (for each started
    container, the old containers it replaces: the one of its name and every
    one that holds one of its NPUs or its API port), ``unplanned`` (not
    planned, whether removed or left) and ``summary`` (one line of all that).
    """
    current = {}
    for container in existing:
        name = _name(container)
        labels = _labels(container)
        current[name] = {
            'hash': labels.get(LABEL + '.config_hash', ''),
            'npus': _npus_of_label(labels.get(LABEL + '.npus')),
            'ports': _ports_of_label(labels.get(LABEL + '.port')),
        }
    names = [str(unit['name']) for unit in planned]
    if len(set(names)) != len(names):
        raise ReplacementError('the plan names a container twice: %s' % ', '.join(sorted(names)))

    keep: List[str] = []
    start: List[str] = []
    steps: List[Dict[str, Any]] = []
    for unit in planned:
        name = str(unit['name'])
        old = current.get(name)
        if old is not None and old['hash'] == str(unit.get('config_hash', '')):
            keep.append(name)
            continue
        start.append(name)
        npus = {int(npu) for npu in unit.get('npus') or []}
        ports = _unit_ports(unit)
        replaces = sorted(other for other, held in current.items()
                          if other == name or held['npus'] & npus or held['ports'] & ports)
        steps.append({'name': name, 'replaces': replaces})

    unplanned = sorted(name for name in current if name not in names)
    changed = [name for name in current if name in names and name not in keep]
    remove = sorted(changed + (unplanned if remove_unplanned else []))
    conflicts = sorted(set(other for step in steps for other in step['replaces']) & set(keep))
    if conflicts:  # only when labels contradict the hash: a kept container has its planned NPUs
        raise ReplacementError('kept containers %s hold NPUs or ports a started one needs' % ', '.join(conflicts))
    plan = {'keep': keep, 'remove': remove, 'start': start, 'steps': steps, 'unplanned': unplanned}
    plan['summary'] = describe(plan)
    return plan


def describe(plan: Mapping[str, Any]) -> str:
    """One line for the run's output: what stays, what goes, what each new container replaces."""
    parts = ['keep %s' % (', '.join(plan['keep']) or 'none')]
    for step in plan['steps']:
        parts.append('start %s%s' % (step['name'], (' in place of ' + ', '.join(step['replaces'])) if step['replaces'] else ''))
    gone = [name for name in plan['remove'] if not any(name in step['replaces'] for step in plan['steps'])]
    if gone:
        parts.append('remove %s' % ', '.join(gone))
    return '; '.join(parts)
