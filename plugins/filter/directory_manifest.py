# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: directory_manifest
short_description: A directory on the controller named by its files' sha256, sizes and paths
author: ascend_ops.vllm contributors
description:
  - One line per regular file under the directory, sorted by path, C(<sha256>  <size>  <relative path>).
  - A role copies a directory of many files (the router's wheels) only when this text differs from the copy it left on the host
    on the last run, so an unchanged run asks the host once instead of once per file.
  - Runs on the controller, as every filter does; the directory is read there.
options:
  _input:
    description: The directory's path on the controller.
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Read the manifest left by the last copy
  ansible.builtin.slurp:
    src: /etc/vllm-router/wheels/.manifest
  register: copied
  failed_when: false

- name: Copy the wheels when they changed
  ansible.builtin.copy:
    src: /srv/offline/router-wheels/
    dest: /etc/vllm-router/wheels/
    mode: "0644"
  when: (copied.content | default('') | b64decode) != ('/srv/offline/router-wheels' | ascend_ops.vllm.directory_manifest)
"""

RETURN = r"""
_value:
  description: The manifest text, a line per file ending in a newline; empty for an empty directory.
  type: str
  sample: "9f86d0...  30417  vllm_router-0.1.11-cp38-abi3-manylinux_2_28_x86_64.whl\n"
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle_read import directory_manifest as _directory_manifest

FILTER_NAME = 'ascend_ops.vllm.directory_manifest'


def directory_manifest(path):
    """The manifest of the directory at path."""
    try:
        return _directory_manifest(str(path))
    except OSError as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Directory manifest filter."""

    def filters(self):
        return {'directory_manifest': directory_manifest}
