# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter.davinci_devices import FilterModule

davinci_devices = FilterModule().filters()['davinci_devices']


def test_the_filter_is_registered_under_its_name():
    assert list(FilterModule().filters()) == ['davinci_devices']


def test_ids_and_counts():
    assert davinci_devices([0, 1]) == ['/dev/davinci0', '/dev/davinci1']
    assert davinci_devices(16, node_type='atlas_800_a3')[-1] == '/dev/davinci15'


def test_a_node_type_from_the_catalog_extras_sets_the_limit():
    catalog = {'node_types': {'quad': {'npus': 4, 'hbm_gib': 64}}}
    assert davinci_devices([3], node_type='quad', catalog=catalog) == ['/dev/davinci3']
    with pytest.raises(AnsibleFilterError, match='ids 0-3'):
        davinci_devices([4], node_type='quad', catalog=catalog)


@pytest.mark.parametrize('value, kwargs, fragment', [
    ([0, 8], {'node_type': 'atlas_800_a2'}, '_input: NPU id 8 does not exist'),
    ([0, 0], {}, 'listed twice'),
    ([0], {'node_type': 'atlas_900'}, 'node_type: unknown node type'),
    (17, {'node_type': 'atlas_800_a3'}, 'more than the node has (16)'),
])
def test_errors_name_the_filter(value, kwargs, fragment):
    with pytest.raises(AnsibleFilterError) as caught:
        davinci_devices(value, **kwargs)
    assert str(caught.value).startswith('ascend_ops.vllm.davinci_devices: ')
    assert fragment in str(caught.value)
