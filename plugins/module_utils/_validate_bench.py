# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory checks of the benchmark (topic ``bench``), registered with ``_validate.check``.

Private to the collection. Pure: no Jinja, no I/O. The types and choices of
every ``vllm_bench_*`` variable are checked by the ``types`` topic from the
role's argument specs; these checks add what a type cannot say: ranges,
the goodput syntax, the targets, the slow fraction in (0, 1], absolute paths
and URLs. Only values the inventory (or ``-e``) sets are checked: the role's
defaults are right by construction.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _bench
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import (
    Inventory,
    Problem,
    check,
    problem,
)

PREFIX = 'vllm_bench_'
# Settings of _bench whose variable is not vllm_bench_<setting>.
_VARIABLES = {'result_dir': 'vllm_bench_work_dir'}
_URL = re.compile(r'^https?://[^/\s]+/?$')
# Settings the types check already refuses when they are of the wrong type;
# their range is checked here only when the type is right.
_SETTINGS = tuple(sorted(_bench.DEFAULT_SETTINGS))


def variable_of(setting: str) -> str:
    """The inventory variable of one of _bench's settings."""
    return _VARIABLES.get(setting, PREFIX + setting)


def _set_settings(inventory: Inventory, host: str) -> Dict[str, Any]:
    settings = {}
    for setting in _SETTINGS:
        variable = variable_of(setting)
        if inventory.is_set(host, variable):
            settings[setting] = inventory.hosts[host][variable]
    return settings


def _problem(inventory: Inventory, host: str, variable: str, what: str, accepted: str) -> Problem:
    return problem(variable, what, accepted, host=host, source=inventory.source(host, variable))


@check('bench')
def check_bench_settings(inventory: Inventory) -> List[Problem]:
    """The knobs of ``vllm bench serve`` within their ranges (as _bench refuses them), the goodput syntax."""
    found = []
    for host in inventory.play_hosts:
        settings = _set_settings(inventory, host)
        if not settings:
            continue
        for setting, what, accepted in _bench.settings_problems(settings):
            if setting not in settings:
                continue
            found.append(_problem(inventory, host, variable_of(setting), what, accepted))
    return found


def _targets_problem(value: Any) -> Tuple[str, str]:
    accepted = 'a list of %s, such as [cluster, replicas]' % ', '.join(_bench.TARGET_KINDS)
    if not isinstance(value, list):
        return '%r is not a list' % (value,), accepted
    if not value:
        return 'is empty: nothing would be measured', accepted
    unknown = [item for item in value if item not in _bench.TARGET_KINDS]
    if unknown:
        hint = ' (one replica at a time is vllm_bench_replicas_together: false)' if 'replica' in unknown else ''
        return '%s %s no target%s' % (', '.join(repr(item) for item in unknown), 'is' if len(unknown) == 1 else 'are', hint), accepted
    return '', ''


@check('bench')
def check_bench_targets(inventory: Inventory) -> List[Problem]:
    """The targets, the slow fraction, the timeouts, the client's paths and the cluster URL."""
    found = []
    for host in inventory.play_hosts:
        if inventory.is_set(host, 'vllm_bench_targets'):
            what, accepted = _targets_problem(inventory.hosts[host]['vllm_bench_targets'])
            if what:
                found.append(_problem(inventory, host, 'vllm_bench_targets', what, accepted))
        if inventory.is_set(host, 'vllm_bench_slow_fraction'):
            value = inventory.hosts[host]['vllm_bench_slow_fraction']
            if _bench._is_number(value) and not 0 < float(value) <= 1:
                found.append(_problem(inventory, host, 'vllm_bench_slow_fraction', '%r is not in (0, 1]' % (value,),
                                      'a share of the median such as 0.7 (1 names every replica below the median)'))
        for variable in ('vllm_bench_timeout', 'vllm_bench_poll_interval'):
            if inventory.is_set(host, variable):
                value = inventory.hosts[host][variable]
                if _bench._is_int(value) and int(value) < 1:
                    found.append(_problem(inventory, host, variable, '%r is not a number of seconds of 1 or more' % (value,),
                                          'such as 3600' if variable == 'vllm_bench_timeout' else 'such as 10'))
        for variable in ('vllm_bench_tokenizer',):
            value = inventory.value(host, variable, '')
            if inventory.is_set(host, variable) and isinstance(value, str) and value and not value.startswith('/'):
                found.append(_problem(inventory, host, variable, '%r is not an absolute path on the client' % (value,),
                                      "the model's directory on the client, such as /data/models/Qwen3.6-27B-w8a8"))
        if inventory.is_set(host, 'vllm_bench_tokenizers'):
            value = inventory.hosts[host]['vllm_bench_tokenizers']
            if isinstance(value, dict):
                wrong = sorted(str(model) for model, path in value.items() if not isinstance(path, str) or not path.startswith('/'))
                if wrong:
                    found.append(_problem(inventory, host, 'vllm_bench_tokenizers',
                                          'the directories of %s are not absolute paths' % ', '.join(wrong),
                                          'served model name -> absolute path, such as {qwen3.6: /data/models/Qwen3.6-27B-w8a8}'))
        url = inventory.value(host, 'vllm_bench_cluster_url', '') if inventory.is_set(host, 'vllm_bench_cluster_url') else ''
        if isinstance(url, str) and url and not _URL.match(url):
            found.append(_problem(inventory, host, 'vllm_bench_cluster_url', '%r is not an http(s)://host:port URL' % (url,),
                                  'the front of the cluster, such as http://router.example.internal:8080, or "" for the router'))
        client = inventory.value(host, 'vllm_bench_client_host', None) if inventory.is_set(host, 'vllm_bench_client_host') else None
        if isinstance(client, str) and client and client != 'localhost' and client not in inventory.hosts \
                and client not in inventory.groups.get('all', []):
            found.append(_problem(inventory, host, 'vllm_bench_client_host', '%r is no host of the inventory' % (client,),
                                  'localhost (the controller) or a host of the inventory, such as a router host'))
    return found
