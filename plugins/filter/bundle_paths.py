# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bundle_paths
short_description: Where the roles take their artifacts from in an offline bundle
author: ascend_ops.vllm contributors
description:
  - The paths of an offline bundle (C(playbooks/bundle.yml)) that the roles' defaults point at when C(ascend_offline_bundle)
    is set - the drivers, the wheels, the Debian packages, the archive of an image, the weights of a model - by the layout the
    bundle was written with, so that a role looks for each file under the name it was written as.
  - Every path is empty for an empty O(_input) (no bundle).
options:
  _input:
    description: The bundle directory (C(ascend_offline_bundle)), an absolute path; empty for none.
    type: str
    required: true
  image:
    description: An image reference, C(registry/path:tag), whose archive RV(image_archive) names.
    type: str
    default: ""
  repository:
    description: A model's weight repository (C(Eco-Tech/Qwen3.6-27B-w8a8)), whose directory RV(weights) names.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The image's archive in the bundle
  ansible.builtin.debug:
    msg: "{{ (ascend_offline_bundle | ascend_ops.vllm.bundle_paths(image='quay.io/ascend/vllm-ascend:v0.18.0rc1')).image_archive }}"
    # /srv/ascend-bundle/images/quay.io_ascend_vllm-ascend_v0.18.0rc1.tar
"""

RETURN = r"""
_value:
  description: The bundle's paths; all empty without a bundle.
  type: dict
  contains:
    manifest:
      description: The manifest, C(<bundle>/manifest.json).
      type: str
    drivers:
      description: The driver and firmware packages, C(<bundle>/drivers).
      type: str
    wheels:
      description: The router hosts' wheels, C(<bundle>/wheels).
      type: str
    debs:
      description: The Debian packages as an apt repository, C(<bundle>/debs).
      type: str
    image_archive:
      description: The C(docker save) archive of O(image); empty without O(image).
      type: str
      sample: /srv/ascend-bundle/images/quay.io_ascend_vllm-ascend_v0.18.0rc1.tar
    weights:
      description: The directory of O(repository)'s weights; empty without O(repository).
      type: str
      sample: /srv/ascend-bundle/weights/Eco-Tech/Qwen3.6-27B-w8a8
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle import BundleError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle import bundle_paths as _bundle_paths

FILTER_NAME = 'ascend_ops.vllm.bundle_paths'


def bundle_paths(bundle, image='', repository=''):
    """The bundle's paths the roles read."""
    for name, value in (('_input', bundle), ('image', image), ('repository', repository)):
        if not isinstance(value, str):
            raise AnsibleFilterError('%s: %s must be a string, got %r' % (FILTER_NAME, name, value))
    try:
        return _bundle_paths(bundle, image=image, repository=repository)
    except BundleError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Offline bundle layout filter."""

    def filters(self):
        return {'bundle_paths': bundle_paths}
