# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory checks of the accuracy run (topic ``accuracy``), registered with ``_validate.check``.

Private to the collection. Pure: no Jinja, no I/O. The types and choices of
every ``vllm_accuracy_*`` variable are checked by the ``types`` topic from the
role's argument specs; these checks add what a type cannot say: ranges, the
threshold in [0, 100], the generation settings AISBench's config can hold,
dataset names and directories, the role's own ais_bench flags, absolute paths,
the URL and the client host. Only values the inventory (or ``-e``) sets are
checked: the role's defaults are right by construction.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _accuracy, _bench
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import (
    Inventory,
    Problem,
    check,
    problem,
)

PREFIX = 'vllm_accuracy_'
# The settings of _accuracy that are role variables (config_dir is the role's own, under the work directory).
_SETTINGS = ('abbr', 'batch_size', 'max_out_len', 'retry', 'generation_kwargs', 'datasets', 'num_prompts', 'extra_args', 'venv',
             'work_dir')
_URL = re.compile(r'^https?://[^/\s]+/?$')


def _set_settings(inventory: Inventory, host: str) -> Dict[str, Any]:
    return dict((setting, inventory.hosts[host][PREFIX + setting]) for setting in _SETTINGS
                if inventory.is_set(host, PREFIX + setting))


def _problem(inventory: Inventory, host: str, variable: str, what: str, accepted: str) -> Problem:
    return problem(variable, what, accepted, host=host, source=inventory.source(host, variable))


@check('accuracy')
def check_accuracy_settings(inventory: Inventory) -> List[Problem]:
    """The model config's and the command line's settings within what AISBench takes (as _accuracy refuses them)."""
    found = []
    for host in inventory.play_hosts:
        settings = _set_settings(inventory, host)
        for setting, what, accepted in _accuracy.settings_problems(settings):
            if setting in settings:
                found.append(_problem(inventory, host, PREFIX + setting, what, accepted))
    return found


@check('accuracy')
def check_accuracy_run(inventory: Inventory) -> List[Problem]:
    """The threshold, the endpoint given by hand, the dataset directories, the client, the timeouts and the tokenizer."""
    found = []
    for host in inventory.play_hosts:
        variables = inventory.hosts[host]
        if inventory.is_set(host, 'vllm_accuracy_threshold'):
            value = variables['vllm_accuracy_threshold']
            if value is not None and (isinstance(value, bool) or not _bench._is_number(value) or not 0 <= float(value) <= 100):
                found.append(_problem(inventory, host, 'vllm_accuracy_threshold', '%r is not a score in [0, 100]' % (value,),
                                      'such as 96 (the reference for Qwen3.5-27B-w8a8 on gsm8k is 96.74), or null for no check'))
        url = variables.get('vllm_accuracy_url') if inventory.is_set(host, 'vllm_accuracy_url') else ''
        if isinstance(url, str) and url and not _URL.match(url):
            found.append(_problem(inventory, host, 'vllm_accuracy_url', '%r is not an http(s)://host:port URL' % (url,),
                                  'the endpoint, such as http://router.example.internal:8080, or "" for vllm_accuracy_target'))
        if inventory.is_set(host, 'vllm_accuracy_dataset_dirs'):
            try:
                _accuracy.dataset_links(variables['vllm_accuracy_dataset_dirs'], '/')
            except _accuracy.AccuracyError as error:
                what, _sep, accepted = str(error).partition('; accepted: ')
                found.append(_problem(inventory, host, 'vllm_accuracy_dataset_dirs', what.split(': ', 1)[-1], accepted))
        client = variables.get('vllm_accuracy_client_host') if inventory.is_set(host, 'vllm_accuracy_client_host') else None
        if isinstance(client, str) and client and client != 'localhost' and client not in inventory.hosts \
                and client not in inventory.groups.get('all', []):
            found.append(_problem(inventory, host, 'vllm_accuracy_client_host', '%r is no host of the inventory' % (client,),
                                  'localhost (the controller) or a host of the inventory, such as a router host'))
        for variable, example in (('vllm_accuracy_timeout', '14400'), ('vllm_accuracy_poll_interval', '15')):
            if inventory.is_set(host, variable):
                value = variables[variable]
                if _bench._is_int(value) and int(value) < 1:
                    found.append(_problem(inventory, host, variable, '%r is not a number of seconds of 1 or more' % (value,),
                                          'such as %s' % example))
        tokenizer = variables.get('vllm_accuracy_tokenizer') if inventory.is_set(host, 'vllm_accuracy_tokenizer') else ''
        if isinstance(tokenizer, str) and tokenizer and not tokenizer.startswith('/'):
            found.append(_problem(inventory, host, 'vllm_accuracy_tokenizer', '%r is not an absolute path on the client' % (tokenizer,),
                                  "the model's directory on the client, such as /data/models/Qwen3.5-27B-w8a8, or \"\" for none"))
    return found
