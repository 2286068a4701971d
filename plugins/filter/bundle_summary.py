# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bundle_summary
short_description: One row per artifact an inventory needs, and whether an offline bundle holds it
author: ascend_ops.vllm contributors
description:
  - For the report of C(playbooks/bundle.yml) - what was fetched (files, bytes) and what is missing.
options:
  _input:
    description: The needs, as C(ascend_ops.vllm.validate_inventory) returns them (RV(bundle_needs)).
    type: list
    elements: dict
    required: true
  manifest:
    description: The bundle's manifest entries.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Rows of the report
  ansible.builtin.set_fact:
    rows: "{{ needs | ascend_ops.vllm.bundle_summary(bundle.described) }}"
"""

RETURN = r"""
_value:
  description: C(kind), C(name), C(version) (C((any)) when any will do), C(present), C(files), C(bytes), C(needed_by) (hosts).
  type: list
  elements: dict
  sample:
    - {kind: image, name: quay.io/ascend/vllm-ascend:v0.18.0rc1-a3, version: v0.18.0rc1-a3, present: true, files: 1,
       bytes: 15032385536, needed_by: [npu-a3-01]}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle import summary

FILTER_NAME = 'ascend_ops.vllm.bundle_summary'


def bundle_summary(needs, manifest):
    """The report rows of a bundle for these needs."""
    try:
        return summary(needs, manifest)
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('%s: needs and manifest must be as validate_inventory and bundle_manifest return them (%s)'
                                 % (FILTER_NAME, error))


class FilterModule(object):
    """Offline bundle summary filter."""

    def filters(self):
        return {'bundle_summary': bundle_summary}
