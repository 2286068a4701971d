# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: silent_replicas_message
short_description: Which replicas did not answer a completion with text
author: ascend_ops.vllm contributors
description:
  - Reads the loop results of asking each replica for a completion with M(ansible.builtin.uri) and names each one that
    did not answer HTTP 200 with a non-empty C(choices[0].text), with its status and error.
  - A replica whose completion timed out while its C(/health) answered 200 (O(health)) is named as hung.
  - Skipped results (replicas not asked) count as answered. Empty when every replica asked answered.
options:
  _input:
    description:
      - The loop results of the completion requests, each C(item) the replica (with its C(name)).
    type: list
    elements: dict
    required: true
  node:
    description: The node's inventory name.
    type: str
    required: true
  health:
    description: The loop results of asking each replica's C(/health) (joined by C(item.name)).
    type: list
    elements: dict
    default: []
  timeout:
    description: The completion's timeout in seconds, named in the message of a hung replica.
    type: raw
"""

EXAMPLES = r"""
- name: Check every replica answered with text
  ansible.builtin.assert:
    that: message | length == 0
    fail_msg: "{{ message }}"
  vars:
    message: "{{ answers.results | ascend_ops.vllm.silent_replicas_message(node=inventory_hostname, health=checks.results, timeout=120) }}"
"""

RETURN = r"""
_value:
  description: The failure message, or an empty string.
  type: str
  sample: "vllm_serve: on sv-a3 replicas did not answer a completion with text: vllm-qwen3.6-r2: HTTP 401 Unauthorized"
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _endpoints

FILTER_NAME = 'ascend_ops.vllm.silent_replicas_message'


def silent_replicas_message(answers, node, health=None, timeout=None):
    """Which replicas did not answer with text."""
    try:
        return _endpoints.silent_replicas_message(node, answers, health or [], timeout)
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: unexpected completion results: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Which replicas did not answer a completion with text."""

    def filters(self):
        return {'silent_replicas_message': silent_replicas_message}
