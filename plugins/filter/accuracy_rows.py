# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: accuracy_rows
short_description: The accuracy report's rows from an AISBench summary CSV, each judged against the threshold
author: ascend_ops.vllm contributors
description:
  - Reads C(summary_<time>.csv) (columns C(dataset,version,metric,mode,<model abbr>)) and returns one row per dataset and metric
    with its score, the threshold and a verdict - C(pass), C(FAIL) (below O(threshold)), C(no score) (AISBench wrote C(-) - the
    dataset's inference or evaluation failed, such as every request refused for a wrong API key), or C(-) (not checked).
  - Fails naming the filter when the text is no AISBench summary, or C(vllm_accuracy_threshold) when the threshold is not in [0, 100].
options:
  _input:
    description: The summary CSV's text.
    type: str
    required: true
  threshold:
    description: The lowest passing score (0-100); null - no check.
    type: float
  metric:
    description: The metric the threshold applies to.
    type: str
    default: accuracy
"""

EXAMPLES = r"""
- name: The summary's rows
  ansible.builtin.set_fact:
    rows: "{{ slurped.content | b64decode | ascend_ops.vllm.accuracy_rows(96) }}"
"""

RETURN = r"""
_value:
  description: One row per dataset and metric, keyed by C(dataset), C(version), C(metric), C(mode), C(score) (two decimals, empty
    without a score), C(threshold) (empty when not checked), C(verdict).
  type: list
  elements: dict
  sample: [{dataset: gsm8k, version: 50861a, metric: accuracy, mode: gen, score: "80.00", threshold: "96.74", verdict: FAIL}]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import AccuracyError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import accuracy_rows as _accuracy_rows

FILTER_NAME = 'ascend_ops.vllm.accuracy_rows'


def accuracy_rows(text, threshold=None, metric='accuracy'):
    """The accuracy report's rows."""
    try:
        return _accuracy_rows(text, threshold, metric or 'accuracy')
    except (AccuracyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Accuracy summary rows filter."""

    def filters(self):
        return {'accuracy_rows': accuracy_rows}
