# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: unhealthy_replicas
short_description: The replicas of a node that did not come up
author: ascend_ops.vllm contributors
description:
  - Picks, from the loop results of reading each replica's container with M(community.docker.docker_container_info),
    those that failed - an API replica whose container is not C(healthy) (no container, exited, restarting, unhealthy,
    still starting) and a headless data-parallel container that is not running or has restarted.
  - Each loop result keeps its C(item), the replica as the vllm_serve role worked it out (name, npus, port, data_parallel).
options:
  _input:
    description:
      - The loop results (C(results)) of the API replicas' container information.
    type: list
    elements: dict
    required: true
  headless:
    description: The loop results of the headless data-parallel containers' information.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Read the last lines the failed replicas logged
  ansible.builtin.command:
    argv: [docker, logs, --tail, "25", "{{ item.item.name }}"]
  loop: "{{ health.results | ascend_ops.vllm.unhealthy_replicas(headless=headless.results) }}"
  changed_when: false
"""

RETURN = r"""
_value:
  description: The failed loop results, API replicas first, in the order given.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _endpoints

FILTER_NAME = 'ascend_ops.vllm.unhealthy_replicas'


def unhealthy_replicas(health, headless=None):
    """The loop results of replicas that did not come up."""
    try:
        return _endpoints.unhealthy_replicas(health, headless or [])
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('%s: unexpected container information: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """The replicas of a node that did not come up."""

    def filters(self):
        return {'unhealthy_replicas': unhealthy_replicas}
