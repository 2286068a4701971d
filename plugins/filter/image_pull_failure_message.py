# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: image_pull_failure_message
short_description: Why the serving image could not be pulled, what to check, and what was left alone
author: ascend_ops.vllm contributors
description:
  - The message of the vllm_image role when every pull attempt failed - the node, the image reference, the registry, the
    attempts and their waits, the last error; what to check (the node reaches the registry, C(ascend_image_registry)
    names it, or an archive); and that the replicas already serving were not touched (the pull comes before anything
    stops).
options:
  _input:
    description: The last attempt's error (M(community.docker.docker_image_pull)'s C(msg)).
    type: str
    required: true
  node:
    description: The node's inventory name.
    type: str
    required: true
  image:
    description: The image reference.
    type: str
    required: true
  registry:
    description: The registry it is pulled from.
    type: str
    required: true
  delays:
    description: The waits before each attempt (the filter C(ascend_ops.vllm.backoff_delays)).
    type: list
    elements: int
    required: true
"""

EXAMPLES = r"""
- name: Check the image was pulled
  ansible.builtin.assert:
    that: pulled
    fail_msg: >-
      {{ error | ascend_ops.vllm.image_pull_failure_message(node=inventory_hostname, image=ascend_vllm_image,
           registry=vllm_image_registry, delays=[0, 15, 30]) }}
"""

RETURN = r"""
_value:
  description: The message.
  type: str
  sample: >-
    vllm_image: on sv-a2 the image registry.example:5000/ascend/vllm-ascend:v0.18.0rc1 could not be pulled from the
    registry registry.example:5000 after 3 attempts (waiting 15, 30 s between them): Error response from daemon ... Check
    that sv-a2 reaches the registry ...
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._backoff import pull_failure_message

FILTER_NAME = 'ascend_ops.vllm.image_pull_failure_message'


def image_pull_failure_message(error, node, image, registry, delays):
    """The pull's failure message."""
    try:
        return pull_failure_message(str(node), str(image), str(registry), [int(wait) for wait in delays], str(error or ''))
    except (TypeError, ValueError) as error_:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error_))


class FilterModule(object):
    """The image pull's failure message."""

    def filters(self):
        return {'image_pull_failure_message': image_pull_failure_message}
