# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: backoff_delays
short_description: Seconds to wait before each attempt, doubling up to a maximum
author: ascend_ops.vllm contributors
description:
  - Ansible's C(until) waits the same C(delay) between every retry. For a back-off, loop over these waits and make one
    attempt after each - none before the first, then O(delay), doubled each time, at most O(maximum).
options:
  _input:
    description: The number of attempts, 1 or more.
    type: int
    required: true
  delay:
    description: Seconds before the second attempt.
    type: int
    required: true
  maximum:
    description: The longest wait, in seconds (at least O(delay) is waited).
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Pull with a back-off
  ansible.builtin.include_tasks: pull_attempt.yml
  loop: "{{ 5 | ascend_ops.vllm.backoff_delays(delay=15, maximum=120) }}"
  loop_control:
    loop_var: wait
"""

RETURN = r"""
_value:
  description: One wait per attempt, the first 0.
  type: list
  elements: int
  sample: [0, 15, 30, 60, 120]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._backoff import BackoffError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._backoff import backoff_delays as _backoff_delays

FILTER_NAME = 'ascend_ops.vllm.backoff_delays'


def backoff_delays(attempts, delay, maximum):
    """The waits before each attempt."""
    try:
        return _backoff_delays(attempts, delay, maximum)
    except BackoffError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Back-off waits."""

    def filters(self):
        return {'backoff_delays': backoff_delays}
