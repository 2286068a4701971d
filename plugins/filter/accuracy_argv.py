# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: accuracy_argv
short_description: The command line of an AISBench accuracy run
author: ascend_ops.vllm contributors
description:
  - C(ais_bench --models <the generated config> --datasets ... --config-dir DIR --mode all -w DIR), as an C(argv) list; the
    client is O(settings.command), else the C(ais_bench) of O(settings.venv).
  - Never the API key (it is in the model config).
  - Fails naming the setting when a setting is wrong.
options:
  _input:
    description: The run's settings - C(datasets) ([gsm8k_gen_0_shot_cot_chat_prompt]), C(num_prompts) (null, every question),
      C(command), C(venv), C(config_dir), C(work_dir), C(extra_args) (more ais_bench words).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Run AISBench
  ansible.builtin.command:
    argv: "{{ {'venv': '/opt/ais-bench', 'config_dir': '/var/tmp/acc/configs', 'work_dir': '/var/tmp/acc/work'} | ascend_ops.vllm.accuracy_argv }}"
  changed_when: false
"""

RETURN = r"""
_value:
  description: The command line, one word per item.
  type: list
  elements: str
  sample: [/opt/ais-bench/bin/ais_bench, --models, ascend_ops_vllm_accuracy, --datasets, gsm8k_gen_0_shot_cot_chat_prompt, "..."]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import AccuracyError, ais_bench_argv

FILTER_NAME = 'ascend_ops.vllm.accuracy_argv'


def accuracy_argv(settings):
    """The ais_bench command line."""
    try:
        return ais_bench_argv(settings or {})
    except (AccuracyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """AISBench command line filter."""

    def filters(self):
        return {'accuracy_argv': accuracy_argv}
