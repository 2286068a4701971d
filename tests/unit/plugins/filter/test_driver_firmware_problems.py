# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter.driver_firmware_problems import FilterModule

driver_firmware_problems = FilterModule().filters()['driver_firmware_problems']

FIRMWARE = {'path': '/var/cache/ascend_ops/npu_driver/Ascend-hdk-910b-npu-firmware_7.5.0.5.220.run', 'exists': True,
            'version_info': {'Version': '7.5.0.5.220', 'compatible_version_drv': '[24.1,24.1.]'}, 'version': '7.5.0.5.220',
            'changed': False, 'item': {'component': 'firmware'}}


def test_the_filter_is_registered_under_its_name():
    assert list(FilterModule().filters()) == ['driver_firmware_problems']


def test_the_module_result_of_a_staged_firmware_refuses_the_driver():
    found = driver_firmware_problems({'firmware': FIRMWARE}, host='np-a2', driver_version='25.0.rc1.1',
                                     firmware_version='7.5.0.5.220', installed={'driver': 'Version=25.0.rc1.1\n'})
    assert len(found) == 1 and found[0].startswith('np-a2: npu_driver_version: driver 25.0.rc1.1 is outside [24.1, 24.1.]')


def test_no_packages_and_nothing_installed_is_no_problem():
    assert driver_firmware_problems({}, host='a2-0', driver_version='25.0.rc1.1', firmware_version='7.7.0.1.231') == []


@pytest.mark.parametrize('packages, installed', [([FIRMWARE], None), ({'toolkit': FIRMWARE}, None), ({}, ['Version=1'])])
def test_input_of_the_wrong_shape_is_refused_naming_the_filter(packages, installed):
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.driver_firmware_problems: '):
        driver_firmware_problems(packages, host='a2-0', driver_version='25.0.rc1.1', firmware_version='7.7.0.1.231',
                                 installed=installed)
