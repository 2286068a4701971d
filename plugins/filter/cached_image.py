# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: cached_image
short_description: The reference to pull an image by through a pull-through cache, and whether to tag it back
author: ascend_ops.vllm contributors
description:
  - dockerd's C(registry-mirrors) applies to Docker Hub only, so an image of quay.io is pulled by the cache's name
    (C(<cache>/<path>:<tag>)) and then tagged as the image the replicas are configured with (that name is in their
    configuration hash; another name would restart every replica).
  - Without a cache (an empty O(cache)) the image is pulled as it is.
options:
  _input:
    description: The image reference the replicas use, C(registry/path:tag) (no digest).
    type: str
    required: true
  cache:
    description: The cache as C(host[:port]), without a scheme; empty for none.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Pull through the cache
  community.docker.docker_image_pull:
    name: "{{ (ascend_vllm_image | ascend_ops.vllm.cached_image(cache='cache-01:5000')).pull_name }}"
    tag: "{{ (ascend_vllm_image | ascend_ops.vllm.cached_image(cache='cache-01:5000')).pull_tag }}"
"""

RETURN = r"""
_value:
  description: How to pull the image.
  type: dict
  contains:
    image:
      description: The image as given (the name to tag the pulled image as).
      type: str
    pull_name:
      description: The repository to pull, under the cache's name with a cache.
      type: str
      sample: cache-01:5000/ascend/vllm-ascend
    pull_tag:
      description: The tag to pull.
      type: str
      sample: v0.18.0rc1
    pull:
      description: RV(pull_name) and RV(pull_tag) as one reference.
      type: str
    retag:
      description: Whether the pulled image must be tagged as RV(image) (a cache is used).
      type: bool
    upstream:
      description: The registry host of the image (C(docker.io) for a Docker Hub name), the cache's upstream.
      type: str
      sample: quay.io
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._artifacts import ArtifactError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._artifacts import cached_image as _cached_image

FILTER_NAME = 'ascend_ops.vllm.cached_image'


def cached_image(image, cache):
    """How to pull ``image`` through ``cache``."""
    try:
        return _cached_image(image, cache)
    except ArtifactError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Pull-through cache references."""

    def filters(self):
        return {'cached_image': cached_image}
