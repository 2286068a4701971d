# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bundle_verdict
short_description: What is wrong with an offline bundle for what an inventory needs
author: ascend_ops.vllm contributors
description:
  - Compares the needs of an inventory (the C(bundle_needs) that C(ascend_ops.vllm.validate_inventory) returns) with a
    bundle's manifest and its files as C(ascend_ops.vllm.bundle_manifest) read them.
  - A problem is an artifact the bundle lacks, one of another version (another image tag, driver version, weights
    revision, wheel version), or a file unlike its manifest entry (not there, another size, another sha256). Each names the
    artifact and who needs it (host and variable).
options:
  _input:
    description: The needs, C(name), C(kind), C(version), C(path), C(needed_by) (host, variable).
    type: list
    elements: dict
    required: true
  manifest:
    description: The manifest's entries (RV(ascend_ops.vllm.bundle_manifest#module:manifest)).
    type: list
    elements: dict
    required: true
  files:
    description: Path to C(size) and C(sha256) as on disk (RV(ascend_ops.vllm.bundle_manifest#module:files)).
    type: dict
    required: true
  rows:
    description: Return the report's rows instead, C(kind), C(artifact), C(problem), C(needed_by) (the hosts, joined).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Refuse a bundle that does not match the inventory
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | map(attribute='problem') | join('; ') }}"
  vars:
    problems: "{{ needs | ascend_ops.vllm.bundle_verdict(bundle.manifest, bundle.files) }}"
"""

RETURN = r"""
_value:
  description: One record per problem, C(artifact), C(kind), C(version), C(path), C(problem), C(accepted), C(needed_by).
  type: list
  elements: dict
  sample:
    - artifact: quay.io/ascend/vllm-ascend:v0.18.0rc1-a3
      kind: image
      version: v0.18.0rc1-a3
      path: images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar
      problem: images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar has sha256 1f..., the manifest says 9f...
      accepted: the file as the bundle was made (make the bundle again)
      needed_by: [{host: npu-a3-01, variable: vllm_image_version}]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle import problem_rows, verdict

FILTER_NAME = 'ascend_ops.vllm.bundle_verdict'


def bundle_verdict(needs, manifest, files, rows=False):
    """The problems of a bundle for these needs (or their report rows)."""
    try:
        problems = verdict(needs, manifest, files)
        return problem_rows(problems) if rows else problems
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('%s: needs, manifest and files must be as validate_inventory and bundle_manifest return them (%s)'
                                 % (FILTER_NAME, error))


class FilterModule(object):
    """Offline bundle verdict filter."""

    def filters(self):
        return {'bundle_verdict': bundle_verdict}
