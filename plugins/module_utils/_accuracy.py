# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What AISBench evaluates, how it is run, and what its summary says.

Private to the collection. Pure standard library, no I/O: the inputs are the
serving nodes' variables (``hostvars`` with the plan ``ascend_serving_layout``),
the router hosts' ``vllm_router_instances``, the role's settings and the
summary CSV ``ais_bench`` wrote; the outputs are the endpoint evaluated, the
model config AISBench reads (Python source), the command line, the rows of
the summary and the verdict against the threshold.

AISBench (``ais-bench-benchmark``) takes its model from a Python config file
(``<config dir>/models/<name>.py``, a ``models = [dict(...)]`` list) and its
datasets by config name (``gsm8k_gen_0_shot_cot_chat_prompt`` ...); a run
``ais_bench --models M --datasets D --config-dir DIR --mode all -w WORK``
writes ``WORK/<time>/summary/summary_<time>.csv`` with the columns
``dataset,version,metric,mode,<model abbr>``. Its configs are loaded as
data (mmengine's lazy import): a config cannot read the environment, so the
API key is a literal in the model config, a file of mode 0600 the role writes
with ``no_log`` and removes after the run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import shlex
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _bench

TARGETS = ('cluster', 'replica')
# The name of the generated model config (``--models``) and the model's abbr (its column in the summary).
CONFIG_NAME = 'ascend_ops_vllm_accuracy'
DEFAULT_SETTINGS = {
    'abbr': 'vllm-api-general-chat',
    'batch_size': 1,
    'max_out_len': 512,
    'retry': 2,
    'generation_kwargs': {'temperature': 0.0},
    'datasets': ['gsm8k_gen_0_shot_cot_chat_prompt'],
    'num_prompts': None,
    'command': [],
    'venv': '/var/tmp/ascend_ops-ais-bench/venv',
    'config_dir': '/var/tmp/ascend_ops-accuracy/configs',
    'work_dir': '/var/tmp/ascend_ops-accuracy/work',
    'extra_args': [],
}
SUMMARY_COLUMNS = ('dataset', 'version', 'metric', 'mode')
# The report's columns, as accuracy_rows keys its rows.
ROW_COLUMNS = ('dataset', 'version', 'metric', 'mode', 'score', 'threshold', 'verdict')
# Flags the role sets itself; extra_args may not give them again.
_OWNED_FLAGS = ('--models', '--datasets', '--config-dir', '--mode', '-m', '--work-dir', '-w', '--num-prompts',
                '--reuse', '-r', '--dry-run', '--search', '-s')
_NAME = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$')
_IDENTIFIER = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_URL = re.compile(r'^https?://[^/\s]+(/\S*)?$')
# The record of the client's last install (install_record): bump when its keys change, so an old record reads as different.
INSTALL_RECORD_FORMAT = 1
_FIND_LINKS = ('--find-links', '-f')


class AccuracyError(Exception):
    """A setting or an input the evaluation cannot use; the message names it and what is accepted."""


# ---------------------------------------------------------------- the endpoint

def _choose_model(targets: Sequence[Mapping[str, Any]], model: str, what: str) -> List[Mapping[str, Any]]:
    if not model:
        return list(targets)
    chosen = [target for target in targets if target['model'] == model]
    if not chosen:
        raise AccuracyError('vllm_accuracy_model: %r is not served by %s; accepted: one of %s'
                            % (model, what, ', '.join(sorted(set(str(t['model']) for t in targets))) or 'a served model name'))
    return chosen


def accuracy_target(nodes: Sequence[Mapping[str, Any]], routers: Sequence[Mapping[str, Any]] = (),
                    groups: Optional[Mapping[str, Sequence[str]]] = None, target: str = 'cluster', url: str = '',
                    model: str = '', replica: str = '') -> Dict[str, Any]:
    """The one endpoint AISBench evaluates: ``{name, kind, node, replica, model, url, note}``.

    ``url`` (set by the user) wins, for ``model`` or the one model the nodes
    serve. Else ``target``: ``cluster`` is the router's front (the first
    router host with ``vllm_router_instances``; with several served models,
    ``model`` picks one), ``replica`` one replica of the plans: ``replica``
    names it (``<node>/<replica>``, ``<node>`` for its first, or the target
    name ``<node>-<replica>``), else the first replica of the first node.
    """
    if target not in TARGETS:
        raise AccuracyError('vllm_accuracy_target: %r is no target; accepted: %s' % (target, ' or '.join(TARGETS)))
    replicas = _bench.replica_targets(nodes, groups or {})
    served = [str(item['model']) for item in replicas]
    if url:
        if not _URL.match(url):
            raise AccuracyError('vllm_accuracy_url: %r is not an http(s) URL; accepted: such as http://10.0.0.5:8000' % (url,))
        try:
            clusters, _why = _bench.cluster_targets([], url, model, served)
        except _bench.BenchError:
            raise AccuracyError('vllm_accuracy_model: vllm_accuracy_url is set but the nodes serve %s; accepted: the served '
                                'model name the URL answers for' % (' and '.join(sorted(set(served))) or 'no model'))
        chosen = dict(clusters[0], note='vllm_accuracy_url')
        return chosen
    if target == 'cluster':
        clusters, why = _bench.cluster_targets(routers, '', '', served)
        if not clusters:
            raise AccuracyError('vllm_accuracy_target: cluster, but %s; accepted: vllm_accuracy_target: replica, or '
                                'vllm_accuracy_url' % why.replace('vllm_bench_cluster_url', 'vllm_accuracy_url')
                                .replace('cluster endpoint skipped: ', ''))
        clusters = _choose_model(clusters, model, 'the cluster endpoint')
        if len(clusters) > 1:
            raise AccuracyError('vllm_accuracy_model: the cluster endpoint serves %s; accepted: one of them'
                                % ' and '.join(str(item['model']) for item in clusters))
        return dict(clusters[0])
    if not replicas:
        raise AccuracyError('vllm_accuracy_target: replica, but no serving node has a plan (ascend_serving_layout); accepted: '
                            'run playbooks/accuracy.yml (its plan step), or set vllm_accuracy_url')
    candidates = _choose_model(replicas, model, 'any replica of the plans')
    if replica:
        wanted = replica.strip()
        picked = [item for item in candidates
                  if wanted in (item['name'], '%s/%s' % (item['node'], item['replica']))]
        if not picked:
            picked = [item for item in candidates if item['node'] == wanted][:1]
        if not picked:
            examples = ', '.join('%s/%s' % (item['node'], item['replica']) for item in candidates[:3])
            raise AccuracyError('vllm_accuracy_replica: %r is no replica of the plans; accepted: <node>/<replica> or <node>, '
                                'such as %s' % (wanted, examples))
        return dict(picked[0])
    return dict(candidates[0])


# ---------------------------------------------------------------- settings and the model config

def _is_int(value: Any) -> bool:
    return _bench._is_int(value)


def _literal_problem(value: Any, path: str) -> str:
    """Why ``value`` cannot be written as a Python literal of a config (empty: it can)."""
    if value is None or isinstance(value, (bool, str, int)):
        return ''
    if isinstance(value, float):
        return '' if math.isfinite(value) else '%s is %r, not a finite number' % (path, value)
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            problem = _literal_problem(item, '%s[%d]' % (path, index))
            if problem:
                return problem
        return ''
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return '%s has the key %r, not a string' % (path, key)
            problem = _literal_problem(item, '%s.%s' % (path, key))
            if problem:
                return problem
        return ''
    return '%s is a %s, not a string, number, boolean, list or mapping' % (path, type(value).__name__)


def settings_problems(settings: Optional[Mapping[str, Any]]) -> List[tuple]:
    """(setting, what is wrong, accepted) for each setting out of its range; only the settings given."""
    settings = settings or {}
    found = []
    for key in ('batch_size', 'max_out_len'):
        if key in settings and settings[key] is not None:
            value = settings[key]
            if not _is_int(value) or int(value) < 1:
                found.append((key, '%r is not a whole number of 1 or more' % (value,), 'such as %s' % DEFAULT_SETTINGS[key]))
    if 'retry' in settings and settings['retry'] is not None:
        value = settings['retry']
        if not _is_int(value) or int(value) < 0:
            found.append(('retry', '%r is not a whole number of 0 or more' % (value,), 'such as 2'))
    if settings.get('num_prompts') is not None:
        value = settings['num_prompts']
        if not _is_int(value) or int(value) < 1:
            found.append(('num_prompts', '%r is not a whole number of 1 or more' % (value,),
                          'null (every question) or a count such as 100'))
    if 'generation_kwargs' in settings and settings['generation_kwargs'] is not None:
        value = settings['generation_kwargs']
        if not isinstance(value, Mapping):
            found.append(('generation_kwargs', '%r is not a mapping' % (value,), 'such as {temperature: 0, top_p: 1}'))
        else:
            wrong = sorted(str(key) for key in value if not isinstance(key, str) or not _IDENTIFIER.match(key))
            problem = _literal_problem(dict((k, v) for k, v in value.items() if isinstance(k, str)), 'generation_kwargs')
            if wrong:
                found.append(('generation_kwargs', 'has keys that are no request field names: %s' % ', '.join(wrong),
                              'field names of the chat completion request, such as temperature, top_p, top_k, seed'))
            elif problem:
                found.append(('generation_kwargs', problem, 'strings, numbers, booleans, lists and mappings'))
    if 'datasets' in settings and settings['datasets'] is not None:
        value = settings['datasets']
        if not isinstance(value, (list, tuple)) or not value:
            found.append(('datasets', '%r is not a non-empty list of dataset config names' % (value,),
                          'such as [gsm8k_gen_0_shot_cot_chat_prompt]'))
        else:
            wrong = [str(item) for item in value if not isinstance(item, str) or not _NAME.match(item)]
            if wrong:
                found.append(('datasets', 'has names that are no AISBench config names: %s' % ', '.join(wrong),
                              'config names such as gsm8k_gen_0_shot_cot_chat_prompt, ceval_gen_0_shot_cot_chat_prompt'))
    if 'abbr' in settings and settings['abbr'] is not None:
        value = settings['abbr']
        if not isinstance(value, str) or not _NAME.match(value):
            found.append(('abbr', '%r is no name for a column' % (value,), 'letters, digits, ., - and _, such as vllm-api-general-chat'))
    if 'extra_args' in settings and settings['extra_args'] is not None:
        value = settings['extra_args']
        if not isinstance(value, (list, tuple)):
            found.append(('extra_args', '%r is not a list of words' % (value,), 'such as [--dump-eval-details]'))
        else:
            owned = sorted(set(str(word).split('=', 1)[0] for word in value) & set(_OWNED_FLAGS))
            if owned:
                found.append(('extra_args', 'gives %s, which the role sets itself' % ', '.join(owned),
                              'other ais_bench options, such as [--dump-eval-details, --max-num-workers, "4"]'))
    for key in ('venv', 'config_dir', 'work_dir'):
        value = settings.get(key)
        if value is not None and (not isinstance(value, str) or not value.startswith('/')):
            found.append((key, '%r is not an absolute path' % (value,), 'such as %s' % DEFAULT_SETTINGS[key]))
    return found


def _settings(settings: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    problems = settings_problems(settings)
    if problems:
        raise AccuracyError('; '.join('vllm_accuracy_%s: %s; accepted: %s' % problem for problem in problems))
    merged = dict(DEFAULT_SETTINGS)
    merged.update(dict((key, value) for key, value in (settings or {}).items()
                       if value is not None or key == 'num_prompts'))
    return merged


def _python(value: Any, indent: str) -> str:
    """``value`` as Python source; mappings as ``dict(...)`` when every key is a name (AISBench's own style)."""
    if isinstance(value, Mapping):
        if not value:
            return 'dict()'
        if all(_IDENTIFIER.match(key) for key in value):
            inner = indent + '    '
            fields = '\n'.join('%s%s=%s,' % (inner, key, _python(item, inner)) for key, item in value.items())
            return 'dict(\n%s\n%s)' % (fields, indent)
        return '{%s}' % ', '.join('%r: %s' % (key, _python(item, indent)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return '[%s]' % ', '.join(_python(item, indent) for item in value)
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return repr(value)


def model_config(target: Mapping[str, Any], settings: Optional[Mapping[str, Any]] = None, api_key: str = '',
                 tokenizer: str = '') -> str:
    """The Python source of the AISBench model config for ``target`` (AISBench's ``vllm_api_general_chat``).

    ``VLLMCustomAPIChat`` on ``<url>/v1/chat/completions``, not streamed, the
    target's served model name, ``api_key`` as the bearer token (a literal:
    a config cannot read the environment), ``tokenizer`` (a local directory,
    empty: none, the server counts the tokens), the batch size (requests in
    flight), the output limit and the generation settings.
    """
    merged = _settings(settings)
    for key in ('url', 'model'):
        if not target.get(key):
            raise AccuracyError('the endpoint %r has no %s' % (target.get('name'), key))
    if not isinstance(api_key, str) or any(character in api_key for character in '\r\n'):
        raise AccuracyError('vllm_accuracy_api_key: the key is not one line of text; accepted: the key the replicas were started with')
    model = dict([
        ('attr', 'service'),
        ('type', 'VLLMCustomAPIChat'),
        ('abbr', str(merged['abbr'])),
        ('path', str(tokenizer or '')),
        ('model', str(target['model'])),
        ('stream', False),
        ('request_rate', 0),
        ('use_timestamp', False),
        ('retry', int(merged['retry'])),
        ('api_key', api_key),
        ('url', str(target['url']).rstrip('/')),
        ('max_out_len', int(merged['max_out_len'])),
        ('batch_size', int(merged['batch_size'])),
        ('trust_remote_code', False),
        ('generation_kwargs', dict(merged['generation_kwargs'] or {})),
    ])
    fields = []
    for key, value in model.items():
        rendered = 'VLLMCustomAPIChat' if key == 'type' else _python(value, '        ')
        fields.append('        %s=%s,' % (key, rendered))
    # Reasoning models answer with a thinking part; AISBench's own postprocessor keeps the answer only.
    fields.append('        pred_postprocessor=dict(type=extract_non_reasoning_content),')
    return '\n'.join([
        '# Written by ascend_ops.vllm.vllm_accuracy for %s (%s); removed after the run.' % (target.get('name', ''), target['url']),
        'from ais_bench.benchmark.models import VLLMCustomAPIChat',
        'from ais_bench.benchmark.utils.postprocess.model_postprocessors import extract_non_reasoning_content',
        '',
        'models = [',
        '    dict(',
    ] + fields + [
        '    )',
        ']',
        '',
    ])


def ais_bench_argv(settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    """The command line of the run: ``ais_bench --models <generated> --datasets ... --config-dir --mode all -w``.

    The client is ``command`` (the words of an existing install) or the
    ``ais_bench`` of ``venv``. Never the API key: it is in the model config.
    """
    merged = _settings(settings)
    words = [str(word) for word in merged['command']] or [merged['venv'].rstrip('/') + '/bin/ais_bench']
    words += ['--models', CONFIG_NAME, '--datasets'] + [str(name) for name in merged['datasets']]
    words += ['--config-dir', str(merged['config_dir']), '--mode', 'all', '-w', str(merged['work_dir'])]
    if merged['num_prompts'] is not None:
        words += ['--num-prompts', str(int(merged['num_prompts']))]
    return words + [str(word) for word in merged['extra_args']]


def dataset_links(dirs: Optional[Mapping[str, Any]], cache_dir: str) -> List[Dict[str, str]]:
    """Where each user dataset directory is linked so AISBench finds it: ``{name, src, path}``.

    AISBench resolves a dataset's relative path (``ais_bench/datasets/gsm8k``)
    against ``$AIS_BENCH_DATASETS_CACHE``; a link
    ``<cache_dir>/ais_bench/datasets/<name>`` to the user's directory, with
    the variable set to ``cache_dir``, serves the user's files (such as
    gsm8k's ``train.jsonl`` and ``test.jsonl``) without editing a config.
    """
    if dirs is None:
        return []
    if not isinstance(dirs, Mapping):
        raise AccuracyError('vllm_accuracy_dataset_dirs: %r is not a mapping; accepted: dataset directory name -> directory on the '
                            'client, such as {gsm8k: /data/datasets/gsm8k}' % (dirs,))
    links = []
    for name, src in sorted(dirs.items(), key=lambda item: str(item[0])):
        if not isinstance(name, str) or not _NAME.match(name) or name in ('.', '..'):
            raise AccuracyError('vllm_accuracy_dataset_dirs: %r is no dataset directory name; accepted: the name under '
                                'ais_bench/datasets, such as gsm8k' % (name,))
        if not isinstance(src, str) or not src.startswith('/'):
            raise AccuracyError('vllm_accuracy_dataset_dirs: the directory of %s, %r, is not an absolute path on the client; '
                                'accepted: such as /data/datasets/%s (with train.jsonl and test.jsonl for gsm8k)' % (name, src, name))
        links.append({'name': name, 'src': src.rstrip('/') or '/',
                      'path': '%s/ais_bench/datasets/%s' % (cache_dir.rstrip('/'), name)})
    return links


# ---------------------------------------------------------------- the summary

def _score(text: str) -> Optional[float]:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_summary(text: str) -> List[Dict[str, Any]]:
    """The rows of an AISBench summary CSV: ``{dataset, version, metric, mode, model, score}``.

    One row per (dataset, metric) and model column; ``score`` is a number, or
    None where AISBench wrote ``-`` (the dataset gave no result: its
    inference or evaluation failed).
    """
    if not isinstance(text, str) or not text.strip():
        raise AccuracyError('the summary is empty: ais_bench wrote no result')
    reader = csv.reader(io.StringIO(text.lstrip('\ufeff')))
    lines = [line for line in reader if any(cell.strip() for cell in line)]
    header = [cell.strip() for cell in lines[0]]
    if tuple(header[:4]) != SUMMARY_COLUMNS or len(header) < 5:
        raise AccuracyError('the summary starts %r, not dataset,version,metric,mode,<model>: not an AISBench summary'
                            % ','.join(header))
    rows = []
    for line in lines[1:]:
        cells = [cell.strip() for cell in line] + [''] * (len(header) - len(line))
        for column, model in enumerate(header[4:], start=4):
            rows.append({'dataset': cells[0], 'version': cells[1], 'metric': cells[2], 'mode': cells[3],
                         'model': model, 'score': _score(cells[column])})
    if not rows:
        raise AccuracyError('the summary has a header and no row: ais_bench evaluated no dataset')
    return rows


def _threshold(threshold: Any) -> Optional[float]:
    if threshold is None or threshold == '':
        return None
    if isinstance(threshold, bool) or not _bench._is_number(threshold) or not 0 <= float(threshold) <= 100:
        raise AccuracyError('vllm_accuracy_threshold: %r is not a score in [0, 100]; accepted: such as 96 (the reference for '
                            'Qwen3.5-27B-w8a8 on gsm8k is 96.74), or null for no check' % (threshold,))
    return float(threshold)


def accuracy_rows(text: str, threshold: Any = None, metric: str = 'accuracy') -> List[Dict[str, Any]]:
    """The report's rows from the summary CSV, each with the threshold and its verdict.

    The threshold applies to the rows of ``metric`` (AISBench's ``accuracy``):
    ``pass`` at or above it, ``FAIL`` below it; a row without a score is
    ``no score`` (always a failure); other metrics and a null threshold are
    shown without a check (``-``).
    """
    minimum = _threshold(threshold)
    rows = []
    for row in parse_summary(text):
        score = row['score']
        checked = minimum is not None and row['metric'] == metric
        if score is None:
            verdict = 'no score'
        elif not checked:
            verdict = '-'
        else:
            verdict = 'pass' if score >= minimum else 'FAIL'
        rows.append({'dataset': row['dataset'], 'version': row['version'], 'metric': row['metric'], 'mode': row['mode'],
                     'score': '' if score is None else '%.2f' % score,
                     'threshold': '%.2f' % minimum if checked else '', 'verdict': verdict})
    return rows


def accuracy_failures(rows: Sequence[Mapping[str, Any]]) -> List[str]:
    """One line per row of ``accuracy_rows`` that fails the run: a score below the threshold, or none at all."""
    failures = []
    for row in rows:
        if row.get('verdict') == 'FAIL':
            failures.append('%s %s %s is below the threshold %s' % (row['dataset'], row['metric'], row['score'], row['threshold']))
        elif row.get('verdict') == 'no score':
            failures.append('%s %s has no score (its inference or evaluation failed; see the logs in the work directory)'
                            % (row['dataset'], row['metric']))
    return failures


# ---------------------------------------------------------------- the client's install


def pip_find_links(args: str) -> List[str]:
    """The local directories of pip's ``--find-links``/``-f`` in these pip arguments (``file://`` ones as paths);
    remote pages give none: what they hold is the index's business, as for any index."""
    words = shlex.split(args or '')
    found = []
    for number, word in enumerate(words):
        value = None
        if word in _FIND_LINKS and number + 1 < len(words):
            value = words[number + 1]
        elif word.startswith('--find-links='):
            value = word[len('--find-links='):]
        elif word.startswith('-f') and len(word) > 2 and not word.startswith('--'):
            value = word[2:]
        if value is None:
            continue
        if value.startswith('file://'):
            value = value[len('file://'):]
        if '://' not in value and value and value not in found:
            found.append(value)
    return found


def venv_python_version(pyvenv_cfg: str) -> str:
    """The Python version a venv was made with, from its ``pyvenv.cfg`` (``version`` or ``version_info``); '' without one."""
    values = {}
    for line in (pyvenv_cfg or '').splitlines():
        key, sep, value = line.partition('=')
        if sep:
            values[key.strip()] = value.strip()
    version = values.get('version') or values.get('version_info') or ''
    return '.'.join(version.split('.')[:3])


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode('utf-8')).hexdigest() if text else ''


def install_record(settings: Mapping[str, Any], python: str, wheels: Mapping[str, str]) -> str:
    """The record of an install of the client: what pip was asked for, from where, into which Python.

    ``settings``: ``torch_package`` (a requirement, '' for none), ``torch_pip_args``,
    ``packages`` (requirements), ``pip_args`` (the arguments of both installs,
    ``-c <file>`` included) and ``constraints`` (the constraints file's text,
    '' when not used); ``python``: the venv's version; ``wheels``: each local
    ``--find-links`` directory -> its ``directory_manifest``. pip's arguments
    and the constraints are kept as sha256 (an index URL may carry a password;
    the record is mode 0644). The text is stable (sorted keys): equal settings
    give equal bytes.
    """
    packages = settings.get('packages') or []
    if isinstance(packages, str) or not isinstance(packages, Sequence):
        raise AccuracyError('vllm_accuracy_packages: a list of pip requirements, got %r' % (packages,))
    record = {
        'format': INSTALL_RECORD_FORMAT,
        'python': python,
        'torch': {'requirement': str(settings.get('torch_package') or ''), 'pip_args_sha256': _digest(str(settings.get('torch_pip_args') or ''))},
        'packages': [str(package) for package in packages],
        'pip_args_sha256': _digest(str(settings.get('pip_args') or '')),
        'constraints_sha256': _digest(str(settings.get('constraints') or '')),
        'wheels': {directory: wheels[directory] for directory in sorted(wheels)},
    }
    return json.dumps(record, indent=1, sort_keys=True) + '\n'


def install_plan(settings: Mapping[str, Any], previous: str, pyvenv_cfg: str, wheels: Optional[Mapping[str, str]]) -> Dict[str, Any]:
    """Whether the client's venv needs pip (``install``), why (``reason``), and the ``record`` to keep after it.

    ``previous``: the record the last successful install left ('' for none);
    ``pyvenv_cfg``: the venv's ``pyvenv.cfg`` ('' before there is a venv);
    ``wheels``: as :func:`install_record`, or None when the ``--find-links``
    directories cannot be read from here (a client other than the controller):
    pip runs then, as it did before there was a record.
    """
    python = venv_python_version(pyvenv_cfg)
    record = install_record(settings, python, wheels or {})
    if not python:
        reason = 'no venv yet'
    elif wheels is None:
        reason = "the wheel directories are on the client, not read here"
    elif not previous:
        reason = 'no record of an install'
    elif previous != record:
        reason = 'the requirements, their source or the Python differ from the last install'
    else:
        reason = ''
    return {'install': bool(reason), 'reason': reason, 'record': record}
