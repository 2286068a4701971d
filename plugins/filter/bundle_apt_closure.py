# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bundle_apt_closure
short_description: The packages apt-get download must fetch, from apt-cache depends --recurse
author: ascend_ops.vllm contributors
description:
  - Reads the output of C(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces
    --no-enhances PACKAGE...) and returns the real packages it names (each once, in its order), leaving out virtual
    packages (C(<name>)) and packages of other architectures (C(name:arch)) than O(arch).
options:
  _input:
    description: The command's standard output.
    type: str
    required: true
  arch:
    description: The dpkg architecture (C(arm64), C(amd64)) whose qualified packages are kept.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Download the packages and everything they depend on
  ansible.builtin.command:
    argv: "{{ ['apt-get', 'download'] + depends.stdout | ascend_ops.vllm.bundle_apt_closure('arm64') }}"
    chdir: /srv/bundle/debs
"""

RETURN = r"""
_value:
  description: The package names.
  type: list
  elements: str
  sample: [haproxy, dpkg, libc6, liblua5.3-0]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle import apt_closure

FILTER_NAME = 'ascend_ops.vllm.bundle_apt_closure'


def bundle_apt_closure(text, arch=''):
    """The real packages of apt-cache depends --recurse output."""
    if not isinstance(text, str):
        raise AnsibleFilterError('%s: the input must be the text apt-cache depends printed, got %r' % (FILTER_NAME, text))
    return apt_closure(text, arch)


class FilterModule(object):
    """apt dependency closure filter."""

    def filters(self):
        return {'bundle_apt_closure': bundle_apt_closure}
