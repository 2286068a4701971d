# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: serving_layout
short_description: Plan how one Ascend node's NPUs split into vLLM replicas
author: ascend_ops.vllm contributors
description:
  - Takes the node type, the model and optional serving settings and returns the plan of one node, the tensor-parallel size,
    the replicas with their NPUs, ports, environment and C(vllm serve) options, and the memory figures behind the plan.
  - A replica's NPUs are a disjoint, contiguous block of O(_input.tensor_parallel_size) ids starting at a multiple of it, so with
    tensor parallelism a replica never shares an Atlas 800 A3 module (chips C(2k) and C(2k+1)) with another replica.
  - By default the node is filled with as many replicas as fit. The vllm-ascend tutorial starts a single TP2 instance and leaves
    the other NPUs idle; this plan does not.
  - The tensor-parallel size is the model's recommended one (2 for the Qwen3.5/3.6-27B models), unless one sequence of
    O(_input.max_model_len) tokens does not fit in memory at that size (then the smallest valid size that fits), or it is set.
  - "Memory test per NPU: weights / TP + KV cache of one O(_input.max_model_len) sequence + linear-attention state of one
    sequence + the model's runtime reserve must fit in HBM x O(_input.gpu_memory_utilization)."
  - Replica C(i) serves on O(_input.base_port) + C(i), and gets C(HCCL_IF_BASE_PORT) = O(_input.hccl_base_port) + C(i) x 100 and
    C(VLLM_PORT) = O(_input.vllm_port) + C(i) x 100. HCCL listens on 32 ports from its base and vLLM probes upward from
    C(VLLM_PORT); the three ranges must not overlap.
  - Anything impossible (a size that does not divide the model's heads, more NPUs than present, a failing memory test, a
    context above the model's maximum, colliding ports, an unknown setting) fails with a message that names the setting and a
    value that would work.
  - See C(docs/planning.md) in the collection for the rules with worked numbers.
options:
  _input:
    description: The planning request.
    type: dict
    required: true
    suboptions:
      node_type:
        description: The node type, C(atlas_800_a2) (8 NPUs), C(atlas_800_a3) (16 NPUs) or one added under O(_input.catalog).
        type: str
        required: true
      model:
        description:
          - The model, C(qwen3.5-27b), C(qwen3.5-27b-w8a8), C(qwen3.6-27b), C(qwen3.6-27b-w8a8) or one added under
            O(_input.catalog).
        type: str
        required: true
      max_model_len:
        description: Context length in tokens. Defaults to the model's default (133000 for the built-in models).
        type: int
      max_num_seqs:
        description: Sequences a replica runs at once (C(--max-num-seqs)).
        type: int
        default: 32
      max_num_batched_tokens:
        description: Tokens per scheduler step (C(--max-num-batched-tokens)).
        type: int
        default: 16384
      tensor_parallel_size:
        description: NPUs per replica. Defaults to the model's recommended size, or larger if memory needs it.
        type: int
      replicas:
        description: Number of replicas. Defaults to as many as the usable NPUs hold.
        type: int
      npus:
        description: The NPU ids present on the node (for example from the npu_info module). Defaults to all of the node type.
        type: list
        elements: int
      exclude_npus:
        description: NPU ids to leave alone (for example a faulty one, or NPUs another workload uses).
        type: list
        elements: int
        default: []
      base_port:
        description: API port of replica 0; replica C(i) uses O(_input.base_port) + C(i).
        type: int
        default: 8000
      hccl_base_port:
        description: C(HCCL_IF_BASE_PORT) of replica 0; replica C(i) adds C(i) x 100. Must stay within 1024-65520.
        type: int
        default: 60000
      vllm_port:
        description: C(VLLM_PORT) of replica 0; replica C(i) adds C(i) x 100.
        type: int
        default: 20000
      gpu_memory_utilization:
        description: Share of each NPU's HBM vLLM may use, in (0, 1].
        type: float
        default: 0.90
      host:
        description: Address the API servers bind (C(--host)).
        type: str
        default: 0.0.0.0
      model_path:
        description: What C(vllm serve) is given as the model, for example the weights' path inside the container.
          Defaults to the model's weight repository.
        type: str
      vllm_ascend_version:
        description:
          - The vllm-ascend release to run, such as C(v0.18.0rc1). When set, it is checked against the oldest release that
            supports the model and the plan includes the node type's C(image_tag).
        type: str
      catalog:
        description:
          - "Extra or overriding catalog entries, C({node_types: {id: fields}, models: {id: fields}}). An entry with a known id
            changes only the fields given; a new id must give every field without a default."
          - "Node type fields: C(npus), C(hbm_gib), C(chips_per_module) (default 1), C(image_suffix) (default empty),
            C(description)."
          - "Model fields: C(weight_repository), C(weight_bytes), C(full_attention_layers), C(kv_heads), C(head_dim),
            C(tensor_parallel_sizes), C(recommended_tensor_parallel_size), C(default_max_model_len), C(max_model_len),
            C(served_model_name), and with defaults C(quantization) (null), C(speculative_config) (null),
            C(speculative_kv_layers) (0), C(linear_attention_state_bytes) (0), C(kv_cache_dtype_bytes) (2),
            C(runtime_reserve_gib) (6), C(min_vllm_ascend_version) (v0.17.0rc1)."
        type: dict
seealso:
  - plugin: ascend_ops.vllm.vllm_serve_args
    plugin_type: filter
  - plugin: ascend_ops.vllm.davinci_devices
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Plan an Atlas 800 A2 with the tutorial's settings (gives TP2 x 4)
  ansible.builtin.set_fact:
    ascend_plan: "{{ {'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b-w8a8'} | ascend_ops.vllm.serving_layout }}"

- name: Long-context layout of an Atlas 800 A3 (gives TP8 x 2)
  ansible.builtin.set_fact:
    ascend_plan: >-
      {{ {'node_type': 'atlas_800_a3', 'model': 'qwen3.6-27b-w8a8', 'tensor_parallel_size': 8,
          'max_model_len': 262144, 'max_num_seqs': 8, 'max_num_batched_tokens': 8192} | ascend_ops.vllm.serving_layout }}

- name: Plan from the NPUs found, leaving a faulty one out, with a model added from inventory
  ansible.builtin.set_fact:
    ascend_plan: >-
      {{ {'node_type': ascend_node_type, 'model': ascend_model, 'npus': npu_info.npus | map(attribute='id') | list,
          'exclude_npus': [3], 'catalog': {'models': ascend_models_extra, 'node_types': ascend_node_types_extra}}
         | ascend_ops.vllm.serving_layout }}

- name: Show where each replica runs
  ansible.builtin.debug:
    msg: "replica {{ item.index }}: NPUs {{ item.npus }}, port {{ item.port }}"
  loop: "{{ ascend_plan.replicas }}"
"""

RETURN = r"""
_value:
  description: The plan of one node.
  type: dict
  contains:
    node_type:
      description: The node type planned for.
      type: str
    model:
      description: The catalog id of the model.
      type: str
    served_model_name:
      description: The name clients request (C(--served-model-name)).
      type: str
      sample: qwen3.5
    weight_repository:
      description: The repository the weights come from.
      type: str
      sample: Eco-Tech/Qwen3.5-27B-w8a8-mtp
    quantization:
      description: The C(--quantization) value, or null for BF16 weights.
      type: str
      sample: ascend
    tensor_parallel_size:
      description: NPUs per replica.
      type: int
      sample: 2
    tensor_parallel_size_reason:
      description: Why this size (recommended for the model, needed for memory, or set by the user).
      type: str
    max_model_len:
      description: The context length planned for.
      type: int
    max_num_seqs:
      description: The sequences per replica planned for.
      type: int
    max_num_batched_tokens:
      description: Tokens per scheduler step.
      type: int
    gpu_memory_utilization:
      description: Share of HBM vLLM may use.
      type: float
    port_stride:
      description: Distance between the C(HCCL_IF_BASE_PORT) and C(VLLM_PORT) values of consecutive replicas.
      type: int
      sample: 100
    hccl_ports_per_base:
      description: The ports HCCL listens on from each replica's C(HCCL_IF_BASE_PORT) (its base and the ones above it).
      type: int
      sample: 32
    replicas:
      description: One entry per vLLM instance (container) on the node.
      type: list
      elements: dict
      contains:
        index:
          description: Replica number, from 0.
          type: int
        name:
          description: The replica's container name, C(vllm-<served_model_name>-r<index>).
          type: str
          sample: vllm-qwen3.6-r0
        npus:
          description: The NPU ids of the replica.
          type: list
          elements: int
          sample: [2, 3]
        devices:
          description: The C(/dev/davinciN) device paths of those NPUs.
          type: list
          elements: str
        port:
          description: The replica's API port.
          type: int
          sample: 8001
        hccl_base_port:
          description: The replica's C(HCCL_IF_BASE_PORT).
          type: int
          sample: 60100
        vllm_port:
          description: The replica's C(VLLM_PORT).
          type: int
          sample: 20100
        kv_cache_tokens:
          description: Estimated KV cache capacity of the replica, in tokens.
          type: int
        full_length_sequences:
          description: Estimated number of O(_input.max_model_len) sequences the replica holds at once.
          type: int
        env:
          description:
            - Environment of the replica, the vllm-ascend tutorial's variables plus C(HCCL_IF_BASE_PORT) and C(VLLM_PORT).
            - C(ASCEND_RT_VISIBLE_DEVICES) is not set, because each container mounts only its own NPUs.
          type: dict
        serve_options:
          description: The tutorial's C(vllm serve) options for this replica, input for P(ascend_ops.vllm.vllm_serve_args#filter).
          type: dict
    npus_used:
      description: All NPU ids given to replicas.
      type: list
      elements: int
    unused_npus:
      description: Present NPU ids no replica uses (excluded ones included).
      type: list
      elements: int
    excluded_npus:
      description: The ids of O(_input.exclude_npus).
      type: list
      elements: int
    kv_cache_tokens:
      description:
        - Estimated KV cache tokens per replica, after setting aside the linear-attention state of O(_input.max_num_seqs)
          sequences.
      type: int
    full_length_sequences:
      description: Estimated O(_input.max_model_len) sequences one replica holds at once.
      type: int
    memory_per_npu:
      description:
        - The memory test's figures for one NPU in bytes, C(hbm_bytes), C(budget_bytes), C(weights_bytes),
          C(runtime_reserve_bytes), C(kv_per_token_bytes), C(kv_per_sequence_bytes), C(linear_attention_state_bytes),
          C(one_sequence_total_bytes), C(kv_pool_bytes), C(headroom_bytes), and C(gpu_memory_utilization).
      type: dict
    memory_per_npu_gib:
      description: The same figures in GiB, rounded to two decimals (keys end in C(_gib)).
      type: dict
    notes:
      description: Remarks for a report, such as fewer full-length sequences fitting than O(_input.max_num_seqs), or idle NPUs.
      type: list
      elements: str
    image_suffix:
      description: The node type's image tag suffix.
      type: str
      sample: -a3
    min_vllm_ascend_version:
      description: The oldest vllm-ascend release that supports the model.
      type: str
      sample: v0.17.0rc1
    vllm_ascend_version:
      description: The O(_input.vllm_ascend_version) given.
      type: str
      returned: when O(_input.vllm_ascend_version) is set
    image_tag:
      description: The vllm-ascend image tag for this node type.
      type: str
      returned: when O(_input.vllm_ascend_version) is set
      sample: v0.18.0rc1-a3
    summary:
      description: The plan on one line - replicas, TP size and why, context length, each replica's NPUs and port, notes.
      type: str
      sample: "4 x TP2 of qwen3.6-27b-w8a8 (the model's recommended size), max_model_len 133000: r0 NPUs 0,1 port 8000; ..."
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import LayoutError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import serving_layout as _serving_layout

FILTER_NAME = 'ascend_ops.vllm.serving_layout'


def serving_layout(request):
    """The serving plan of one node."""
    try:
        return _serving_layout(request)
    except LayoutError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Serving layout filter."""

    def filters(self):
        return {'serving_layout': serving_layout}
