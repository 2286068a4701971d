# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._devices import DeviceListError, davinci_devices, npu_ids


def test_ids_become_device_paths_in_input_order():
    assert davinci_devices([0, 1]) == ['/dev/davinci0', '/dev/davinci1']
    assert davinci_devices([5, 4]) == ['/dev/davinci5', '/dev/davinci4']
    assert davinci_devices([15]) == ['/dev/davinci15']


def test_a_count_means_ids_from_zero():
    assert davinci_devices(3) == ['/dev/davinci0', '/dev/davinci1', '/dev/davinci2']
    assert davinci_devices(0) == []
    assert davinci_devices(16, limit=16)[-1] == '/dev/davinci15'


def test_digit_strings_are_ids():
    assert davinci_devices(['2', ' 3']) == ['/dev/davinci2', '/dev/davinci3']
    assert npu_ids(('7',), limit=8) == [7]


@pytest.mark.parametrize('value, message', [
    ([0, 0], 'listed twice'),
    ([0, -1], 'integers >= 0'),
    ([True], 'boolean'),
    (['a'], 'integers >= 0'),
    ([1.5], 'integers >= 0'),
    ('0,1', 'expected a list'),
    ({'0': 1}, 'expected a list'),
    (-2, 'count must be >= 0'),
    (None, 'expected a list'),
])
def test_bad_input_is_refused(value, message):
    with pytest.raises(DeviceListError, match=message) as caught:
        davinci_devices(value)
    assert caught.value.setting == '_input'


def test_the_limit_is_the_node_npu_count():
    assert davinci_devices([7], limit=8) == ['/dev/davinci7']
    with pytest.raises(DeviceListError, match='NPU id 8 does not exist; this node type has ids 0-7'):
        davinci_devices([8], limit=8)
    with pytest.raises(DeviceListError, match='more than the node has'):
        davinci_devices(9, limit=8)


def test_npu_ids_name_the_setting():
    with pytest.raises(DeviceListError) as caught:
        npu_ids([1, 1], 'exclude_npus')
    assert caught.value.setting == 'exclude_npus'
