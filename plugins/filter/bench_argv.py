# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_argv
short_description: The command line of vllm bench serve for one benchmark target
author: ascend_ops.vllm contributors
description:
  - The words to run, as an C(argv) list - the client (O(settings.command), else the C(vllm) of O(settings.venv), else
    C(docker run --rm --network host ... <image> vllm) with O(settings.image)), C(bench serve), then the options.
  - Full flag names only, the temperature always given (vLLM 0.18 no longer defaults to greedy), the result saved as
    C(<result_dir>/<target name>.json) with the target as C(--label) and C(--metadata target=... kind=... node=... replica=...).
  - Never the API key on the command line - with O(settings.key_file) (a file on the client that holds it), the command runs
    under C(/bin/sh -c) that exports the file's content as C(OPENAI_API_KEY), which C(vllm bench serve) sends as the bearer
    token, and execs the client; a task's C(environment) would put the key on the remote shell's command line instead.
  - Fails naming the setting when a setting is wrong.
options:
  _input:
    description: One target of P(ascend_ops.vllm.bench_targets#filter) (C(name), C(url), C(model), C(tokenizer) at least).
    type: dict
    required: true
  settings:
    description:
      - "The benchmark settings (all optional): C(backend) (C(openai) or C(openai-chat)), C(dataset) (C(random)), C(input_len)
        (200), C(output_len) (128), C(range_ratio) (0.0), C(prefix_len) (0), C(num_prompts) (200), C(request_rate) (1, or
        C(inf)), C(max_concurrency) (null), C(burstiness) (1.0), C(goodput) (C({ttft: MS, tpot: MS, e2el: MS}) or
        C(ttft:MS) words), C(percentile_metrics) ([ttft, tpot, itl, e2el]), C(metric_percentiles) ([99]), C(temperature)
        (0), C(seed) (0), C(ignore_eos), C(trust_remote_code), C(extra_options) (more flags), C(command), C(venv),
        C(image), C(result_dir), C(key_file)."
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Run one target
  ansible.builtin.command:
    argv: "{{ target | ascend_ops.vllm.bench_argv({'num_prompts': 20, 'venv': '/opt/vllm-bench'}) }}"
  environment:
    HF_HUB_OFFLINE: "1"
  changed_when: false
"""

RETURN = r"""
_value:
  description: The command line, one word per item.
  type: list
  elements: str
  sample: [/opt/ascend_ops/vllm-bench/bin/vllm, bench, serve, --backend, openai, --base-url, "http://10.0.0.5:8000", "..."]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import BenchError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import bench_argv as _bench_argv

FILTER_NAME = 'ascend_ops.vllm.bench_argv'


def bench_argv(target, settings=None):
    """The vllm bench serve command line of one target."""
    try:
        return _bench_argv(target, settings or {})
    except BenchError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Benchmark command line filter."""

    def filters(self):
        return {'bench_argv': bench_argv}
