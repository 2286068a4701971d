# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: monitoring_targets
short_description: Prometheus file_sd target files of the cluster, one per job and host, from the deployment's facts
author: ascend_ops.vllm contributors
description:
  - "Three jobs: C(vllm), every API replica of a serving node, labels C(node), C(replica), C(npus) (comma-separated ids)
    and C(model), from the verified endpoints (C(vllm_serve_endpoints)) when the verify phase ran, else from the plan
    (C(ascend_serving_layout)); a data-parallel group's head serves its replica 0, headless ranks nothing.
    C(vllm_router), every router instance of a router host (C(vllm_router_instances)) on its metrics port, labels C(node),
    C(model), C(router). C(npu_exporter), every node whose exporter runs (C(npu_exporter_endpoint)), label C(node)."
  - Addresses are the host's C(ansible_host), else its inventory name (those of the verified records).
  - A host the run has no facts of (C(--limit)) gives no file, so its file stays as the last run wrote it.
options:
  _input:
    description: The variables of every host (C(groups['all'] | map('extract', hostvars))).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Write one target file per job and host
  ansible.builtin.copy:
    content: "{{ item.groups | to_nice_json }}\n"
    dest: /etc/prometheus/ascend_ops/{{ item.job }}/{{ item.host }}.json
    mode: "0644"
  loop: "{{ groups['all'] | map('extract', hostvars) | ascend_ops.vllm.monitoring_targets }}"
"""

RETURN = r"""
_value:
  description: One entry per job and host, ordered by host then job.
  type: list
  elements: dict
  contains:
    job:
      description: C(vllm), C(vllm_router) or C(npu_exporter).
      type: str
    host:
      description: The inventory name of the host.
      type: str
    groups:
      description: The file_sd target groups (C(targets), C(labels)).
      type: list
      elements: dict
  sample:
    - job: vllm
      host: npu-a2-01
      groups:
        - targets: ["192.0.2.11:8000"]
          labels: {node: npu-a2-01, replica: r0, npus: "0,1,2,3", model: qwen3.5}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _monitoring


def monitoring_targets(nodes):
    """file_sd target files of every host the run has facts of."""
    try:
        return _monitoring.scrape_targets(nodes)
    except (_monitoring.MonitoringError, KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('ascend_ops.vllm.monitoring_targets: %s' % error)


class FilterModule(object):
    """Prometheus targets from the deployment's facts."""

    def filters(self):
        return {'monitoring_targets': monitoring_targets}
