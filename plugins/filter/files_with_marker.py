# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: files_with_marker
short_description: The files read with slurp that still hold a role's marker text
author: ascend_ops.vllm contributors
description:
  - A role that writes over a package's file (Prometheus's configuration, HAProxy's) removes it in playbooks/remove.yml only while
    it is still the role's own, that is while it holds a text of the role's template that the package's file has not.
  - Takes the looped results of C(ansible.builtin.slurp) whose loop items are C({path, marker}); a file that could not be read
    (missing) is left out.
options:
  _input:
    description: The C(results) of a looped C(ansible.builtin.slurp) task (with C(failed_when) false).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the files the role writes over
  ansible.builtin.slurp:
    src: "{{ item.path }}"
  loop:
    - {path: /etc/prometheus/prometheus.yml, marker: /etc/prometheus/ascend_ops/}
  register: written
  failed_when: false

- name: Remove those that are still the role's
  ansible.builtin.file:
    path: "{{ item }}"
    state: absent
  loop: "{{ written.results | ascend_ops.vllm.files_with_marker }}"
"""

RETURN = r"""
_value:
  description: The paths whose content holds their item's marker, in the order of the results.
  type: list
  elements: str
  sample: [/etc/prometheus/prometheus.yml]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._removal import RemovalError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._removal import marked_files

FILTER_NAME = 'ascend_ops.vllm.files_with_marker'


def files_with_marker(results):
    """Paths of the files read that hold their marker."""
    try:
        return marked_files(list(results))
    except (RemovalError, TypeError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Files with marker filter."""

    def filters(self):
        return {'files_with_marker': files_with_marker}
