# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: unhealthy_replicas_message
short_description: Why the replicas of a node are not healthy, in one message
author: ascend_ops.vllm contributors
description:
  - Builds the failure message of the vllm_serve role's health check from the log read of each failed replica, naming
    the node, each replica with its NPUs and port, its container's state and the lines of its log that say what went wrong
    (those with error, EI0019-like codes, failed, refused, ...; else the last ones).
  - For a data-parallel group, the logs of the group's other nodes follow, since why a head failed is often written there.
options:
  _input:
    description:
      - The loop results of reading each failed replica's log (their C(item) is the result of
        P(ascend_ops.vllm.unhealthy_replicas#filter)).
    type: list
    elements: dict
    required: true
  node:
    description: The node's inventory name.
    type: str
    required: true
  total:
    description: How many containers the node runs.
    type: int
    required: true
  what:
    description: What they are, for the message (C(replicas), or C(containers of data-parallel group X)).
    type: str
    default: replicas
  group_logs:
    description: The loop results of reading the other group nodes' logs, each C(item) a node of the group layout.
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Check every replica is healthy
  ansible.builtin.assert:
    that: failed_logs.results | length == 0
    fail_msg: "{{ failed_logs.results | ascend_ops.vllm.unhealthy_replicas_message(node=inventory_hostname, total=4) }}"
"""

RETURN = r"""
_value:
  description: The message, on one line.
  type: str
  sample: >-
    vllm_serve: on sv-a2 1 of 4 replicas are not healthy. vllm-qwen3.6-r1 (NPUs 2,3, port 8001): exited, health unhealthy,
    restarted 0 times; it logged: EI0019: IP address and port have been bound already
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _endpoints

FILTER_NAME = 'ascend_ops.vllm.unhealthy_replicas_message'


def unhealthy_replicas_message(failed_logs, node, total, what='replicas', group_logs=None):
    """The failure message of the health check."""
    try:
        return _endpoints.unhealthy_message(node, int(total), what, failed_logs, group_logs or [])
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: unexpected log results: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Why the replicas of a node are not healthy, in one message."""

    def filters(self):
        return {'unhealthy_replicas_message': unhealthy_replicas_message}
