# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: replacement_plan
short_description: Which replica containers a serve step keeps, removes and starts
author: ascend_ops.vllm contributors
description:
  - Compares the replica containers running on a node with the containers the plan wants and says which stay (same name,
    same configuration hash), which go (another hash, or no longer planned) and which start.
  - For each container that starts, names the old containers it replaces - the one of its name and every one holding one of
    its NPUs or its API port - so that a layout change (TP2 to TP4, fewer replicas, other NPUs) replaces a group of old
    replicas together, and a rolling change can take exactly those out of service.
options:
  _input:
    description:
      - This collection's replica containers on the node, as M(community.docker.docker_host_info) lists them with
        C(verbose_output) (C(Names), C(Labels) with C(ascend_ops.vllm.config_hash), C(ascend_ops.vllm.npus),
        C(ascend_ops.vllm.port)).
    type: list
    elements: dict
    required: true
  planned:
    description:
      - The containers the plan wants, each with C(name), C(npus), C(port) (none for a headless data-parallel container),
        optional C(ports) it also listens on, and C(config_hash).
    type: list
    elements: dict
    required: true
  remove_unplanned:
    description: Remove containers of this collection the plan no longer has.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Plan which replicas stay, go and start
  ansible.builtin.set_fact:
    replacement: "{{ existing.containers | ascend_ops.vllm.replacement_plan(planned=units) }}"

- name: Remove the replicas that are changed or no longer planned
  community.docker.docker_container:
    name: "{{ item }}"
    state: absent
  loop: "{{ replacement.remove }}"
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    keep:
      description: Containers left running, in plan order.
      type: list
      elements: str
    remove:
      description: Containers removed before any starts, in name order.
      type: list
      elements: str
    start:
      description: Containers started (new or changed), in plan order.
      type: list
      elements: str
    steps:
      description: For each started container, C(name) and C(replaces), the old containers it takes the place of.
      type: list
      elements: dict
      sample: [{name: vllm-qwen3.6-r0, replaces: [vllm-qwen3.6-r0, vllm-qwen3.6-r1]}]
    unplanned:
      description: Running containers the plan does not have (removed when O(remove_unplanned)).
      type: list
      elements: str
    summary:
      description: All of it on one line.
      type: str
      sample: keep vllm-qwen3.6-r2, vllm-qwen3.6-r3; start vllm-qwen3.6-r0 in place of vllm-qwen3.6-r0, vllm-qwen3.6-r1
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._replacement import ReplacementError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._replacement import replacement_plan as _plan

FILTER_NAME = 'ascend_ops.vllm.replacement_plan'


def replacement_plan(existing, planned, remove_unplanned=True):
    """Keep, remove and start lists for a serve step."""
    try:
        return _plan(existing, planned, bool(remove_unplanned))
    except (ReplacementError, KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Replacement plan filter."""

    def filters(self):
        return {'replacement_plan': replacement_plan}
