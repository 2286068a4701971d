# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: accuracy_failures
short_description: Why an accuracy run fails, one line per failing row
author: ascend_ops.vllm contributors
description:
  - From the rows of P(ascend_ops.vllm.accuracy_rows#filter) - each score below the threshold, and each dataset without a score.
options:
  _input:
    description: The rows of P(ascend_ops.vllm.accuracy_rows#filter).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the score
  ansible.builtin.assert:
    that: rows | ascend_ops.vllm.accuracy_failures | length == 0
    fail_msg: "{{ rows | ascend_ops.vllm.accuracy_failures | join('; ') }}"
"""

RETURN = r"""
_value:
  description: The failures; empty when the run passes.
  type: list
  elements: str
  sample: [gsm8k accuracy 80.00 is below the threshold 96.74]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import accuracy_failures as _accuracy_failures

FILTER_NAME = 'ascend_ops.vllm.accuracy_failures'


def accuracy_failures(rows):
    """The reasons the run fails."""
    try:
        return _accuracy_failures(rows or [])
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Accuracy failures filter."""

    def filters(self):
        return {'accuracy_failures': accuracy_failures}
