# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_gate
short_description: Whether the new replicas of a rolling step passed their gate
author: ascend_ops.vllm contributors
description:
  - For each new container - it runs, never restarted, healthy; its C(/health) answered 200; its completion answered 200 with
    text - names the first of those that failed. The three inputs are the results of loops over the step's containers,
    joined by each result's C(item.name).
options:
  _input:
    description: The M(community.docker.docker_container_info) loop results after the wait for health.
    type: list
    elements: dict
    required: true
  health:
    description: The M(ansible.builtin.uri) loop results of C(/health) (containers with an API).
    type: list
    elements: dict
    default: []
  completions:
    description: The M(ansible.builtin.uri) loop results of the completion (containers with an API).
    type: list
    elements: dict
    default: []
  timeout:
    description:
      - The completion's timeout in seconds. A container whose C(/health) answered 200 and whose completion got no answer
        within it is C(hung), not passed.
    type: raw
"""

EXAMPLES = r"""
- name: Judge the gate
  ansible.builtin.set_fact:
    gate: "{{ info.results | ascend_ops.vllm.rolling_gate(health=health.results, completions=answers.results, timeout=120) }}"
"""

RETURN = r"""
_value:
  description: One verdict per container, in loop order.
  type: list
  elements: dict
  contains:
    name:
      description: The container.
      type: str
    passed:
      description: Every check passed.
      type: bool
    reason:
      description: The first failure, or C(passed).
      type: str
      sample: the container is unhealthy, not healthy, at the end of the gate
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import RollingError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import gate_verdicts

FILTER_NAME = 'ascend_ops.vllm.rolling_gate'


def rolling_gate(containers, health=None, completions=None, timeout=None):
    """Gate verdicts of a step's new replicas."""
    try:
        return gate_verdicts(list(containers), list(health or []), list(completions or []), timeout)
    except (RollingError, AttributeError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Rolling gate filter."""

    def filters(self):
        return {'rolling_gate': rolling_gate}
