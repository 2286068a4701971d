# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verdicts on running replicas and the rows of the endpoints report.

Private to the collection. Pure standard library: the inputs are what
``community.docker.docker_container_info`` and ``ansible.builtin.uri``
register for each replica (one loop result per replica, with the replica as
``item``), the outputs the records and messages the vllm_serve role and
deploy.yml's report show.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

# Lines of a failed replica's log worth quoting first.
TROUBLE = re.compile(r'(?i)error|EI[0-9]{4}|failed|never joined|refused|unexpected')
LOG_LINES_QUOTED = 5
# The answer column: as Jinja's truncate(60) cut it (whole words, a leeway of 5).
ANSWER_WIDTH = 60
ANSWER_LEEWAY = 5


def node_address(node: Mapping[str, Any]) -> str:
    """The address a host's replicas are reached at: ``ansible_host``, else the inventory name.

    The verify step puts it in each endpoint record's URL; the router's
    workers, the benchmark's targets and the scrape targets use the same.
    """
    return str(node.get('ansible_host') or node['inventory_hostname'])


def _container(result: Mapping[str, Any]) -> Mapping[str, Any]:
    return result.get('container') or {}


def unhealthy_replicas(health: Sequence[Mapping[str, Any]],
                       headless: Sequence[Mapping[str, Any]] = ()) -> List[Mapping[str, Any]]:
    """The loop results of replicas that did not come up.

    ``health``: API replicas, each failed unless its container reports
    ``healthy``. ``headless``: containers of headless data-parallel ranks
    (no API, no health check), each failed unless it is running and never
    restarted. Order: API replicas first, in the order given.
    """
    failed = [result for result in health if _container(result).get('State', {}).get('Health', {}).get('Status') != 'healthy']
    for result in headless:
        state = _container(result).get('State', {})
        if state.get('Status') != 'running' or int(_container(result).get('RestartCount', 0) or 0) > 0:
            failed.append(result)
    return failed


def _quoted_log(lines: Sequence[str]) -> str:
    troubled = [line for line in lines if TROUBLE.search(line)]
    return ' / '.join((troubled or list(lines))[-LOG_LINES_QUOTED:])


def _state_of(result: Mapping[str, Any]) -> str:
    if not result.get('exists'):
        return 'no container'
    container = _container(result)
    state = container.get('State', {})
    return '%s, health %s, restarted %s times' % (state.get('Status'), state.get('Health', {}).get('Status', 'none'),
                                                  container.get('RestartCount', 0))


def unhealthy_message(node: str, total: int, what: str, failed_logs: Sequence[Mapping[str, Any]],
                      group_logs: Sequence[Mapping[str, Any]] = ()) -> str:
    """Why replicas of ``node`` are not healthy, from the logs read of each.

    ``failed_logs``: the loop results of reading each failed replica's log
    (their ``item`` is the health result, whose ``item`` is the replica).
    ``group_logs``: what the other nodes of a data-parallel group logged
    (``item`` a member of the group layout: name, description).
    """
    parts = ['vllm_serve: on %s %d of %d %s are not healthy.' % (node, len(failed_logs), total, what)]
    for failed in failed_logs:
        result = failed['item']
        replica = result['item']
        data_parallel = replica.get('data_parallel') or ''
        parts.append('%s (NPUs %s, port %s): %s; %sit logged: %s' % (
            replica['name'], ','.join(str(npu) for npu in replica.get('npus', [])), replica.get('port'), _state_of(result),
            '(%s) ' % data_parallel if data_parallel else '',
            _quoted_log(list(failed.get('stdout_lines') or []) + list(failed.get('stderr_lines') or []))))
    for other in group_logs:
        lines = list(other.get('stdout_lines') or []) + list(other.get('stderr_lines') or [])
        member = other['item']
        parts.append('%s (%s) logged: %s' % (member['name'], member.get('description', ''),
                                             _quoted_log(lines or [other.get('msg') or 'nothing'])))
    return ' '.join(parts)


def _answer_text(result: Mapping[str, Any]) -> Optional[str]:
    try:
        text = result['json']['choices'][0]['text']
    except (KeyError, IndexError, TypeError):
        return None
    return text if isinstance(text, str) else None


def silent_replicas_message(node: str, answers: Sequence[Mapping[str, Any]]) -> str:
    """Empty when every replica answered its completion with text; else which did not, and why."""
    silent = []
    for answer in answers:
        text = _answer_text(answer)
        if answer.get('status') == 200 and text is not None and text.strip():
            continue
        error = (answer.get('json') or {}).get('error', answer.get('msg', '')) if isinstance(answer.get('json'), dict) \
            else answer.get('msg', '')
        silent.append('%s: HTTP %s %s' % (answer['item']['name'], answer.get('status', '-'), error))
    if not silent:
        return ''
    return 'vllm_serve: on %s replicas did not answer a completion with text: %s' % (node, '; '.join(silent))


def endpoint_records(node: str, address: str, served_model_name: str, health: Sequence[Mapping[str, Any]],
                     answers: Sequence[Mapping[str, Any]], headless: Sequence[Mapping[str, Any]] = ()) -> List[Dict[str, Any]]:
    """One record per verified container of a node (fact ``vllm_serve_endpoints``).

    ``health`` and ``answers`` are the loop results of the API replicas, in the
    same order; ``headless`` those of headless data-parallel containers.
    """
    records = []
    for result, answer in zip(health, answers):
        replica, container = result['item'], _container(result)
        records.append({
            'node': node, 'replica': replica['name'], 'npus': replica['npus'], 'port': replica['port'],
            'url': 'http://%s:%s/v1' % (address, replica['port']), 'model': served_model_name,
            'health': container.get('State', {}).get('Health', {}).get('Status'), 'container_id': container.get('Id'),
            'started_at': container.get('State', {}).get('StartedAt'), 'answer': _answer_text(answer) or '',
            'data_parallel': replica.get('data_parallel', ''),
        })
    for result in headless:
        replica, container = result['item'], _container(result)
        records.append({
            'node': node, 'replica': replica['name'], 'npus': replica['npus'], 'port': None, 'url': '',
            'model': served_model_name, 'health': container.get('State', {}).get('Status'),
            'container_id': container.get('Id'), 'started_at': container.get('State', {}).get('StartedAt'),
            'answer': '', 'data_parallel': replica.get('data_parallel', ''),
        })
    return records


def _truncate(text: str) -> str:
    """The answer shortened for the table: whole words and ``...``, as Jinja's truncate does it."""
    text = text.strip()
    if len(text) <= ANSWER_WIDTH + ANSWER_LEEWAY:
        return text
    return text[:ANSWER_WIDTH - 3].rsplit(' ', 1)[0] + '...'


def report_rows(nodes: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The rows of deploy.yml's endpoints table, one per replica of every node.

    ``nodes``: each node's variables (``hostvars``). A node whose endpoints were
    verified this run (``vllm_serve_endpoints``) gives those; a node with only
    a plan (check mode, a run without the verify phase) gives its planned
    replicas as ``not verified``; a node with neither gives nothing.
    """
    rows = []
    for node in nodes:
        if node.get('vllm_serve_endpoints') is not None:
            for endpoint in node['vllm_serve_endpoints']:
                rows.append({'node': endpoint['node'], 'replica': endpoint['replica'],
                             'npus': ','.join(str(npu) for npu in endpoint['npus']), 'port': endpoint['port'],
                             'model': endpoint['model'], 'health': endpoint['health'],
                             'answer': _truncate(endpoint.get('answer') or '')})
        elif node.get('ascend_serving_layout') is not None:
            layout = node['ascend_serving_layout']
            for replica in layout['replicas']:
                rows.append({'node': node['inventory_hostname'], 'replica': replica['name'],
                             'npus': ','.join(str(npu) for npu in replica['npus']), 'port': replica['port'],
                             'model': layout['served_model_name'], 'health': 'not verified', 'answer': ''})
    return rows
