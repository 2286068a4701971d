# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster endpoint: which vLLM router instances a deployment needs, and what they say.

Private to the collection. Pure standard library, no I/O: the inputs are the
serving nodes' variables (``hostvars``: ``vllm_serve_endpoints`` where the
verify phase ran, else the plan ``ascend_serving_layout``), the role's
settings, what the router's ``/list_workers`` and metrics answered; the
outputs are the router instances (one per served model), the router's
argv, the workers to add and remove at run time, and the records and rows of
the report.

One router instance per served model: vllm-router 0.1.17 learns a worker's
model from the worker's ``/v1/models``, which needs the API key when the
replicas have one. Routing several models by name through one router would
mean giving the router the key, on its command line where ``ps`` shows it.
So each model gets its own router and its own front port.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils._endpoints import node_address

# The policies the role accepts. kv_aware needs KV event sources on the
# workers (ZMQ endpoints the serving role does not open); the PD policies are
# for disaggregated prefill/decode, which this collection does not deploy.
POLICIES = ('round_robin', 'cache_aware', 'random', 'power_of_two', 'consistent_hash', 'sticky_least_loaded')
LOG_LEVELS = ('debug', 'info', 'warning', 'error', 'critical')

DEFAULT_SETTINGS = {
    'policy': 'round_robin',
    'address': '127.0.0.1',
    'port_base': 30000,
    'metrics_address': '127.0.0.1',
    'metrics_port_base': 29000,
    'front_address': '0.0.0.0',
    'front_port_base': 8080,
    'tls': False,
    'front_ports': {},
    'health_check_interval': 10,
    'health_check_timeout': 5,
    'health_failure_threshold': 3,
    'health_success_threshold': 2,
    'health_check_endpoint': '/health',
    'retry_max_retries': 3,
    'circuit_breaker': True,
    'cb_failure_threshold': 5,
    'cb_success_threshold': 2,
    'cb_timeout': 30,
    'request_timeout': 1800,
    'worker_startup_timeout': 600,
    'log_level': 'info',
}

_SLUG = re.compile(r'[^a-z0-9._-]+')
_METRIC_LINE = re.compile(r'^vllm_router_worker_health\{(?P<labels>[^}]*)\}\s+(?P<value>\S+)')
_LABEL = re.compile(r'(?P<key>[A-Za-z_][A-Za-z0-9_]*)="(?P<value>(?:[^"\\]|\\.)*)"')
_API_URL = re.compile(r'^(?P<base>https?://[^/]+)(?:/v1)?/?$')


class RouterError(ValueError):
    """The input cannot make router instances; the message names what to change."""


def instance_name(model: str) -> str:
    """The systemd instance name of a model's router: the served model name, lower case, safe characters only."""
    slug = _SLUG.sub('-', str(model).lower()).strip('-.')
    if not slug:
        raise RouterError('the served model name %r gives no usable router instance name' % (model,))
    return slug


def worker_url(api_url: str) -> str:
    """A worker's URL for the router from a replica's API URL: ``http://10.0.0.5:8001/v1`` -> ``http://10.0.0.5:8001``."""
    match = _API_URL.match(str(api_url or '').strip())
    if match is None:
        raise RouterError('%r is no replica URL such as http://10.0.0.5:8000/v1' % (api_url,))
    return match.group('base')


def node_workers(node: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """(served model, worker URL) of every API replica of one serving node.

    Verified endpoints (``vllm_serve_endpoints``) when the verify phase ran,
    those that serve only (a hung or failed replica is no worker, though a hung
    one's ``/health`` would pass the router's health check); else the plan (``ascend_serving_layout``), so a check run shows the planned
    workers. Headless data-parallel ranks have no URL: only a group's head
    (``ascend_data_parallel_layout.head``) serves, on its replica 0's port.
    """
    if node.get('vllm_serve_endpoints') is not None:
        return [(str(record['model']), worker_url(record['url'])) for record in node['vllm_serve_endpoints']
                if record.get('url') and record.get('serving', True)]
    layout = node.get('ascend_serving_layout')
    if layout is None:
        return []
    replicas = list(layout.get('replicas') or [])
    group = node.get('ascend_data_parallel_layout')
    if group is not None:
        if group.get('head') != node['inventory_hostname'] or not replicas:
            return []
        replicas = replicas[:1]
    address = node_address(node)
    return [(str(layout['served_model_name']), 'http://%s:%s' % (address, replica['port'])) for replica in replicas]


_PORT_SETTINGS = ('port_base', 'metrics_port_base', 'front_port_base')
_AT_LEAST_ONE = ('health_check_interval', 'health_check_timeout', 'health_failure_threshold', 'health_success_threshold',
                 'retry_max_retries', 'cb_failure_threshold', 'cb_success_threshold', 'cb_timeout', 'request_timeout',
                 'worker_startup_timeout')


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def settings_problems(settings: Optional[Mapping[str, Any]]) -> List[Tuple[str, str, str]]:
    """Every problem of the router settings: (setting, what is wrong, an accepted value)."""
    found = []  # type: List[Tuple[str, str, str]]
    given = dict(settings or {})
    for key in sorted(given):
        if key not in DEFAULT_SETTINGS:
            found.append((key, 'is no router setting', 'one of %s' % ', '.join(sorted(DEFAULT_SETTINGS))))
    merged = dict(DEFAULT_SETTINGS)
    merged.update(dict((key, value) for key, value in given.items() if value is not None and key in DEFAULT_SETTINGS))
    if merged['policy'] not in POLICIES:
        found.append(('policy', '%r is not a policy the role runs' % (merged['policy'],),
                      'one of %s (round_robin for replicas of one model)' % ', '.join(POLICIES)))
    if merged['log_level'] not in LOG_LEVELS:
        found.append(('log_level', '%r is not a log level' % (merged['log_level'],), 'one of %s' % ', '.join(LOG_LEVELS)))
    for key in _PORT_SETTINGS:
        if not _is_int(merged[key]) or not 1024 <= int(merged[key]) <= 65535:
            found.append((key, '%r is not a port within 1024-65535' % (merged[key],), 'a port such as %s' % DEFAULT_SETTINGS[key]))
    for key in _AT_LEAST_ONE:
        if not _is_int(merged[key]) or int(merged[key]) < 1:
            found.append((key, '%r is not an integer of 1 or more' % (merged[key],), '1 or more, such as %s' % DEFAULT_SETTINGS[key]))
    front_ports = merged['front_ports']
    if not isinstance(front_ports, Mapping):
        found.append(('front_ports', '%r is not a mapping of served model name to port' % (front_ports,),
                      'such as {qwen3.6: 8080}'))
    else:
        for model, port in sorted(front_ports.items()):
            if not _is_int(port) or not 1 <= int(port) <= 65535:
                found.append(('front_ports', '%s: %r is not a port' % (model, port), 'a port within 1-65535, such as 8080'))
    endpoint = merged['health_check_endpoint']
    if not isinstance(endpoint, str) or not endpoint.startswith('/'):
        found.append(('health_check_endpoint', '%r is not a path' % (endpoint,), 'a path such as /health'))
    return found


def _settings(settings: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    problems = settings_problems(settings)
    if problems:
        raise RouterError('; '.join('%s %s; accepted: %s' % problem for problem in problems))
    merged = dict(DEFAULT_SETTINGS)
    merged.update(dict((key, value) for key, value in (settings or {}).items() if value is not None))
    return merged


def router_args(instance: Mapping[str, Any], settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    """The vllm-router options of one instance, workers apart (they come from the instance's workers file).

    Never ``--api-key``: the router forwards the client's ``Authorization``
    header to the workers, and a key on the command line shows in ``ps``.
    """
    merged = _settings(settings)
    args = ['--host', str(merged['address']), '--port', str(instance['port']),
            '--policy', merged['policy'],
            '--prometheus-host', str(merged['metrics_address']), '--prometheus-port', str(instance['metrics_port']),
            '--health-check-endpoint', str(merged['health_check_endpoint']),
            '--health-check-interval-secs', str(merged['health_check_interval']),
            '--health-check-timeout-secs', str(merged['health_check_timeout']),
            '--health-failure-threshold', str(merged['health_failure_threshold']),
            '--health-success-threshold', str(merged['health_success_threshold']),
            '--request-timeout-secs', str(merged['request_timeout']),
            '--worker-startup-timeout-secs', str(merged['worker_startup_timeout']),
            '--log-level', merged['log_level']]
    if int(merged['retry_max_retries']) <= 1:
        args.append('--disable-retries')
    else:
        args += ['--retry-max-retries', str(merged['retry_max_retries'])]
    if merged['circuit_breaker']:
        args += ['--cb-failure-threshold', str(merged['cb_failure_threshold']),
                 '--cb-success-threshold', str(merged['cb_success_threshold']),
                 '--cb-timeout-duration-secs', str(merged['cb_timeout'])]
    else:
        args.append('--disable-circuit-breaker')
    return args


def front_url(front_port: int, router_address: str, settings: Optional[Mapping[str, Any]] = None) -> str:
    """The URL clients use: the front's own address, or the router host's when the front listens on every address."""
    merged = _settings(settings)
    address = str(merged['front_address'] or '')
    host = router_address if address in ('', '0.0.0.0', '::', '*') else address
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return '%s://%s:%d' % ('https' if merged['tls'] else 'http', host, int(front_port))


def router_instances(nodes: Sequence[Mapping[str, Any]], settings: Optional[Mapping[str, Any]] = None,
                     router_address: str = '') -> List[Dict[str, Any]]:
    """One router instance per served model over every API replica of ``nodes``.

    ``nodes``: the serving nodes' variables (``hostvars``), in inventory
    order; nodes with neither endpoints nor a plan give nothing. Instances are
    ordered by model name; instance ``i`` gets ``port_base + i``,
    ``metrics_port_base + i`` and ``front_port_base + i``, unless
    ``front_ports`` (served model name -> port) names the model. Each instance:
    ``name``, ``model``, ``port``, ``metrics_port``, ``front_port``,
    ``workers`` (URLs in inventory order, no duplicates), ``args`` and, with
    ``router_address`` (the router host's address), ``front_url``.
    """
    merged = _settings(settings)
    by_model = {}  # type: Dict[str, List[str]]
    for node in nodes:
        for model, url in node_workers(node):
            workers = by_model.setdefault(model, [])
            if url not in workers:
                workers.append(url)
    front_ports = dict(merged['front_ports'] or {})
    unknown = sorted(model for model in front_ports if model not in by_model)
    if unknown and by_model:
        raise RouterError('front_ports names %s, which no replica serves; served: %s' % (unknown[0], ', '.join(sorted(by_model))))
    instances = []
    names = {}  # type: Dict[str, str]
    for index, model in enumerate(sorted(by_model)):
        name = instance_name(model)
        if name in names:
            raise RouterError('served models %s and %s give the same router instance name %s' % (names[name], model, name))
        names[name] = model
        instance = {
            'name': name, 'model': model,
            'port': int(merged['port_base']) + index,
            'metrics_port': int(merged['metrics_port_base']) + index,
            'front_port': int(front_ports.get(model, int(merged['front_port_base']) + index)),
            'workers': by_model[model],
        }
        instance['args'] = router_args(instance, merged)
        if router_address:
            instance['front_url'] = front_url(instance['front_port'], router_address, merged)
        instances.append(instance)
    fronts = {}  # type: Dict[int, str]
    for instance in instances:
        if instance['front_port'] in fronts:
            raise RouterError('the front ports of %s and %s are both %d'
                              % (fronts[instance['front_port']], instance['model'], instance['front_port']))
        fronts[instance['front_port']] = instance['model']
    return instances


def unplanned_hosts(nodes: Sequence[Mapping[str, Any]]) -> List[str]:
    """Addresses of serving nodes this run knows nothing of (a ``--limit`` left them out).

    A node with a node type but neither verified endpoints nor a plan may well
    be serving: its workers are not this run's to remove. Pure router hosts
    (no node type) are not serving nodes.
    """
    return [node_address(node) for node in nodes
            if node.get('ascend_node_type') and node.get('vllm_serve_endpoints') is None
            and node.get('ascend_serving_layout') is None]


def _url_host(url: str) -> str:
    match = re.match(r'^https?://(\[[^]]*\]|[^:/]+)', str(url))
    return match.group(1).strip('[]') if match else ''


def workers_diff(current: Sequence[str], desired: Sequence[str], keep_hosts: Sequence[str] = ()) -> Dict[str, List[str]]:
    """What to add to and remove from a running router's list (``/list_workers``) to reach ``desired``.

    Compared without a trailing slash. Order: as ``desired`` (add) and as
    ``current`` (remove). A current worker on one of ``keep_hosts`` (nodes
    this run has no facts of: :func:`unplanned_hosts`) stays.
    """
    def key(url: str) -> str:
        return str(url).rstrip('/')

    have = set(key(url) for url in current)
    want = set(key(url) for url in desired) | set(key(url) for url in current if _url_host(url) in set(keep_hosts))
    added = []  # type: List[str]
    for url in desired:
        if key(url) not in have and key(url) not in [key(seen) for seen in added]:
            added.append(key(url))
    removed = [key(url) for url in current if key(url) not in want]
    return {'add': added, 'remove': removed}


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace('\\n', '\n').replace('\\\\', '\\')


def worker_health(metrics: str) -> Dict[str, bool]:
    """Worker URL -> healthy, from the router's Prometheus text (``vllm_router_worker_health{worker="URL"} 1``)."""
    health = {}  # type: Dict[str, bool]
    for line in str(metrics or '').splitlines():
        match = _METRIC_LINE.match(line.strip())
        if match is None:
            continue
        labels = dict((label.group('key'), _unescape(label.group('value'))) for label in _LABEL.finditer(match.group('labels')))
        if 'worker' not in labels:
            continue
        try:
            health[labels['worker']] = float(match.group('value')) >= 1
        except ValueError:
            continue
    return health


def unhealthy_workers(metrics: str, workers: Sequence[str]) -> List[str]:
    """The ``workers`` the router does not report healthy (unknown to it counts as not healthy)."""
    health = worker_health(metrics)
    return [url for url in workers if not health.get(str(url).rstrip('/'), False)]


def _answer(result: Mapping[str, Any]) -> str:
    try:
        text = result['json']['choices'][0]['text']
    except (KeyError, IndexError, TypeError):
        return ''
    return text if isinstance(text, str) else ''


def _answer_error(model: str, result: Mapping[str, Any]) -> str:
    """Why a completion through the front gave no text, or '' when it did."""
    if result.get('status') == 200 and _answer(result).strip():
        return ''
    body = result.get('json')
    detail = body.get('error', '') if isinstance(body, Mapping) else ''
    if isinstance(detail, Mapping):
        detail = detail.get('message', '')
    return '%s: HTTP %s %s' % (model, result.get('status', '-'), detail or result.get('msg', '') or 'no text in choices[0]')


def endpoint_records(router_host: str, instances: Sequence[Mapping[str, Any]], front_urls: Sequence[str],
                     metrics: Sequence[Mapping[str, Any]], answers: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """One record per router instance of a router host (fact ``vllm_router_endpoints``).

    ``front_urls``, ``metrics`` (the loop results of reading each instance's
    metrics, ``content``) and ``answers`` (the loop results of a completion
    through the front) are in the order of ``instances``.
    """
    records = []
    for instance, url, metric, answer in zip(instances, front_urls, metrics, answers):
        health = worker_health(metric.get('content') or '')
        workers = [{'url': worker, 'healthy': health.get(worker, False)} for worker in instance['workers']]
        records.append({
            'router': router_host, 'instance': instance['name'], 'model': instance['model'], 'url': url,
            'port': instance.get('port'), 'metrics_port': instance.get('metrics_port'),
            'front_port': instance.get('front_port'), 'workers': workers,
            'healthy': len([worker for worker in workers if worker['healthy']]), 'total': len(workers),
            'all_healthy': all(worker['healthy'] for worker in workers), 'answer': _answer(answer),
            'error': _answer_error(instance['model'], answer),
        })
    return records


def report_rows(nodes: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """The rows of the cluster endpoint table, one per router instance of every router host.

    ``nodes``: the router hosts' variables. Verified endpoints
    (``vllm_router_endpoints``) where the router phase verified them, else
    the planned instances (``vllm_router_instances``) as ``not verified``.
    """
    rows = []
    for node in nodes:
        if node.get('vllm_router_endpoints') is not None:
            for record in node['vllm_router_endpoints']:
                rows.append({'router': record['router'], 'model': record['model'], 'url': record['url'],
                             'workers': '%d/%d healthy' % (record['healthy'], record['total']),
                             'answer': _truncate(record.get('answer') or '')})
        elif node.get('vllm_router_instances') is not None:
            for instance in node['vllm_router_instances']:
                rows.append({'router': node['inventory_hostname'], 'model': instance['model'],
                             'url': instance.get('front_url', ''),
                             'workers': '%d planned, not verified' % len(instance['workers']), 'answer': ''})
    return rows


def _truncate(text: str, width: int = 60, leeway: int = 5) -> str:
    text = text.strip().replace('\n', ' ')
    if len(text) <= width + leeway:
        return text
    return text[:width - 3].rsplit(' ', 1)[0] + '...'
