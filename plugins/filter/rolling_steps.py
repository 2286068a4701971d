# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: rolling_steps
short_description: The steps of one node's rolling change and the capacity each takes away
author: ascend_ops.vllm contributors
description:
  - Groups the replacements of P(ascend_ops.vllm.replacement_plan#filter) into steps taken out of service together - new replicas
    that need a common old one (a layout change, TP2 to TP4) are one step, old replicas no longer planned leave in a last step,
    a data-parallel node's containers are one step - and says how many serving replicas and which NPUs each step takes away.
options:
  _input:
    description: The node's replacement plan (P(ascend_ops.vllm.replacement_plan#filter)).
    type: dict
    required: true
  existing:
    description: The node's replica containers as M(community.docker.docker_host_info) lists them with C(verbose_output).
    type: list
    elements: dict
    required: true
  units:
    description: The planned containers (C(name), C(npus), C(port), C(api)).
    type: list
    elements: dict
    required: true
  data_parallel:
    description: The node is part of a data-parallel group.
    type: bool
    default: false
  address:
    description: The node's address as the router knows its workers; each old and new replica with a port then has C(url).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Work out the rolling steps
  ansible.builtin.set_fact:
    steps: "{{ replacement | ascend_ops.vllm.rolling_steps(existing=existing.containers, units=units) }}"
"""

RETURN = r"""
_value:
  description: The steps, in plan order.
  type: list
  elements: dict
  contains:
    index:
      description: The step's number on the node, from 0.
      type: int
    start:
      description: The new containers.
      type: list
      elements: str
    replaces:
      description: The old containers taken out.
      type: list
      elements: str
    old:
      description: C(name), C(npus), C(port) (null when headless) and with O(address) C(url) of each old container.
      type: list
      elements: dict
    new:
      description: C(name), C(npus), C(port) of each new container.
      type: list
      elements: dict
    replicas_out:
      description: Serving replicas the step takes out.
      type: int
    npus_out:
      description: The NPUs the step frees.
      type: list
      elements: int
    serving_before:
      description: The node's serving replicas before the step.
      type: int
    capacity_taken:
      description: The two above as text.
      type: str
      sample: 2 of 4 replicas
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import RollingError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._rolling import rolling_steps as _steps

FILTER_NAME = 'ascend_ops.vllm.rolling_steps'


def rolling_steps(replacement, existing, units, data_parallel=False, address=''):
    """Steps of a node's rolling change."""
    try:
        return _steps(replacement, existing or [], units, bool(data_parallel), str(address or ''))
    except (RollingError, KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Rolling steps filter."""

    def filters(self):
        return {'rolling_steps': rolling_steps}
