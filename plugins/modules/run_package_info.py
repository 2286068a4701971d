#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: run_package_info
short_description: Read the version.info inside a Huawei driver or firmware .run package on the node
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Reads, without running or unpacking it, the C(version.info) a Huawei Ascend driver or firmware C(.run) package (a
    makeself archive) carries, such as C(Version=25.0.rc1.1) and C(compatible_version_fw=[7.0.0,7.7.99]) for a driver
    or C(compatible_version_drv=[25.0,25.0.]) for a firmware.
  - The package is read where it is, on the node, so a package the node downloaded itself can be judged before it is
    installed. The P(ascend_ops.vllm.driver_firmware_problems#filter) filter judges the pair.
  - The C(version.info) at the top of the archive, or in a directory at the top (C(driver/version.info)), is the one
    read; the archive is read up to it. A package that has none gives an empty RV(version_info).
  - A path that does not exist is no error (RV(exists=false)), so check mode works before the package is staged.
options:
  path:
    description: The C(.run) package.
    type: path
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads; it does the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
  idempotent:
    description: Running the module twice in a row gives the same result and changes nothing.
    support: full
notes:
  - Fails on a file whose header is not a makeself header, or whose archive cannot be read up to its C(version.info)
    (a truncated download); the package's own C(--check) says more about a damaged one.
seealso:
  - plugin: ascend_ops.vllm.driver_firmware_problems
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read what the staged driver package works with
  ascend_ops.vllm.run_package_info:
    path: /var/cache/ascend_ops/npu_driver/Ascend-hdk-910b-npu-driver_25.0.rc1.1_linux-aarch64.run
  register: __driver_package

- name: Show its firmware range
  ansible.builtin.debug:
    msg: "{{ __driver_package.version_info.compatible_version_fw | default('not stated') }}"
"""

RETURN = r"""
path:
  description: The package read.
  returned: always
  type: str
  sample: /var/cache/ascend_ops/npu_driver/Ascend-hdk-910b-npu-driver_25.0.rc1.1_linux-aarch64.run
exists:
  description: Whether O(path) is a file.
  returned: always
  type: bool
  sample: true
version_info:
  description: The C(key=value) lines of the package's C(version.info); empty when the file or its C(version.info) is missing.
  returned: always
  type: dict
  sample: {"Version": "25.0.rc1.1", "compatible_version_fw": "[7.0.0,7.7.99]", "package_version": "25.0.rc1.1"}
version:
  description: The C(Version) of RV(version_info), empty when it states none.
  returned: always
  type: str
  sample: 25.0.rc1.1
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ascend_ops.vllm.plugins.module_utils._run_package import RunPackageError, read_version_info


def package_info(path: str) -> dict:
    """The module's result for the package at ``path``; raises RunPackageError or OSError on what it cannot read."""
    result = {'changed': False, 'path': path, 'exists': os.path.isfile(path), 'version_info': {}, 'version': ''}
    if result['exists']:
        with open(path, 'rb') as package:
            info = read_version_info(package) or {}
        result.update(version_info=info, version=info.get('Version', ''))
    return result


def main() -> None:
    module = AnsibleModule(argument_spec=dict(path=dict(type='path', required=True)), supports_check_mode=True)
    path = module.params['path']
    try:
        module.exit_json(**package_info(path))
    except RunPackageError as error:
        module.fail_json(msg='run_package_info: %s: %s' % (path, error))
    except (IOError, OSError) as error:
        module.fail_json(msg='run_package_info: cannot read %s: %s' % (path, error))


if __name__ == '__main__':
    main()
