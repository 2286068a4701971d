# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: image_pull_waves
short_description: Which node pulls in which wave, so that a pull-through cache fetches every image from upstream once
author: ascend_ops.vllm contributors
description:
  - A pull-through cache streams a blob that is still being fetched from upstream again for each concurrent puller, so N
    cold parallel pulls fetch N copies. For each image some node lacks, the first such node (in play order) warms the
    cache alone, one image after another; then every other node that lacks its image pulls at once.
  - A node that has its image already pulls nothing (wave C(-1)).
options:
  _input:
    description: The nodes in play order, each C(host), C(image) (the reference it pulls) and C(present) (it has its image).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Pull in waves
  ansible.builtin.include_tasks: pull_wave.yml
  loop: "{{ range(plan.waves) | list }}"
  vars:
    plan: "{{ nodes | ascend_ops.vllm.image_pull_waves }}"
"""

RETURN = r"""
_value:
  description: The waves.
  type: dict
  contains:
    waves:
      description: How many waves to run (0 when every node has its image).
      type: int
      sample: 2
    hosts:
      description: Host -> the wave it pulls in, C(-1) for none.
      type: dict
      sample: {npu-a2-01: 0, npu-a2-02: 1, npu-a2-03: 1}
    warmers:
      description: Image -> the node that warms the cache with it.
      type: dict
      sample: {cache-01:5000/ascend/vllm-ascend:v0.18.0rc1: npu-a2-01}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._artifacts import ArtifactError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._artifacts import image_pull_waves as _image_pull_waves

FILTER_NAME = 'ascend_ops.vllm.image_pull_waves'


def image_pull_waves(nodes):
    """The pull waves of ``nodes``."""
    if not isinstance(nodes, (list, tuple)) or not all(isinstance(node, dict) for node in nodes):
        raise AnsibleFilterError('%s: a list of nodes (dictionaries) is needed, not %r' % (FILTER_NAME, nodes))
    try:
        return _image_pull_waves(nodes)
    except ArtifactError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Pull waves through a cache."""

    def filters(self):
        return {'image_pull_waves': image_pull_waves}
