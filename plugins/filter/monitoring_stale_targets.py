# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: monitoring_stale_targets
short_description: The Prometheus target files of hosts no longer in the inventory
author: ascend_ops.vllm contributors
description:
  - Of target file paths named C(<job>/<host>.json) (as O(ascend_ops.vllm.monitoring_targets) gives them), those whose
    host is not in O(hosts), so that a host taken out of the inventory stops being scraped.
options:
  _input:
    description: The paths of the target files found.
    type: list
    elements: str
    required: true
  hosts:
    description: Every host of the inventory (C(groups['all'])).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Remove the targets of hosts gone from the inventory
  ansible.builtin.file:
    path: "{{ item }}"
    state: absent
  loop: "{{ found.files | map(attribute='path') | ascend_ops.vllm.monitoring_stale_targets(groups['all']) }}"
"""

RETURN = r"""
_value:
  description: The stale paths, sorted.
  type: list
  elements: str
  sample: [/etc/prometheus/ascend_ops/vllm/npu-a2-09.json]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _monitoring


def monitoring_stale_targets(paths, hosts):
    """Target files of hosts gone from the inventory."""
    try:
        return _monitoring.stale_target_files(paths, hosts)
    except (TypeError, AttributeError) as error:
        raise AnsibleFilterError('ascend_ops.vllm.monitoring_stale_targets: unexpected input: %s' % error)


class FilterModule(object):
    """Stale Prometheus target files."""

    def filters(self):
        return {'monitoring_stale_targets': monitoring_stale_targets}
