# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: vllm_serve_args
short_description: Serve options to the argument list of vllm serve
author: ascend_ops.vllm contributors
description:
  - Turns a dictionary of C(vllm serve) options into the argument list after the C(vllm) executable, starting with
    C(serve) and the model, so that a template can quote each element and render a correct script.
  - The C(model) key becomes the positional model argument and is required.
  - Every other key becomes its full flag name, underscores to dashes (C(max_model_len) gives C(--max-model-len)). Flags are
    never abbreviated, because vLLM's parser accepts prefixes that a later release may make ambiguous.
  - Flags follow in alphabetical order, so the same options always give the same arguments (and the same configuration hash).
  - C(true) gives C(--flag), C(false) gives C(--no-flag) (C(--headless), which has no negative form, is left out), C(null)
    leaves the flag out.
  - A dictionary or list becomes one compact JSON argument with sorted keys, such as
    C({"cudagraph_mode":"FULL_DECODE_ONLY"}); a list for C(served_model_name), which takes several values, gives one argument
    per item.
  - A text value starting with C(-) is rendered as C(--flag=value) so the parser cannot mistake it for a flag.
options:
  _input:
    description:
      - The serve options, keys as vLLM's full flag names with underscores or dashes and without leading dashes. The
        C(serve_options) of each replica of P(ascend_ops.vllm.serving_layout#filter) are such a dictionary.
    type: dict
    required: true
seealso:
  - plugin: ascend_ops.vllm.serving_layout
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Arguments of a small serve command
  ansible.builtin.debug:
    msg: >-
      {{ {'model': 'Qwen/Qwen3.5-27B', 'tensor_parallel_size': 2, 'enable_prefix_caching': false,
          'compilation_config': {'cudagraph_mode': 'FULL_DECODE_ONLY'}} | ascend_ops.vllm.vllm_serve_args }}
    # Produces: ['serve', 'Qwen/Qwen3.5-27B', '--compilation-config', '{"cudagraph_mode":"FULL_DECODE_ONLY"}',
    #            '--no-enable-prefix-caching', '--tensor-parallel-size', '2']

- name: A shell command line for replica 0 of a plan, every argument quoted
  ansible.builtin.set_fact:
    serve_command: >-
      vllm {{ ascend_plan.replicas[0].serve_options | ascend_ops.vllm.vllm_serve_args | map('quote') | join(' ') }}
"""

RETURN = r"""
_value:
  description: The arguments after C(vllm), starting with C(serve) and the model.
  type: list
  elements: str
  sample: ['serve', 'Qwen/Qwen3.5-27B', '--max-model-len', '133000', '--tensor-parallel-size', '2', '--trust-remote-code']
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._serve_args import ServeArgsError, serve_argv

FILTER_NAME = 'ascend_ops.vllm.vllm_serve_args'


def vllm_serve_args(options):
    """Serve options to the argv of ``vllm serve``."""
    try:
        return serve_argv(options)
    except ServeArgsError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """vllm serve argument filter."""

    def filters(self):
        return {'vllm_serve_args': vllm_serve_args}
