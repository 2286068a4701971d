# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: accuracy_model_config
short_description: The AISBench model config (Python source) for one endpoint
author: ascend_ops.vllm contributors
description:
  - AISBench's C(vllm_api_general_chat) - C(VLLMCustomAPIChat) on C(<url>/v1/chat/completions), not streamed - for the
    endpoint's URL and served model name, with the API key, batch size, output limit and generation settings.
  - AISBench loads configs as data, so a config cannot read the environment - the key is a literal; write the file with
    C(no_log), mode C(0600), and remove it after the run.
  - Fails naming the setting when a setting cannot be written.
options:
  _input:
    description: The endpoint of P(ascend_ops.vllm.accuracy_target#filter) (C(url) and C(model) at least).
    type: dict
    required: true
  settings:
    description: "C(abbr) (the summary's column, C(vllm-api-general-chat)), C(batch_size) (1), C(max_out_len) (512), C(retry) (2),
      C(generation_kwargs) (C({temperature: 0.0}))."
    type: dict
    default: {}
  api_key:
    description: The bearer token; empty for none.
    type: str
    default: ''
  tokenizer:
    description: A local tokenizer directory (AISBench's C(path)); empty - none.
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Write the model config
  ansible.builtin.copy:
    content: "{{ endpoint | ascend_ops.vllm.accuracy_model_config({'batch_size': 8}, api_key=key) }}"
    dest: /var/tmp/accuracy/configs/models/ascend_ops_vllm_accuracy.py
    mode: "0600"
  no_log: true
"""

RETURN = r"""
_value:
  description: The config's Python source (a C(models = [dict(...)]) list).
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import AccuracyError, model_config

FILTER_NAME = 'ascend_ops.vllm.accuracy_model_config'


def accuracy_model_config(target, settings=None, api_key='', tokenizer=''):
    """The AISBench model config of the endpoint."""
    try:
        return model_config(target, settings or {}, api_key=api_key or '', tokenizer=tokenizer or '')
    except (AccuracyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """AISBench model config filter."""

    def filters(self):
        return {'accuracy_model_config': accuracy_model_config}
