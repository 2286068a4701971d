# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_gate
short_description: Whether a new replica of a rolling step passed its gate
author: ascend_ops.vllm contributors
description:
  - The replica's container runs, never restarted and healthy; its C(/health) answered 200; its completion answered 200 with
    text. Names the first of those that failed.
options:
  _input:
    description: The replica's container name.
    type: str
    required: true
  container:
    description: Its M(community.docker.docker_container_info) result after the wait for health.
    type: dict
  health:
    description: The M(ansible.builtin.uri) result of its C(/health) (null for a headless container).
    type: dict
  completion:
    description: The M(ansible.builtin.uri) result of its completion (null for a headless container).
    type: dict
"""

EXAMPLES = r"""
- name: Judge the gate
  ansible.builtin.set_fact:
    gate: "{{ 'vllm-qwen3.5-r0' | ascend_ops.vllm.rolling_gate(container=info, health=health, completion=answer) }}"
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
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
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import gate_verdict

FILTER_NAME = 'ascend_ops.vllm.rolling_gate'


def rolling_gate(name, container=None, health=None, completion=None):
    """Gate verdict of a new replica."""
    try:
        return gate_verdict(str(name), container, health, completion)
    except (RollingError, AttributeError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Rolling gate filter."""

    def filters(self):
        return {'rolling_gate': rolling_gate}
