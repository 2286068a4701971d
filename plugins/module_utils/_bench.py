# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What ``vllm bench serve`` measures, how it is run, and what its results say.

Private to the collection. Pure standard library, no I/O: the inputs are the
serving nodes' variables (``hostvars``: the plan ``ascend_serving_layout``),
the router hosts' ``vllm_router_instances``, the role's settings and the
result files ``vllm bench serve --save-result`` wrote (as ``slurp`` returns
them); the outputs are the targets, each target's command line, the rows of
the summary, the slow replicas and the chart's series.

A target is one endpoint measured by one ``vllm bench serve`` process: the
cluster endpoint (the router's front, one per served model), or one replica
of one node (a data-parallel group's head only: its other nodes have no API).
"""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils._endpoints import node_address

# The guide's run: `vllm bench serve --dataset-name random --random-input 200
# --num-prompts 200 --request-rate 1`. It sets no output length, so its runs
# generated vLLM's default 128 tokens; the same here keeps numbers comparable.
DEFAULT_SETTINGS = {
    'backend': 'openai',
    'dataset': 'random',
    'input_len': 200,
    'output_len': 128,
    'range_ratio': 0.0,
    'prefix_len': 0,
    'num_prompts': 200,
    'request_rate': 1,
    'max_concurrency': None,
    'burstiness': 1.0,
    'goodput': {},
    'percentile_metrics': ['ttft', 'tpot', 'itl', 'e2el'],
    'metric_percentiles': [99],
    'temperature': 0.0,
    'seed': 0,
    'ignore_eos': False,
    'trust_remote_code': False,
    'extra_options': {},
    'command': [],
    'venv': '/opt/ascend_ops/vllm-bench',
    'image': '',
    'result_dir': '/var/tmp/ascend_ops-vllm-bench',
    'key_file': '',
}
BACKENDS = {'openai': '/v1/completions', 'openai-chat': '/v1/chat/completions'}
DATASETS = ('random',)
METRICS = ('ttft', 'tpot', 'itl', 'e2el')
GOODPUT_METRICS = ('ttft', 'tpot', 'e2el')
TARGET_KINDS = ('cluster', 'replicas')

# The summary's columns (the report role's rows are keyed by them) and the
# result key each one shows.
COLUMNS = ['target', 'node', 'replica', 'completed', 'failed', 'req/s', 'out tok/s', 'goodput req/s',
           'TTFT mean', 'TTFT median', 'TTFT p99', 'TPOT mean', 'TPOT median', 'TPOT p99',
           'ITL mean', 'ITL median', 'ITL p99', 'E2EL mean', 'E2EL median', 'E2EL p99', 'note']
_RESULT_COLUMNS = [('completed', 'completed'), ('failed', 'failed'), ('req/s', 'request_throughput'),
                   ('out tok/s', 'output_throughput'), ('goodput req/s', 'request_goodput')] + [
    ('%s %s' % (metric.upper(), stat), '%s_%s_ms' % ('p99' if stat == 'p99' else stat, metric))
    for metric in METRICS for stat in ('mean', 'median', 'p99')]
# What a result must hold to be a `vllm bench serve` result at all.
REQUIRED_RESULT_KEYS = ('completed', 'duration', 'request_throughput', 'output_throughput')

_NAME = re.compile(r'[^A-Za-z0-9._-]+')
_GOODPUT_WORD = re.compile(r'^(?P<metric>[a-z0-9]+):(?P<ms>[0-9]+(?:\.[0-9]+)?)$')


class BenchError(ValueError):
    """The input cannot make a benchmark; the message names the setting and a value that works."""


# ---------------------------------------------------------------- settings

def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return not math.isnan(float(value))
    if isinstance(value, str):
        try:
            return not math.isnan(float(value))
        except ValueError:
            return False
    return False


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().lstrip('-').isdigit()


def goodput_pairs(value: Any) -> List[Tuple[str, float]]:
    """``--goodput`` targets as (metric, milliseconds), from a mapping, a list of ``ttft:MS`` words or one text.

    ``{ttft: 2000, tpot: 50}``, ``[ttft:2000, tpot:50]`` and ``"ttft:2000 tpot:50"`` are the same.
    """
    if value in (None, '', [], {}):
        return []
    if isinstance(value, Mapping):
        words = [(str(key), item) for key, item in value.items()]
    else:
        if isinstance(value, str):
            items = value.split()
        elif isinstance(value, list):
            items = [str(item) for item in value]
        else:
            raise BenchError('goodput: %r is neither a mapping nor a list of metric:ms words; accepted: '
                             '{ttft: 2000, tpot: 50, e2el: 20000}' % (value,))
        words = []
        for item in items:
            match = _GOODPUT_WORD.match(item.strip())
            if match is None:
                raise BenchError('goodput: %r is not a metric:milliseconds word; accepted: ttft:2000, tpot:50 or e2el:20000'
                                 % (item,))
            words.append((match.group('metric'), match.group('ms')))
    pairs = []
    for metric, ms in words:
        if metric not in GOODPUT_METRICS:
            raise BenchError('goodput: %r is no goodput metric; accepted: %s' % (metric, ', '.join(GOODPUT_METRICS)))
        if not _is_number(ms) or float(ms) <= 0:
            raise BenchError('goodput: %s: %r is not a positive number of milliseconds; accepted: such as %s:2000'
                             % (metric, ms, metric))
        pairs.append((metric, float(ms)))
    return pairs


def settings_problems(settings: Optional[Mapping[str, Any]]) -> List[Tuple[str, str, str]]:
    """Every problem of the benchmark settings: (setting, what is wrong, an accepted value)."""
    found = []  # type: List[Tuple[str, str, str]]
    given = dict(settings or {})
    for key in sorted(given):
        if key not in DEFAULT_SETTINGS:
            found.append((key, 'is no benchmark setting', 'one of %s' % ', '.join(sorted(DEFAULT_SETTINGS))))
    merged = dict(DEFAULT_SETTINGS)
    merged.update(dict((key, value) for key, value in given.items()
                       if key in DEFAULT_SETTINGS and (value is not None or key == 'max_concurrency')))
    if merged['backend'] not in BACKENDS:
        found.append(('backend', '%r is not a backend the role runs' % (merged['backend'],), 'one of %s' % ', '.join(BACKENDS)))
    if merged['dataset'] not in DATASETS:
        found.append(('dataset', '%r is not a dataset the role runs' % (merged['dataset'],),
                      'random (other datasets through extra_options, with their own files)'))
    for key, low in (('input_len', 1), ('output_len', 1), ('num_prompts', 1), ('prefix_len', 0), ('seed', 0)):
        if not _is_int(merged[key]) or int(merged[key]) < low:
            found.append((key, '%r is not an integer of %d or more' % (merged[key], low),
                          'an integer such as %s' % DEFAULT_SETTINGS[key]))
    ratio = merged['range_ratio']
    if not _is_number(ratio) or not 0 <= float(ratio) < 1:
        found.append(('range_ratio', '%r is not a number in [0, 1)' % (ratio,), 'a number such as 0.0 (every length exact) or 0.5'))
    rate = merged['request_rate']
    if not (isinstance(rate, str) and rate.strip().lower() == 'inf') and (not _is_number(rate) or float(rate) <= 0):
        found.append(('request_rate', '%r is not a positive number of requests per second or inf' % (rate,),
                      '1 (the guide), 0.5, or inf with max_concurrency'))
    concurrency = merged['max_concurrency']
    if concurrency is not None and (not _is_int(concurrency) or int(concurrency) < 1):
        found.append(('max_concurrency', '%r is not an integer of 1 or more' % (concurrency,), 'null (no limit) or such as 8'))
    burstiness = merged['burstiness']
    if not _is_number(burstiness) or float(burstiness) <= 0:
        found.append(('burstiness', '%r is not a positive number' % (burstiness,), '1.0 (Poisson arrivals), below 1 burstier'))
    try:
        goodput_pairs(merged['goodput'])
    except BenchError as error:
        what, dummy, accepted = str(error).partition('; accepted: ')
        found.append(('goodput', what.partition(': ')[2], accepted))
    metrics = merged['percentile_metrics']
    if not isinstance(metrics, list) or not metrics or [metric for metric in metrics if metric not in METRICS]:
        found.append(('percentile_metrics', '%r is not a list of metrics' % (metrics,), 'a list of %s' % ', '.join(METRICS)))
    percentiles = merged['metric_percentiles']
    if (not isinstance(percentiles, list) or not percentiles
            or [value for value in percentiles if not _is_number(value) or not 0 < float(value) < 100]):
        found.append(('metric_percentiles', '%r is not a list of percentiles in (0, 100)' % (percentiles,), 'such as [50, 90, 99]'))
    temperature = merged['temperature']
    if not _is_number(temperature) or float(temperature) < 0:
        found.append(('temperature', '%r is not a number of 0 or more' % (temperature,), '0 (greedy, as the guide measures)'))
    options = merged['extra_options']
    if not isinstance(options, Mapping):
        found.append(('extra_options', '%r is not a mapping of option to value' % (options,), 'such as {ignore-eos: true}'))
    else:
        owned = sorted(key for key in options if _flag(key) in _OWNED_FLAGS)
        if owned:
            found.append(('extra_options', 'sets %s, which the role sets for every target' % ', '.join(owned),
                          'options other than %s' % ', '.join(sorted(_OWNED_FLAGS))))
    command = merged['command']
    if not isinstance(command, list) or [word for word in command if not isinstance(word, str) or not word]:
        found.append(('command', '%r is not a list of words' % (command,), 'such as [/opt/vllm/bin/vllm], or [] for the venv'))
    for key in ('venv', 'result_dir'):
        if not isinstance(merged[key], str) or not merged[key].startswith('/'):
            found.append((key, '%r is not an absolute path' % (merged[key],), 'such as %s' % DEFAULT_SETTINGS[key]))
    return found


def _settings(settings: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    problems = settings_problems(settings)
    if problems:
        raise BenchError('; '.join('%s %s; accepted: %s' % problem for problem in problems))
    merged = dict(DEFAULT_SETTINGS)
    merged.update(dict((key, value) for key, value in (settings or {}).items()
                       if value is not None or key == 'max_concurrency'))
    return merged


# ---------------------------------------------------------------- targets

def target_name(*parts: Any) -> str:
    """A file and label name: the parts joined by ``-``, characters a file name takes only."""
    return _NAME.sub('_', '-'.join(str(part) for part in parts if str(part))).strip('_')


def _data_parallel_head(node: Mapping[str, Any], groups: Mapping[str, Sequence[str]]) -> Optional[str]:
    """The head of the node's data-parallel group (its first node), or None when it serves alone."""
    group = str(node.get('vllm_serve_data_parallel_group') or '')
    if not group:
        return None
    layout = node.get('ascend_data_parallel_layout')
    if layout and layout.get('head'):
        return str(layout['head'])
    members = list(groups.get(group) or [])
    return str(members[0]) if members else str(node['inventory_hostname'])


def replica_targets(nodes: Sequence[Mapping[str, Any]], groups: Optional[Mapping[str, Sequence[str]]] = None
                    ) -> List[Dict[str, Any]]:
    """One target per API replica of ``nodes`` (hostvars of the serving nodes with their plan), in inventory order.

    A data-parallel group is one API on its head's replica 0 port: one target
    on the head, none on its other nodes.
    """
    targets = []
    for node in nodes:
        layout = node.get('ascend_serving_layout')
        if not layout:
            continue
        name = str(node['inventory_hostname'])
        replicas = list(layout.get('replicas') or [])
        head = _data_parallel_head(node, groups or {})
        note = ''
        if head is not None:
            if head != name or not replicas:
                continue
            replicas = replicas[:1]
            note = 'data-parallel group %s' % node.get('vllm_serve_data_parallel_group')
        for replica in replicas:
            targets.append({
                'name': target_name(name, replica['name']), 'kind': 'replica', 'node': name,
                'node_type': str(layout.get('node_type') or node.get('ascend_node_type') or ''),
                'replica': str(replica['name']), 'model': str(layout['served_model_name']),
                'url': 'http://%s:%s' % (node_address(node), replica['port']),
                # The model directory vllm serve reads; the container mounts it at the node's own path.
                'model_path': str((replica.get('serve_options') or {}).get('model') or ''), 'note': note})
    return targets


def cluster_targets(routers: Sequence[Mapping[str, Any]], cluster_url: str = '', cluster_model: str = '',
                    models: Sequence[str] = ()) -> Tuple[List[Dict[str, Any]], str]:
    """The cluster endpoints to measure and, when there is none, why (for the run's notes).

    ``routers``: hostvars of the router hosts; the first with
    ``vllm_router_instances`` gives one target per instance (per served
    model): each router host serves the whole cluster, so one is measured.
    ``cluster_url`` (set by the user) wins: one target for ``cluster_model``,
    or the one model ``models`` (the served models of the plans) hold.
    """
    if cluster_url:
        model = cluster_model
        if not model:
            served = sorted(set(models))
            if len(served) != 1:
                raise BenchError('vllm_bench_cluster_url is set but the nodes serve %s: set vllm_bench_cluster_model to the '
                                 'served model name the URL answers for; accepted: one of %s'
                                 % ('no model' if not served else ' and '.join(served), ', '.join(served) or 'a served model name'))
            model = served[0]
        return [{'name': target_name('cluster', model), 'kind': 'cluster', 'node': 'cluster', 'node_type': '',
                 'replica': cluster_url.rstrip('/'), 'model': model, 'url': cluster_url.rstrip('/'), 'model_path': '',
                 'note': 'vllm_bench_cluster_url'}], ''
    for router in routers:
        instances = router.get('vllm_router_instances')
        if not instances:
            continue
        targets = []
        for instance in instances:
            url = str(instance.get('front_url') or '').rstrip('/')
            if not url:
                continue
            targets.append({'name': target_name('cluster', instance.get('name') or instance['model']), 'kind': 'cluster',
                            'node': 'cluster', 'node_type': '', 'replica': url, 'model': str(instance['model']),
                            'url': url, 'model_path': '',
                            'note': 'router %s, %d workers' % (router['inventory_hostname'], len(instance.get('workers') or []))})
        if targets:
            return targets, ''
    if routers:
        return [], ('cluster endpoint skipped: no router host (%s) has vllm_router_instances; run the router phase, or set '
                    'vllm_bench_cluster_url' % ', '.join(str(router['inventory_hostname']) for router in routers))
    return [], 'cluster endpoint skipped: the inventory has no vllm_router host and vllm_bench_cluster_url is empty'


def bench_targets(nodes: Sequence[Mapping[str, Any]], routers: Sequence[Mapping[str, Any]] = (),
                  groups: Optional[Mapping[str, Sequence[str]]] = None, kinds: Sequence[str] = TARGET_KINDS,
                  together: bool = True, client: str = 'localhost', tokenizer: str = '',
                  tokenizers: Optional[Mapping[str, str]] = None, cluster_url: str = '', cluster_model: str = ''
                  ) -> Dict[str, Any]:
    """The targets of one benchmark run, in the batches they run in, each with its tokenizer on the client.

    Batches: each cluster endpoint alone (the replicas' load would skew it),
    then every replica at once (``together``), or each replica alone. The
    tokenizer of a target: ``tokenizers[served model]``, else ``tokenizer``,
    else, when the client is a serving node, the model directory of the plan
    (staged there by model_weights). Returns ``targets``, ``batches`` (lists
    of target names), ``notes`` and ``node_types`` (node -> node type).
    """
    unknown = [kind for kind in kinds if kind not in TARGET_KINDS]
    if unknown or not kinds:
        raise BenchError('vllm_bench_targets: %r is not a list of targets; accepted: a list of %s, such as [cluster, replicas]'
                         % (list(kinds), ', '.join(TARGET_KINDS)))
    replicas = replica_targets(nodes, groups)
    notes = []
    clusters = []  # type: List[Dict[str, Any]]
    if 'cluster' in kinds:
        clusters, why = cluster_targets(routers, cluster_url, cluster_model, [target['model'] for target in replicas])
        if why:
            notes.append(why)
    measured = clusters + (replicas if 'replicas' in kinds else [])
    serving = set(str(node['inventory_hostname']) for node in nodes)
    paths = {}  # type: Dict[str, str]
    for target in replicas:
        paths.setdefault(target['model'], target['model_path'])
    missing = []
    for target in measured:
        chosen = (tokenizers or {}).get(target['model']) or tokenizer
        if not chosen and client in serving:
            chosen = paths.get(target['model'], '')
        if not chosen:
            missing.append(target['model'])
        target['tokenizer'] = chosen
    if missing:
        raise BenchError('the client %s is no serving node, so it has no staged model directory to read the tokenizer of %s '
                         'from: set vllm_bench_tokenizer (or vllm_bench_tokenizers) to a directory on %s that holds the '
                         "model's tokenizer files (tokenizer.json, tokenizer_config.json, config.json); accepted: an "
                         'absolute path' % (client, ', '.join(sorted(set(missing))), client))
    if not measured:
        notes.append('nothing to measure: %s' % ('no serving node has a plan' if 'replicas' in kinds else 'no cluster endpoint'))
    batches = [[target['name']] for target in clusters]
    replica_names = [target['name'] for target in measured if target['kind'] == 'replica']
    if replica_names:
        batches += [replica_names] if together else [[name] for name in replica_names]
    return {'targets': measured, 'batches': batches, 'notes': notes,
            'node_types': dict((target['node'], target['node_type']) for target in replicas)}


# ---------------------------------------------------------------- the command line

def _flag(key: Any) -> str:
    text = str(key).strip()
    return text if text.startswith('--') else '--' + text.replace('_', '-')


def _number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


# Options the role sets itself for every target; extra_options may not override them.
_OWNED_FLAGS = frozenset(['--base-url', '--host', '--port', '--endpoint', '--backend', '--model', '--served-model-name',
                          '--tokenizer', '--save-result', '--result-dir', '--result-filename', '--label', '--metadata'])


def bench_options(target: Mapping[str, Any], settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    """The options of ``vllm bench serve`` for one target (the words after ``bench serve``).

    Full flag names (argparse takes prefixes, a later release may not), the
    temperature always (0.18 no longer defaults to greedy), and the result
    saved as ``<result_dir>/<target name>.json`` labelled with the target.
    Never the API key: :func:`bench_argv` reads it into ``OPENAI_API_KEY`` from a file.
    """
    merged = _settings(settings)
    for key in ('name', 'url', 'model', 'tokenizer'):
        if not target.get(key):
            raise BenchError('target %r has no %s' % (target.get('name'), key))
    rate = merged['request_rate']
    argv = ['--backend', merged['backend'], '--base-url', str(target['url']), '--endpoint', BACKENDS[merged['backend']],
            '--model', str(target['model']), '--tokenizer', str(target['tokenizer']),
            '--dataset-name', merged['dataset'],
            '--random-input-len', str(int(merged['input_len'])), '--random-output-len', str(int(merged['output_len'])),
            '--random-range-ratio', _number(merged['range_ratio']), '--random-prefix-len', str(int(merged['prefix_len'])),
            '--num-prompts', str(int(merged['num_prompts'])),
            '--request-rate', 'inf' if isinstance(rate, str) and rate.strip().lower() == 'inf' else _number(rate),
            '--burstiness', _number(merged['burstiness'])]
    if merged['max_concurrency'] is not None:
        argv += ['--max-concurrency', str(int(merged['max_concurrency']))]
    pairs = goodput_pairs(merged['goodput'])
    if pairs:
        argv += ['--goodput'] + ['%s:%s' % (metric, _number(ms)) for metric, ms in pairs]
    argv += ['--percentile-metrics', ','.join(merged['percentile_metrics']),
             '--metric-percentiles', ','.join(_number(value) for value in merged['metric_percentiles']),
             '--temperature', _number(merged['temperature']), '--seed', str(int(merged['seed']))]
    if merged['ignore_eos']:
        argv.append('--ignore-eos')
    if merged['trust_remote_code']:
        argv.append('--trust-remote-code')
    for key, value in sorted((merged['extra_options'] or {}).items()):
        if value is False or value is None:
            continue
        argv.append(_flag(key))
        if value is not True:
            argv += [str(item) for item in value] if isinstance(value, list) else [str(value)]
    argv += ['--save-result', '--result-dir', str(merged['result_dir']), '--result-filename', '%s.json' % target['name'],
             '--label', str(target['name']),
             '--metadata', 'target=%s' % target['name'], 'kind=%s' % target.get('kind', ''),
             'node=%s' % target.get('node', ''), 'replica=%s' % target.get('replica', '')]
    return argv


def bench_command(settings: Optional[Mapping[str, Any]] = None, target: Optional[Mapping[str, Any]] = None) -> List[str]:
    """The words before ``bench serve``: the given command, the vllm of the venv, or ``docker run`` of an image.

    The image way runs the client in the serving image (it ships vLLM) on the
    host network; the environment is passed by name (``-e OPENAI_API_KEY``,
    the value stays in the environment of ``docker``), the result directory
    and the tokenizer are mounted at their own paths.
    """
    merged = _settings(settings)
    if merged['command']:
        return [str(word) for word in merged['command']]
    if merged['image']:
        words = ['docker', 'run', '--rm', '--network', 'host', '-e', 'OPENAI_API_KEY', '-e', 'HF_HUB_OFFLINE',
                 '-e', 'TRANSFORMERS_OFFLINE', '-v', '%s:%s' % (merged['result_dir'], merged['result_dir'])]
        if target is not None and target.get('tokenizer'):
            words += ['-v', '%s:%s:ro' % (target['tokenizer'], target['tokenizer'])]
        return words + [str(merged['image']), 'vllm']
    return [merged['venv'].rstrip('/') + '/bin/vllm']


# Reads the key into the client's environment inside the shell: the key is in
# no command line (a task's environment would put it on the remote shell's,
# which `ps` and ansible -vvv show), only in the 0600 file and the process's
# own environment.
KEY_WRAPPER = 'OPENAI_API_KEY=$(cat "$0") && export OPENAI_API_KEY && exec "$@"'


def bench_argv(target: Mapping[str, Any], settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    """The whole command line of one target's ``vllm bench serve``.

    With ``key_file`` (a file on the client holding the API key), the command
    runs under ``/bin/sh -c`` :data:`KEY_WRAPPER`, which exports the file's
    content as ``OPENAI_API_KEY`` (the bearer token the client sends) and
    execs the client.
    """
    merged = _settings(settings)
    words = bench_command(settings, target) + ['bench', 'serve'] + bench_options(target, settings)
    if merged['key_file']:
        return ['/bin/sh', '-c', KEY_WRAPPER, str(merged['key_file'])] + words
    return words


# ---------------------------------------------------------------- results

def parse_result(text: str) -> Dict[str, Any]:
    """A saved ``vllm bench serve`` result (JSON), checked for the keys every release saves."""
    try:
        result = json.loads(text)
    except ValueError as error:
        raise BenchError('the result is not JSON: %s' % error)
    if not isinstance(result, dict):
        raise BenchError('the result is a %s, not a JSON object' % type(result).__name__)
    missing = [key for key in REQUIRED_RESULT_KEYS if key not in result]
    if missing:
        raise BenchError('the result has no %s: not a vllm bench serve result' % ', '.join(missing))
    return result


def _cell(value: Any) -> Any:
    if value is None:
        return ''
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, 2)
    return value


def _run_error(job: Optional[Mapping[str, Any]]) -> str:
    if not job:
        return ''
    if job.get('rc') not in (None, 0) or job.get('failed'):
        lines = [line for line in (job.get('stderr_lines') or str(job.get('stderr') or '').splitlines()) if line.strip()]
        tail = lines[-1] if lines else str(job.get('msg') or 'no output')
        return 'vllm bench serve failed (rc %s): %s' % (job.get('rc'), tail[:300])
    return ''


def bench_results(slurped: Sequence[Mapping[str, Any]], jobs: Sequence[Mapping[str, Any]] = ()) -> List[Dict[str, Any]]:
    """Each target with its parsed result or why there is none.

    ``slurped``: the loop results of ``slurp`` over the targets' result files
    (``item`` the target, ``content`` base64). ``jobs``: the ``async_status``
    loop results of the runs (``item`` the started job, whose ``item`` is the target).
    """
    errors = {}  # type: Dict[str, str]
    for job in jobs:
        started = job.get('item') or {}
        target = started.get('item') if isinstance(started, Mapping) and 'item' in started else started
        if isinstance(target, Mapping) and target.get('name'):
            errors[str(target['name'])] = _run_error(job)
    found = []
    for entry in slurped:
        target = dict(entry['item'])
        result = None  # type: Optional[Dict[str, Any]]
        error = errors.get(target['name'], '')
        if entry.get('content') and not entry.get('failed'):
            try:
                result = parse_result(base64.b64decode(entry['content']).decode('utf-8'))
            except (BenchError, ValueError, UnicodeDecodeError) as problem:
                error = error or 'unreadable result: %s' % problem
        elif not error:
            error = 'no result file: %s' % (entry.get('msg') or 'vllm bench serve wrote none')
        found.append({'target': target, 'result': result, 'error': error if result is None else ''})
    return found


def bench_rows(results: Sequence[Mapping[str, Any]], node_types: Optional[Mapping[str, str]] = None,
               fraction: Optional[float] = None) -> List[Dict[str, Any]]:
    """The summary's rows (keyed by :data:`COLUMNS`), one per target, in the order given.

    ``results``: as :func:`bench_results` returns them. With ``node_types``
    and ``fraction`` the note of a slow replica says so (:func:`slow_replicas`).
    """
    rows = []
    for entry in results:
        target = entry['target']
        result = entry.get('result') or {}
        row = {'target': target['name'], 'node': target.get('node', ''), 'replica': target.get('replica', '')}
        for column, key in _RESULT_COLUMNS:
            row[column] = _cell(result.get(key)) if result else ''
        notes = [target.get('note') or ''] if target.get('note') else []
        if entry.get('error'):
            notes.append(entry['error'])
        elif result and result.get('failed'):
            notes.append('%s requests failed' % result['failed'])
        row['note'] = '; '.join(notes)
        rows.append(row)
    if node_types and fraction:
        slow = dict(((record['node'], record['replica']), record['text'])
                    for record in slow_replicas(rows, fraction, node_types))
        for row in rows:
            text = slow.get((row['node'], row['replica']))
            if text:
                row['note'] = '; '.join(part for part in (text, row['note']) if part)
    return rows


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def slow_replicas(rows: Sequence[Mapping[str, Any]], fraction: float, node_types: Mapping[str, str]) -> List[Dict[str, Any]]:
    """The replicas whose output throughput is below ``fraction`` of the median of the replicas of their node type.

    ``rows``: as :func:`bench_rows` returns them; a row counts when its node
    is in ``node_types`` (node -> node type; the cluster endpoint is not) and it
    has a throughput. A node type with a single measured replica has nothing
    to compare with. Each record: ``node``, ``replica``, ``node_type``,
    ``output_throughput``, ``median``, ``threshold``, ``text``.
    """
    fraction = float(fraction)
    if not 0 < fraction <= 1:
        raise BenchError('vllm_bench_slow_fraction: %r is not in (0, 1]; accepted: such as 0.7' % (fraction,))
    by_type = {}  # type: Dict[str, List[Tuple[Mapping[str, Any], float]]]
    for row in rows:
        node_type = node_types.get(str(row.get('node')))
        value = row.get('out tok/s')
        if node_type is None or not _is_number(value) or value == '':
            continue
        by_type.setdefault(node_type, []).append((row, float(value)))
    slow = []
    for node_type in sorted(by_type):
        measured = by_type[node_type]
        if len(measured) < 2:
            continue
        median = _median([value for dummy, value in measured])
        threshold = fraction * median
        for row, value in measured:
            if value < threshold:
                slow.append({'node': row['node'], 'replica': row['replica'], 'node_type': node_type,
                             'output_throughput': value, 'median': round(median, 2), 'threshold': round(threshold, 2),
                             'text': 'slow: %.2f tok/s is below %g of the %s median %.2f' % (value, fraction, node_type, median)})
    return slow


def chart_series(rows: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """What the chart draws: per measured target (cluster first, then node by node) its label,
    group (``cluster`` or the node), output throughput, mean and p99 TTFT and whether it is slow (its note says so);
    targets without a result are left out."""
    entries = [row for row in rows if _is_number(row.get('out tok/s')) and row.get('out tok/s') != '']
    entries.sort(key=lambda row: (row.get('node') != 'cluster',))
    return {
        'labels': [('cluster %s' % row['target'].split('-', 1)[-1]) if row.get('node') == 'cluster'
                   else '%s %s' % (row['node'], str(row['replica']).rsplit('-', 1)[-1]) for row in entries],
        'groups': [str(row.get('node')) for row in entries],
        'output_throughput': [float(row['out tok/s']) for row in entries],
        'ttft_mean': [float(row['TTFT mean']) if _is_number(row.get('TTFT mean')) else 0.0 for row in entries],
        'ttft_p99': [float(row['TTFT p99']) if _is_number(row.get('TTFT p99')) else 0.0 for row in entries],
        'slow': [str(row.get('note') or '').startswith('slow: ') for row in entries],
    }
