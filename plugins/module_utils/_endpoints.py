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
# What ansible.builtin.uri says when a request got no answer within its timeout.
TIMED_OUT = re.compile(r'(?i)timed out|timeout')
# The verdict of a replica that answers /health but no completion within the timeout.
HUNG = 'hung'
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


def completion_timed_out(answer: Optional[Mapping[str, Any]]) -> bool:
    """The completion request got no HTTP answer within its timeout (``ansible.builtin.uri`` status -1, "timed out")."""
    if not answer or answer.get('skipped'):
        return False
    return int(answer.get('status', -1) or -1) == -1 and bool(TIMED_OUT.search(str(answer.get('msg', ''))))


def _answered(answer: Mapping[str, Any]) -> bool:
    text = _answer_text(answer)
    return answer.get('status') == 200 and text is not None and bool(text.strip())


def _error_of(answer: Mapping[str, Any]) -> str:
    if isinstance(answer.get('json'), dict):
        return str(answer['json'].get('error', answer.get('msg', '')))
    return str(answer.get('msg', ''))


def _by_name(results: Sequence[Mapping[str, Any]]) -> Dict[str, Mapping[str, Any]]:
    """Loop results by their replica's name (``item.name``); skipped ones (not asked) left out."""
    return {str((result.get('item') or {}).get('name')): result for result in results if not result.get('skipped')}


def _where(replica: Mapping[str, Any]) -> str:
    return '%s (NPUs %s, port %s)' % (replica['name'], ','.join(str(npu) for npu in replica.get('npus', [])), replica.get('port'))


def hung_reason(timeout: Any) -> str:
    """Why a replica counts as hung: its ``/health`` is fine, its engine answers nothing."""
    return '/health answers 200 but no completion came within %s s' % (timeout if timeout not in (None, '') else '?')


def silent_replicas_message(node: str, answers: Sequence[Mapping[str, Any]], health: Sequence[Mapping[str, Any]] = (),
                            timeout: Any = None) -> str:
    """Empty when every replica asked answered its completion with text; else which did not, and why.

    A replica whose ``/health`` answered 200 (``health``: the loop results of
    asking it) and whose completion timed out is named as hung, apart from
    those that answered with an error. Skipped results (not asked) count as
    answered: they are reported elsewhere.
    """
    checks = _by_name(health)
    hung, silent = [], []
    for answer in answers:
        if answer.get('skipped'):
            continue
        replica = answer['item']
        check = checks.get(str(replica['name']))
        if check is not None and check.get('status') != 200:
            silent.append('%s: /health answered %s %s' % (replica['name'], check.get('status', '-'), check.get('msg', '')))
            continue
        if _answered(answer):
            continue
        if completion_timed_out(answer) and (check is None or check.get('status') == 200):
            hung.append(_where(replica))
        else:
            silent.append('%s: HTTP %s %s' % (replica['name'], answer.get('status', '-'), _error_of(answer)))
    parts = []
    if hung:
        parts.append('vllm_serve: on %s %s hung (%s): %s; its log and /metrics (vllm:num_requests_running, '
                     'vllm:generation_tokens_total) show whether the engine still works.'
                     % (node, 'replica %s is' % hung[0] if len(hung) == 1 else 'replicas %s are' % ', '.join(hung),
                        hung_reason(timeout), 'restart it' if len(hung) == 1 else 'restart them'))
    if silent:
        parts.append('vllm_serve: on %s replicas did not answer a completion with text: %s' % (node, '; '.join(silent)))
    return ' '.join(parts)


def last_error_line(lines: Sequence[str]) -> str:
    """The last line of a log that says what went wrong, else its last line; empty for an empty log."""
    lines = [line.strip() for line in lines if line and line.strip()]
    troubled = [line for line in lines if TROUBLE.search(line)]
    return (troubled or lines or [''])[-1]


def replica_verdict(result: Mapping[str, Any], check: Optional[Mapping[str, Any]] = None,
                    answer: Optional[Mapping[str, Any]] = None, log: Optional[Mapping[str, Any]] = None,
                    timeout: Any = None) -> Dict[str, Any]:
    """What an API replica is, from the checks of the verify step: ``health``, ``reason`` and ``serving``.

    ``result``: its container information after the wait for health;
    ``check`` and ``answer``: the ``ansible.builtin.uri`` results of its
    ``/health`` and its completion (None or skipped: not asked, as for a
    replica that already failed); ``log``: the read of its log when it failed.
    ``health`` is the container's health status when it is not healthy
    (``unhealthy``, ``starting``; ``failed`` for a container that exited,
    restarted or is gone), else ``hung``, ``no answer`` or ``healthy``.
    """
    container = _container(result)
    state = container.get('State', {}) if container else {}
    docker_health = state.get('Health', {}).get('Status')
    if docker_health != 'healthy':
        restarted = int(container.get('RestartCount', 0) or 0) > 0 if container else False
        broken = not result.get('exists') or state.get('Status') != 'running' or restarted
        lines = list((log or {}).get('stdout_lines') or []) + list((log or {}).get('stderr_lines') or [])
        error = last_error_line(lines)
        return {'health': 'failed' if broken else str(docker_health or 'none'), 'serving': False,
                'reason': _state_of(result) + ('; last logged: %s' % error if error else '')}
    if check is not None and not check.get('skipped') and check.get('status') != 200:
        return {'health': 'unhealthy', 'serving': False,
                'reason': '/health answered %s%s' % (check.get('status', 'nothing'), (': %s' % check['msg'])[:160] if check.get('msg') else '')}
    if answer is None or answer.get('skipped'):
        return {'health': 'healthy', 'serving': True, 'reason': ''}
    if _answered(answer):
        return {'health': 'healthy', 'serving': True, 'reason': ''}
    if completion_timed_out(answer):
        return {'health': HUNG, 'serving': False, 'reason': hung_reason(timeout)}
    return {'health': 'no answer', 'serving': False,
            'reason': ('completion answered HTTP %s %s' % (answer.get('status', '-'), _error_of(answer))).strip()[:200]}


def endpoint_records(node: str, address: str, served_model_name: str, health: Sequence[Mapping[str, Any]],
                     answers: Sequence[Mapping[str, Any]], headless: Sequence[Mapping[str, Any]] = (),
                     checks: Sequence[Mapping[str, Any]] = (), logs: Sequence[Mapping[str, Any]] = (),
                     timeout: Any = None) -> List[Dict[str, Any]]:
    """One record per container of a node (fact ``vllm_serve_endpoints``), each with its verdict.

    ``health`` is the loop results of the API replicas' container information;
    ``answers`` and ``checks`` those of their completion and ``/health``
    (joined by replica name; skipped ones were not asked); ``logs`` the reads
    of the failed replicas' logs (each ``item`` a health result); ``headless``
    the container information of headless data-parallel ranks. ``health`` in a
    record is :func:`replica_verdict`'s (``healthy``, ``hung``, ``unhealthy``,
    ``failed``, ``no answer``; ``running`` for a headless rank that runs),
    ``reason`` why it is not healthy and ``serving`` whether it takes requests.
    """
    answered, asked = _by_name(answers), _by_name(checks)
    logged = {str(((log.get('item') or {}).get('item') or {}).get('name')): log for log in logs if not log.get('skipped')}
    records = []
    for result in health:
        replica, container = result['item'], _container(result)
        name = str(replica['name'])
        verdict = replica_verdict(result, asked.get(name), answered.get(name), logged.get(name), timeout)
        records.append({
            'node': node, 'replica': replica['name'], 'npus': replica['npus'], 'port': replica['port'],
            'url': 'http://%s:%s/v1' % (address, replica['port']), 'model': served_model_name,
            'health': verdict['health'], 'reason': verdict['reason'], 'serving': verdict['serving'],
            'container_id': container.get('Id'), 'started_at': container.get('State', {}).get('StartedAt'),
            'answer': _answer_text(answered.get(name) or {}) or '', 'data_parallel': replica.get('data_parallel', ''),
        })
    for result in headless:
        replica, container = result['item'], _container(result)
        state = container.get('State', {})
        running = bool(result.get('exists')) and state.get('Status') == 'running' and not int(container.get('RestartCount', 0) or 0)
        log = logged.get(str(replica['name']))
        error = last_error_line(list((log or {}).get('stdout_lines') or []) + list((log or {}).get('stderr_lines') or []))
        records.append({
            'node': node, 'replica': replica['name'], 'npus': replica['npus'], 'port': None, 'url': '',
            'model': served_model_name, 'health': state.get('Status') if running else 'failed',
            'reason': '' if running else _state_of(result) + ('; last logged: %s' % error if error else ''), 'serving': running,
            'container_id': container.get('Id'), 'started_at': state.get('StartedAt'),
            'answer': '', 'data_parallel': replica.get('data_parallel', ''),
        })
    return records


def not_serving(records: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    """The records of containers that do not serve (``serving`` false)."""
    return [record for record in records if not record.get('serving', True)]


def _truncate(text: str) -> str:
    """The answer shortened for the table: whole words and ``...``, as Jinja's truncate does it."""
    text = text.strip()
    if len(text) <= ANSWER_WIDTH + ANSWER_LEEWAY:
        return text
    return text[:ANSWER_WIDTH - 3].rsplit(' ', 1)[0] + '...'


def dropped_hosts(all_hosts: Sequence[str], active: Sequence[str], probes: Sequence[Mapping[str, Any]] = ()) -> Dict[str, str]:
    """The hosts of the run that failed or became unreachable on the way: host -> ``failed`` or ``unreachable``.

    ``all_hosts`` and ``active``: a late play's ``ansible_play_hosts_all`` and
    ``ansible_play_hosts`` (Ansible leaves a host out of later plays once it
    failed or was unreachable). ``probes``: loop results of reaching each of
    them again (``ansible.builtin.ping`` delegated to the host, ``item`` its
    name): one found unreachable is ``unreachable``, else ``failed``.
    """
    unreachable = {str(probe.get('item')) for probe in probes if probe.get('unreachable')}
    return {str(host): ('unreachable' if str(host) in unreachable else 'failed') for host in all_hosts if host not in set(active)}


def report_rows(nodes: Sequence[Mapping[str, Any]], dropped: Optional[Mapping[str, str]] = None) -> List[Dict[str, Any]]:
    """The rows of deploy.yml's endpoints table, one per replica of every node.

    ``nodes``: each node's variables (``hostvars``). A node whose endpoints were
    verified this run (``vllm_serve_endpoints``) gives those, with each one's
    verdict and reason; a node the run lost on the way (``dropped``: host ->
    ``failed`` or ``unreachable``) gives its planned replicas, or one row when
    it has no plan, in that state; a node with only a plan (check mode, a run
    without the verify phase) gives its planned replicas as ``not verified``;
    a node with none of these gives nothing.
    """
    dropped = dict(dropped or {})
    rows = []
    for node in nodes:
        name = str(node.get('inventory_hostname', ''))
        lost = dropped.get(name)
        why = 'the run stopped on this node (%s) before its replicas were verified; see the run\'s output' % lost
        if node.get('vllm_serve_endpoints') is not None:
            for endpoint in node['vllm_serve_endpoints']:
                rows.append({'node': endpoint['node'], 'replica': endpoint['replica'],
                             'npus': ','.join(str(npu) for npu in endpoint['npus']), 'port': endpoint['port'],
                             'model': endpoint['model'], 'health': endpoint['health'],
                             'answer': _truncate(endpoint.get('answer') or ''), 'reason': endpoint.get('reason') or ''})
        elif node.get('ascend_serving_layout') is not None:
            layout = node['ascend_serving_layout']
            for replica in layout['replicas']:
                rows.append({'node': name, 'replica': replica['name'],
                             'npus': ','.join(str(npu) for npu in replica['npus']), 'port': replica['port'],
                             'model': layout['served_model_name'], 'health': lost or 'not verified', 'answer': '',
                             'reason': why if lost else ''})
        elif lost and node.get('ascend_node_type'):
            rows.append({'node': name, 'replica': '-', 'npus': '', 'port': '', 'model': str(node.get('ascend_model', '')),
                         'health': lost, 'answer': '', 'reason': why.replace('its replicas were verified', 'it was planned')})
    return rows
