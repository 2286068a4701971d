# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_drain
short_description: Whether a replica out of the router finished its requests
author: ascend_ops.vllm contributors
description:
  - Reads C(vllm:num_requests_running) from each poll of the replica's C(/metrics) and says how many requests were in flight
    when it left the router and whether the last poll saw none (a replica that no longer answers runs nothing).
options:
  _input:
    description: The polls, M(ansible.builtin.uri) results with C(status) and C(content), in order.
    type: list
    elements: dict
    required: true
  timeout:
    description: The seconds the polls were bounded by (for the message).
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Say whether the replica drained
  ansible.builtin.debug:
    msg: "{{ (polls.attempts_results | default([]) + [polls]) | ascend_ops.vllm.rolling_drain(timeout=120) }}"
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
  contains:
    in_flight:
      description: Requests running at the first poll.
      type: int
    drained:
      description: The last poll saw none running.
      type: bool
    reason:
      description: One line.
      type: str
      sample: "drained: 3 in flight at removal finished"
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import RollingError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import drain_verdict

FILTER_NAME = 'ascend_ops.vllm.rolling_drain'


def rolling_drain(samples, timeout):
    """Drain verdict from the polls of /metrics."""
    try:
        return drain_verdict(list(samples), float(timeout))
    except (RollingError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Rolling drain filter."""

    def filters(self):
        return {'rolling_drain': rolling_drain}
