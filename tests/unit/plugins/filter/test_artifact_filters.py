# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The artifact filters: registered under their names, wrapping _artifacts, refusing with the filter's name."""

from __future__ import annotations

import importlib

import pytest

from ansible.errors import AnsibleFilterError

NAMES = ['cached_image', 'image_pull_waves', 'weights_peer_plan']


def artifact_filter(name):
    module = importlib.import_module('ansible_collections.ascend_ops.vllm.plugins.filter.%s' % name)
    return module.FilterModule().filters()[name]


@pytest.mark.parametrize('name', NAMES)
def test_each_filter_is_registered_under_its_file_name(name):
    assert callable(artifact_filter(name))


def test_cached_image_gives_the_cache_reference():
    assert artifact_filter('cached_image')('quay.io/ascend/vllm-ascend:v1', cache='c:5000')['pull'] == 'c:5000/ascend/vllm-ascend:v1'


def test_image_pull_waves_and_weights_peer_plan_answer_for_every_node():
    waves = artifact_filter('image_pull_waves')([{'host': 'a', 'image': 'x:1'}, {'host': 'b', 'image': 'x:1'}])
    assert waves['hosts'] == {'a': 0, 'b': 1}
    plan = artifact_filter('weights_peer_plan')([{'host': 'a', 'storage': 'local', 'source': 'modelscope', 'repository': 'r'},
                                                 {'host': 'b', 'storage': 'local', 'source': 'modelscope', 'repository': 'r'}])
    assert plan['b']['copy'] and plan['b']['source'] == 'a'


@pytest.mark.parametrize('name, args, keywords', [
    ('cached_image', ('quay.io/a:1',), {'cache': 'http://c:5000'}),
    ('image_pull_waves', ('not a list',), {}),
    ('image_pull_waves', ([{'host': 'a', 'image': ''}],), {}),
    ('weights_peer_plan', ([{'host': 'a'}, {'host': 'a'}],), {}),
    ('weights_peer_plan', ([1],), {}),
])
def test_a_bad_input_is_refused_naming_the_filter(name, args, keywords):
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.%s: ' % name):
        artifact_filter(name)(*args, **keywords)
