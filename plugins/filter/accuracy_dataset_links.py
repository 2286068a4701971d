# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: accuracy_dataset_links
short_description: Where to link the user's dataset directories so AISBench reads them
author: ascend_ops.vllm contributors
description:
  - AISBench resolves a dataset's relative path (C(ais_bench/datasets/gsm8k)) against C($AIS_BENCH_DATASETS_CACHE); a link
    C(<cache_dir>/ais_bench/datasets/<name>) to each user directory, with that variable set to O(cache_dir), serves the user's
    files (gsm8k - C(train.jsonl) and C(test.jsonl)).
  - Fails naming C(vllm_accuracy_dataset_dirs) when a name or a path is wrong.
options:
  _input:
    description: Dataset directory name (under C(ais_bench/datasets)) -> directory on the client.
    type: dict
    required: true
  cache_dir:
    description: The directory C(AIS_BENCH_DATASETS_CACHE) points at.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Link the datasets
  ansible.builtin.file:
    src: "{{ item.src }}"
    path: "{{ item.path }}"
    state: link
  loop: "{{ {'gsm8k': '/data/gsm8k'} | ascend_ops.vllm.accuracy_dataset_links('/var/tmp/acc/datasets') }}"
"""

RETURN = r"""
_value:
  description: One C({name, src, path}) per directory, by name.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import AccuracyError, dataset_links

FILTER_NAME = 'ascend_ops.vllm.accuracy_dataset_links'


def accuracy_dataset_links(dirs, cache_dir):
    """The links that put the user's datasets where AISBench looks."""
    try:
        return dataset_links(dirs, str(cache_dir))
    except (AccuracyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """AISBench dataset links filter."""

    def filters(self):
        return {'accuracy_dataset_links': accuracy_dataset_links}
