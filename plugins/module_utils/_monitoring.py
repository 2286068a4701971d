# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What Prometheus scrapes, from the deployment's facts, and the alert rules' settings.

Private to the collection. Pure: no Jinja, no I/O.

The scrape targets are Prometheus ``file_sd`` target groups, one file per job
and host (``<job>/<host>.json``): a run that knows only some hosts (``--limit``)
rewrites only their files, and Prometheus reads a changed file without a
restart. Three jobs:

- ``vllm``: every API replica of a serving node (``/metrics`` on the replica's
  port), labels ``node``, ``replica``, ``npus``, ``model``; from the verified
  endpoints (``vllm_serve_endpoints``) when the verify phase ran, else from the
  plan (``ascend_serving_layout``). Headless data-parallel ranks serve no HTTP.
- ``vllm_router``: every router instance of a router host (its metrics port),
  labels ``node``, ``model``, ``router``.
- ``npu_exporter``: every node whose NPU exporter runs (fact
  ``npu_exporter_endpoint``), label ``node``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils._endpoints import node_address

JOBS = ('vllm', 'vllm_router', 'npu_exporter')
# Prometheus durations as promtool accepts them in rules (one unit is enough here).
DURATION = re.compile(r'^[0-9]+(ms|s|m|h|d|w|y)$')
_URL = re.compile(r'^https?://(?P<address>\[[^\]]+\]|[^/:]+):(?P<port>[0-9]+)(/.*)?$')

# The alert rules' settings (prometheus_alert_<name> in the role) and their defaults.
DEFAULT_ALERT_SETTINGS = {
    'replica_down_for': '1m',
    'router_no_worker_for': '1m',
    'waiting_requests': 32,
    'waiting_for': '5m',
    'kv_cache_percent': 90,
    'kv_cache_for': '5m',
    'hung_window': '2m',
    'hung_for': '1m',
    'npu_unhealthy_for': '1m',
    'hbm_percent': 95,
    'hbm_for': '5m',
    'temperature_celsius': 85,
    'temperature_for': '5m',
    'exporter_down_for': '2m',
}
_PERCENTS = ('kv_cache_percent', 'hbm_percent')


class MonitoringError(ValueError):
    """A fact or setting the targets cannot be made from."""


def _host_port(url: str) -> str:
    match = _URL.match(str(url))
    if not match:
        raise MonitoringError('%r is no replica URL such as http://10.0.0.5:8000/v1' % (url,))
    return '%s:%s' % (match.group('address'), match.group('port'))


def _npus(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ','.join(str(npu) for npu in value)
    return str(value)


def _replica_group(target: str, node: str, replica: Any, npus: Any, model: str) -> Dict[str, Any]:
    return {'targets': [target],
            'labels': {'node': node, 'replica': str(replica), 'npus': _npus(npus), 'model': model}}


def replica_targets(node: Mapping[str, Any]) -> Optional[List[Dict[str, Any]]]:
    """The ``vllm`` target groups of one serving node; None when the run has no facts of it.

    Verified endpoints first; else the plan (a data-parallel group's head serves
    its replica 0 only, the other ranks nothing).
    """
    name = str(node['inventory_hostname'])
    if node.get('vllm_serve_endpoints') is not None:
        return [_replica_group(_host_port(record['url']), name, record['replica'], record.get('npus', ''),
                               str(record.get('model', '')))
                for record in node['vllm_serve_endpoints'] if record.get('url')]
    layout = node.get('ascend_serving_layout')
    if layout is None:
        return None
    replicas = list(layout.get('replicas') or [])
    group = node.get('ascend_data_parallel_layout')
    if group is not None:
        replicas = replicas[:1] if group.get('head') == name else []
    address = node_address(node)
    return [_replica_group('%s:%s' % (address, replica['port']), name, replica['name'], replica.get('npus', ''),
                           str(layout.get('served_model_name', '')))
            for replica in replicas]


def router_targets(node: Mapping[str, Any]) -> Optional[List[Dict[str, Any]]]:
    """The ``vllm_router`` target groups of one router host (fact ``vllm_router_instances``); None without it."""
    instances = node.get('vllm_router_instances')
    if instances is None:
        return None
    address = node_address(node)
    name = str(node['inventory_hostname'])
    return [{'targets': ['%s:%s' % (address, instance['metrics_port'])],
             'labels': {'node': name, 'model': str(instance.get('model', '')), 'router': str(instance.get('name', ''))}}
            for instance in instances]


def exporter_targets(node: Mapping[str, Any]) -> Optional[List[Dict[str, Any]]]:
    """The ``npu_exporter`` target group of one node (fact ``npu_exporter_endpoint``); None without it."""
    endpoint = node.get('npu_exporter_endpoint')
    if endpoint is None:
        return None
    address = str(endpoint.get('address') or '')
    if address in ('', '0.0.0.0', '::', '127.0.0.1', 'localhost'):
        # The exporter on every address (or loopback only, which a remote Prometheus cannot reach anyway):
        # the host's own address.
        address = node_address(node)
    return [{'targets': ['%s:%s' % (address, endpoint['port'])], 'labels': {'node': str(node['inventory_hostname'])}}]


_JOB_TARGETS = {'vllm': replica_targets, 'vllm_router': router_targets, 'npu_exporter': exporter_targets}


def scrape_targets(nodes: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """One file_sd file per job and host whose facts this run has: ``job``, ``host``, ``groups``.

    ``nodes``: the variables of every host (``hostvars``). A host the run has no
    facts of gives no file (its file, if any, stays as the last run wrote it).
    """
    files = []
    for node in sorted(nodes, key=lambda item: str(item['inventory_hostname'])):
        for job in JOBS:
            groups = _JOB_TARGETS[job](node)
            if groups is not None:
                files.append({'job': job, 'host': str(node['inventory_hostname']), 'groups': groups})
    return files


def stale_target_files(paths: Sequence[str], hosts: Sequence[str]) -> List[str]:
    """The target files (``.../<job>/<host>.json``) of hosts no longer in the inventory."""
    known = set(str(host) for host in hosts)
    stale = []
    for path in paths:
        base = str(path).rsplit('/', 1)[-1]
        if base.endswith('.json') and base[:-len('.json')] not in known:
            stale.append(str(path))
    return sorted(stale)


def alert_settings(settings: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """The alert rules' settings over their defaults; MonitoringError naming every bad one."""
    merged = dict(DEFAULT_ALERT_SETTINGS)
    merged.update(settings or {})
    problems = alert_settings_problems(merged)
    if problems:
        raise MonitoringError('; '.join('%s %s (accepted: %s)' % problem for problem in problems))
    return merged


def alert_settings_problems(settings: Mapping[str, Any]) -> List[Tuple[str, str, str]]:
    """(setting, what is wrong, accepted) of each alert setting out of its range."""
    found = []
    for name in sorted(settings):
        value = settings[name]
        if name not in DEFAULT_ALERT_SETTINGS:
            found.append((name, 'is no alert setting', ', '.join(sorted(DEFAULT_ALERT_SETTINGS))))
        elif name.endswith(('_for', '_window')):
            if not isinstance(value, str) or not DURATION.match(value):
                found.append((name, '%r is no Prometheus duration' % (value,), 'a number and a unit, such as 30s, 5m or 1h'))
            elif name.endswith('_window') and re.match(r'^0+[a-z]+$', value):
                found.append((name, 'is zero: a rate needs a window', 'a duration above 0, such as 2m'))
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            found.append((name, '%r is not a number' % (value,), 'a number, such as %s' % DEFAULT_ALERT_SETTINGS[name]))
        elif name in _PERCENTS and not 0 < value <= 100:
            found.append((name, '%s is not a percentage in (0, 100]' % value, 'a number such as %s' % DEFAULT_ALERT_SETTINGS[name]))
        elif value < 0:
            found.append((name, '%s is negative' % value, 'a number of 0 or more, such as %s' % DEFAULT_ALERT_SETTINGS[name]))
    return found
