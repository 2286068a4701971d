# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: driver_firmware_problems
short_description: Why an Ascend driver and firmware pair does not work together, from their version.info
author: ascend_ops.vllm contributors
description:
  - Judges the driver and firmware a node will run after an install against the ranges their C(version.info) states -
    the driver's C(compatible_version_fw) (the firmware it works with) and the firmware's C(compatible_version_drv) (the
    drivers it works with).
  - A component about to be installed is judged by its package (what M(ascend_ops.vllm.run_package_info) read on the
    node); a component that stays is judged by its installed C(version.info) (O(installed)). A package not on the node
    yet (check mode) is unknown; the driver releases the collection knows (25.0.rc1.1 works with firmware
    [7.0.0, 7.7.99]) are judged without it.
  - Returns one message per range broken, each starting with the host, the variable to change, both versions, the range
    and where it was read, and an accepted value; an empty list when the pair works together or nothing states a range.
options:
  _input:
    description:
      - The packages about to be installed, component (C(driver), C(firmware)) to the result of
        M(ascend_ops.vllm.run_package_info) for it (C(path), C(exists), C(version_info)).
    type: dict
    required: true
  host:
    description: The host, named first in every message.
    type: str
    required: true
  driver_version:
    description: The driver the node will run (C(npu_driver_version)).
    type: str
    required: true
  firmware_version:
    description: The firmware the node will run (C(npu_driver_firmware_version)); empty when the firmware is not managed.
    type: str
    required: true
  installed:
    description: Component to the text of its installed C(version.info) (C(/usr/local/Ascend/driver/version.info) ...).
    type: dict
    default: {}
seealso:
  - module: ascend_ops.vllm.run_package_info
"""

EXAMPLES = r"""
- name: Refuse a firmware the staged driver does not work with
  ansible.builtin.assert:
    that: __mismatch | length == 0
    fail_msg: "npu_driver: {{ __mismatch | join('; ') }}"
  vars:
    __mismatch: >-
      {{ {'driver': __driver_package, 'firmware': __firmware_package}
         | ascend_ops.vllm.driver_firmware_problems(host=inventory_hostname, driver_version=npu_driver_version,
                                                    firmware_version=npu_driver_firmware_version) }}
"""

RETURN = r"""
_value:
  description: One message per range the pair breaks; empty when it works together.
  type: list
  elements: str
  sample:
    - "np-a2: npu_driver_version: driver 25.0.rc1.1 is outside [24.1, 24.1.], the drivers firmware 7.5.0.5.220 works with
      (compatible_version_drv of /var/cache/ascend_ops/npu_driver/Ascend-hdk-910b-npu-firmware_7.5.0.5.220.run);
      accepted: a driver version within [24.1, 24.1.], or an npu_driver_firmware_version whose compatible_version_drv
      includes 25.0.rc1.1"
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._run_package import pair_problems

FILTER_NAME = 'ascend_ops.vllm.driver_firmware_problems'


def driver_firmware_problems(packages, host, driver_version, firmware_version, installed=None):
    """Messages for each range the driver and firmware pair breaks."""
    if not isinstance(packages, Mapping) or [name for name in packages if name not in ('driver', 'firmware')]:
        raise AnsibleFilterError('%s: the input must map driver and firmware to run_package_info results, got %r'
                                 % (FILTER_NAME, packages))
    if installed is not None and not isinstance(installed, Mapping):
        raise AnsibleFilterError('%s: installed must map driver and firmware to version.info text, got %r' % (FILTER_NAME, installed))
    return pair_problems(str(host), str(driver_version or ''), str(firmware_version or ''), packages, installed or {})


class FilterModule(object):
    """Driver and firmware compatibility filter."""

    def filters(self):
        return {'driver_firmware_problems': driver_firmware_problems}
