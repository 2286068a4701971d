# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_drain
short_description: Whether the old replicas of a rolling step finished their requests
author: ascend_ops.vllm contributors
description:
  - Reads C(vllm:num_requests_running) from two polls of each old replica's C(/metrics) - as it left the router, and the last
    poll of the wait for 0 - and says how many requests were in flight at removal and whether each replica ran none at the end
    (a replica that no longer answers runs nothing).
options:
  _input:
    description: The first polls, M(ansible.builtin.uri) loop results (C(status), C(content), C(item.name)).
    type: list
    elements: dict
    required: true
  last:
    description: The last polls of the wait, loop results over the same replicas.
    type: list
    elements: dict
    default: []
  timeout:
    description: The seconds the wait was bounded by (for the message).
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Say whether the step drained
  ansible.builtin.debug:
    msg: "{{ first.results | ascend_ops.vllm.rolling_drain(last=wait.results, timeout=120) }}"
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
  contains:
    in_flight:
      description: Requests running on the replicas as they left the router.
      type: int
    drained:
      description: Every replica ran none at the last poll.
      type: bool
    drain:
      description: One line per replica, joined.
      type: str
      sample: "vllm-qwen3.5-r0 drained: 3 in flight at removal finished"
    replicas:
      description: Each replica's C(name), C(in_flight), C(drained), C(reason).
      type: list
      elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import RollingError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import step_drain

FILTER_NAME = 'ascend_ops.vllm.rolling_drain'


def rolling_drain(first, timeout, last=None):
    """Drain verdict of a step from the polls of /metrics."""
    try:
        return step_drain(list(first), list(last or []), float(timeout))
    except (RollingError, AttributeError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Rolling drain filter."""

    def filters(self):
        return {'rolling_drain': rolling_drain}
