# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bench_rows
short_description: The benchmark summary's rows from the result files vllm bench serve saved
author: ascend_ops.vllm contributors
description:
  - Reads each target's saved result (the base64 C(content) C(slurp) returns; vLLM 0.18's keys C(completed), C(failed),
    C(request_throughput), C(output_throughput), C(request_goodput), C(mean_/median_/p99_{ttft,tpot,itl,e2el}_ms)) and
    returns one row per target keyed by the summary's columns.
  - A target without a readable result keeps its row, empty, with why in C(note) (the run's error from O(jobs), or the
    missing file).
  - With O(node_types) and O(fraction), a replica below O(fraction) of the median output throughput of the replicas of its
    node type says so in C(note) (P(ascend_ops.vllm.slow_replicas#filter)).
options:
  _input:
    description: The loop results of C(ansible.builtin.slurp) over the targets' result files (C(item) the target).
    type: list
    elements: dict
    required: true
  jobs:
    description: The loop results of C(ansible.builtin.async_status) over the started runs (C(item.item) the target).
    type: list
    elements: dict
    default: []
  node_types:
    description: Node name -> node type (C(node_types) of P(ascend_ops.vllm.bench_targets#filter)).
    type: dict
    default: {}
  fraction:
    description: The share of the node type's median below which a replica is slow.
    type: float
"""

EXAMPLES = r"""
- name: The summary's rows
  ansible.builtin.set_fact:
    rows: "{{ slurped.results | ascend_ops.vllm.bench_rows(jobs=jobs.results, node_types=bench.node_types, fraction=0.7) }}"
"""

RETURN = r"""
_value:
  description:
    - One row per target, keyed by C(target), C(node), C(replica), C(completed), C(failed), C(req/s), C(out tok/s),
      C(goodput req/s), C(TTFT mean), C(TTFT median), C(TTFT p99), the same for C(TPOT), C(ITL) and C(E2EL) (ms), C(note).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import BenchError, bench_results
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import bench_rows as _bench_rows

FILTER_NAME = 'ascend_ops.vllm.bench_rows'


def bench_rows(slurped, jobs=None, node_types=None, fraction=None):
    """The benchmark summary's rows."""
    try:
        return _bench_rows(bench_results(slurped, jobs or []), node_types=node_types or {},
                           fraction=float(fraction) if fraction else None)
    except (BenchError, KeyError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Benchmark summary rows filter."""

    def filters(self):
        return {'bench_rows': bench_rows}
