#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_chart
short_description: Draw a benchmark run's chart (PNG) on the controller
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Runs on the controller only (an action plugin) and draws, with matplotlib (headless, backend Agg), two panels over the
    targets of a benchmark run - output throughput (tok/s) and TTFT (mean as a bar, p99 as a mark) - the cluster endpoint
    first in grey, then each node's replicas in the node's colour, so a slow node or replica stands out; a replica
    the summary names slow is hatched.
  - Why an action plugin and not a module? The chart belongs on the controller, and the controller's Python (the one that
    runs C(ansible-playbook), where C(requirements.txt) installs matplotlib) is not necessarily the C(ansible_python_interpreter)
    a module delegated to C(localhost) would run with.
options:
  rows:
    description: The rows of P(ascend_ops.vllm.bench_rows#filter); targets without a result are left out.
    type: list
    elements: dict
    required: true
  path:
    description: The PNG to write, an absolute path on the controller whose directory exists.
    type: path
    required: true
  title:
    description: The chart's title.
    type: str
    default: vllm bench serve
requirements:
  - matplotlib (on the controller; pinned in the collection's C(requirements.txt))
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
    details: All of it runs on the controller; no host is contacted.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Writes nothing in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
  idempotent:
    description: The chart is a record of the run, rewritten each time and never reported as a change.
    support: full
"""

EXAMPLES = r"""
- name: Draw the chart
  ascend_ops.vllm.bench_chart:
    rows: "{{ bench_rows }}"
    path: "{{ report_path }}/chart.png"
    title: vllm bench serve, 200 prompts at 1 request/s
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
path:
  description: The PNG written.
  type: str
  returned: always
targets:
  description: How many targets the chart shows.
  type: int
  returned: always
"""
