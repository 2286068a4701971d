# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: catalog
short_description: What the collection's catalog says about a node type, a model and a vllm-ascend release
author: ascend_ops.vllm contributors
description:
  - Answers catalog fields from the one catalog of the collection (C(plugins/module_utils/_catalog.py)), extended from
    inventory through O(extra) - the node type's NPU count and image suffix, and with O(model) the model's weight repository
    and size, served name, context limits, tensor-parallel sizes and oldest supporting vllm-ascend release.
  - With O(vllm_ascend_version) the answer holds the node type's image tag and the image reference, and a release older than
    the model supports is refused.
  - With O(weights_dir) (and O(model)) the answer holds the model's directory in the weight cache.
  - Roles read catalog fields through this filter; the planning filter P(ascend_ops.vllm.serving_layout#filter) reads the same
    catalog to plan.
  - An unknown node type or model, malformed extras or too old a release fail with a message that names the setting and the
    accepted values.
options:
  _input:
    description: The node type, C(atlas_800_a2) (8 NPUs), C(atlas_800_a3) (16 NPUs) or one added under O(extra).
    type: str
    required: true
  model:
    description:
      - The model, C(qwen3.5-27b), C(qwen3.5-27b-w8a8), C(qwen3.6-27b), C(qwen3.6-27b-w8a8) or one added under O(extra).
      - Empty or null leaves the model fields out of the answer.
    type: str
  vllm_ascend_version:
    description:
      - The vllm-ascend release, such as C(v0.18.0rc1), without an image variant. Empty or null leaves the image fields out.
    type: str
  os_variant:
    description: The image's OS variant appended to the tag, such as C(openeuler); empty for the Ubuntu-based image.
    type: str
    default: ""
  image_registry:
    description: The registry of the image, C(host[:port][/path]); empty or null means C(quay.io).
    type: str
    default: quay.io
  image_repository:
    description: The image's repository in the registry; empty or null means C(ascend/vllm-ascend).
    type: str
    default: ascend/vllm-ascend
  weights_dir:
    description: The weight cache on the node; with O(model), the answer's RV(_value.model_path) is the model's directory in it.
    type: str
  weights_subdir:
    description: The model's directory under O(weights_dir); empty means the weight repository's name.
    type: str
    default: ""
  weight_repository:
    description: Another repository holding the model's weights (a mirror's name); empty means the catalog's.
    type: str
    default: ""
  extra:
    description:
      - "Extra or overriding catalog entries, C({node_types: {id: fields}, models: {id: fields}}): the collection-wide
        C(ascend_node_types_extra) and C(ascend_models_extra). An entry with a known id changes only the fields given; a new id
        must give every field without a default. P(ascend_ops.vllm.serving_layout#filter) lists the fields."
    type: dict
seealso:
  - plugin: ascend_ops.vllm.serving_layout
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The NPUs the driver must show on this node
  ansible.builtin.set_fact:
    expected_npus: "{{ (ascend_node_type | ascend_ops.vllm.catalog).npus }}"
    # Produces: 8 on an atlas_800_a2, 16 on an atlas_800_a3

- name: The image of an Atlas 800 A3 for a model (refuses a release older than the model needs)
  ansible.builtin.debug:
    msg: "{{ ('atlas_800_a3' | ascend_ops.vllm.catalog(model='qwen3.6-27b-w8a8', vllm_ascend_version='v0.18.0rc1')).image }}"
    # Produces: quay.io/ascend/vllm-ascend:v0.18.0rc1-a3

- name: The weights of the model, with the inventory's catalog extensions
  ansible.builtin.set_fact:
    weights: >-
      {{ ascend_node_type | ascend_ops.vllm.catalog(model=ascend_model, weights_dir='/data/models',
         extra={'node_types': ascend_node_types_extra | default({}), 'models': ascend_models_extra | default({})}) }}
    # weights.weight_repository, weights.weight_bytes, weights.model_path (/data/models/Eco-Tech/Qwen3.6-27B-w8a8)
"""

RETURN = r"""
_value:
  description: The catalog's answer.
  type: dict
  contains:
    node_type:
      description: The node type asked about.
      type: str
      sample: atlas_800_a3
    description:
      description: The node type's description.
      type: str
    npus:
      description: The NPUs (chips) of the node type.
      type: int
      sample: 16
    chips_per_module:
      description: Chips per NPU module (2 on an Atlas 800 A3).
      type: int
    hbm_gib:
      description: HBM per NPU in GiB.
      type: float
    image_suffix:
      description: The node type's image tag suffix.
      type: str
      sample: -a3
    model:
      description: The model's catalog id.
      type: str
      returned: when O(model) is set
    weight_repository:
      description: The repository the weights come from (O(weight_repository) when set).
      type: str
      returned: when O(model) is set
      sample: Eco-Tech/Qwen3.6-27B-w8a8
    weight_bytes:
      description: The size of the whole model's weights, in bytes.
      type: int
      returned: when O(model) is set
      sample: 30000000000
    quantization:
      description: The C(--quantization) value, or null for BF16 weights.
      type: str
      returned: when O(model) is set
    served_model_name:
      description: The name clients request.
      type: str
      returned: when O(model) is set
      sample: qwen3.6
    min_vllm_ascend_version:
      description: The oldest vllm-ascend release that supports the model.
      type: str
      returned: when O(model) is set
      sample: v0.18.0rc1
    tensor_parallel_sizes:
      description: The tensor-parallel sizes the model's heads allow.
      type: list
      elements: int
      returned: when O(model) is set
    recommended_tensor_parallel_size:
      description: The model's recommended tensor-parallel size.
      type: int
      returned: when O(model) is set
    default_max_model_len:
      description: The context length planned when none is set.
      type: int
      returned: when O(model) is set
    max_model_len:
      description: The model's longest context.
      type: int
      returned: when O(model) is set
    model_path:
      description: The model's directory in the weight cache, O(weights_dir)/(O(weights_subdir) or the weight repository).
      type: str
      returned: when O(model) and O(weights_dir) are set
      sample: /data/models/Eco-Tech/Qwen3.6-27B-w8a8
    vllm_ascend_version:
      description: The O(vllm_ascend_version) given.
      type: str
      returned: when O(vllm_ascend_version) is set
    image_tag:
      description: The image tag, release + node type suffix (+ C(-)O(os_variant)).
      type: str
      returned: when O(vllm_ascend_version) is set
      sample: v0.18.0rc1-a3
    image_name:
      description: The image without its tag, C(<registry>/<repository>).
      type: str
      returned: when O(vllm_ascend_version) is set
      sample: quay.io/ascend/vllm-ascend
    image:
      description: The image reference, C(<registry>/<repository>:<tag>).
      type: str
      returned: when O(vllm_ascend_version) is set
      sample: quay.io/ascend/vllm-ascend:v0.18.0rc1-a3
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._catalog import CatalogError, catalog_answer

FILTER_NAME = 'ascend_ops.vllm.catalog'


def catalog(node_type, model=None, vllm_ascend_version=None, extra=None, os_variant=None, image_registry=None,
            image_repository=None, weights_dir=None, weights_subdir=None, weight_repository=None):
    """The catalog's answer for a node type (and a model and a release)."""
    try:
        return catalog_answer(node_type, model=model, vllm_ascend_version=vllm_ascend_version, extra=extra,
                              os_variant=os_variant, image_registry=image_registry, image_repository=image_repository,
                              weights_dir=weights_dir, weights_subdir=weights_subdir, weight_repository=weight_repository)
    except CatalogError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Catalog filter."""

    def filters(self):
        return {'catalog': catalog}
