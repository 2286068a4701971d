# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each byte from outside once: the cache's image names, the pull waves, the weights' peer copy plan."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._artifacts import (
    ArtifactError,
    cached_image,
    check_cache,
    image_pull_waves,
    split_image,
    weights_peer_key,
    weights_peer_plan,
)

A2 = 'quay.io/ascend/vllm-ascend:v0.18.0rc1'
A3 = 'quay.io/ascend/vllm-ascend:v0.18.0rc1-a3'


# ---------------------------------------------------------------- image references

@pytest.mark.parametrize('image, registry, path, tag', [
    (A2, 'quay.io', 'ascend/vllm-ascend', 'v0.18.0rc1'),
    ('m.daocloud.io/quay.io/ascend/vllm-ascend:v0.18.0rc1-a3', 'm.daocloud.io', 'quay.io/ascend/vllm-ascend', 'v0.18.0rc1-a3'),
    ('registry.site:5000/ascend/vllm-ascend', 'registry.site:5000', 'ascend/vllm-ascend', 'latest'),
    ('localhost/x:1', 'localhost', 'x', '1'),
    ('ascend/vllm-ascend:v1', '', 'ascend/vllm-ascend', 'v1'),
])
def test_split_image_finds_the_registry_as_docker_does(image, registry, path, tag):
    assert split_image(image) == {'registry': registry, 'path': path, 'tag': tag}


@pytest.mark.parametrize('image', ['', 'quay.io/a/b@sha256:00', 'a b', None])
def test_split_image_refuses_what_is_no_tagged_reference(image):
    with pytest.raises(ArtifactError):
        split_image(image)


def test_through_the_cache_the_path_and_tag_stay_and_the_pulled_image_is_tagged_back():
    plan = cached_image(A3, 'cache-01:5000')
    assert plan['pull'] == 'cache-01:5000/ascend/vllm-ascend:v0.18.0rc1-a3'
    assert (plan['pull_name'], plan['pull_tag']) == ('cache-01:5000/ascend/vllm-ascend', 'v0.18.0rc1-a3')
    assert plan['retag'] is True and plan['image'] == A3 and plan['upstream'] == 'quay.io'


def test_a_mirror_given_as_a_path_prefix_keeps_its_prefix_behind_the_cache():
    plan = cached_image('m.daocloud.io/quay.io/ascend/vllm-ascend:v0.18.0rc1', 'cache-01:5000')
    assert plan['pull'] == 'cache-01:5000/quay.io/ascend/vllm-ascend:v0.18.0rc1'
    assert plan['upstream'] == 'm.daocloud.io'


@pytest.mark.parametrize('cache', ['', None])
def test_without_a_cache_the_image_is_pulled_as_it_is(cache):
    plan = cached_image(A2, cache)
    assert (plan['pull_name'], plan['pull_tag'], plan['pull'], plan['retag']) == ('quay.io/ascend/vllm-ascend', 'v0.18.0rc1', A2, False)
    assert cached_image('ascend/x:1', '')['pull_name'] == 'ascend/x'


@pytest.mark.parametrize('cache', ['http://cache:5000', 'cache:5000/path', 'cache:99999', 'cache:', ' ', 5000])
def test_a_cache_that_is_no_host_port_is_refused(cache):
    with pytest.raises(ArtifactError):
        check_cache(cache)


# ---------------------------------------------------------------- pull waves

def _node(host, image=A2, present=False):
    return {'host': host, 'image': image, 'present': present}


def test_one_node_warms_the_cache_then_the_others_pull_together():
    plan = image_pull_waves([_node('n1'), _node('n2'), _node('n3')])
    assert plan == {'waves': 2, 'hosts': {'n1': 0, 'n2': 1, 'n3': 1}, 'warmers': {A2: 'n1'}}


def test_each_image_is_warmed_alone_one_after_the_other_before_the_fan_out():
    plan = image_pull_waves([_node('a2-1'), _node('a3-1', A3), _node('a2-2'), _node('a3-2', A3)])
    assert plan['hosts'] == {'a2-1': 0, 'a3-1': 1, 'a2-2': 2, 'a3-2': 2}
    assert plan['waves'] == 3 and plan['warmers'] == {A2: 'a2-1', A3: 'a3-1'}


def test_a_node_with_its_image_pulls_nothing_and_does_not_warm():
    plan = image_pull_waves([_node('n1', present=True), _node('n2'), _node('n3')])
    assert plan['hosts'] == {'n1': -1, 'n2': 0, 'n3': 1} and plan['warmers'] == {A2: 'n2'}


def test_a_lone_cold_node_is_one_wave_and_a_cluster_with_every_image_none():
    assert image_pull_waves([_node('n1', present=True), _node('n2')])['waves'] == 1
    assert image_pull_waves([_node('n1', present=True), _node('n2', present=True)]) == {
        'waves': 0, 'hosts': {'n1': -1, 'n2': -1}, 'warmers': {}}


@pytest.mark.parametrize('nodes', [[_node('n1'), _node('n1')], [{'image': A2}], [{'host': 'n1', 'image': ''}]])
def test_pull_waves_refuse_nodes_they_cannot_place(nodes):
    with pytest.raises(ArtifactError):
        image_pull_waves(nodes)


# ---------------------------------------------------------------- weights copied between nodes

def _weights(host, complete=False, address=None, **changes):
    node = {'host': host, 'storage': 'local', 'source': 'modelscope', 'endpoint': '', 'repository': 'Eco-Tech/Qwen3.6-27B-w8a8',
            'revision': 'master', 'complete': complete}
    if address:
        node['address'] = address
    node.update(changes)
    return node


def test_the_first_node_downloads_and_the_others_copy_from_it():
    plan = weights_peer_plan([_weights('n1', address='10.0.0.1'), _weights('n2'), _weights('n3')])
    assert plan['n1'] == {'source': 'n1', 'address': '10.0.0.1', 'copy': False, 'serves': ['n2', 'n3']}
    assert plan['n2'] == {'source': 'n1', 'address': '10.0.0.1', 'copy': True, 'serves': []}
    assert plan['n3']['copy'] is True and plan['n3']['source'] == 'n1'


def test_a_node_that_has_the_weights_is_the_source_of_a_node_added_later():
    plan = weights_peer_plan([_weights('new'), _weights('old', complete=True)])
    assert plan['new'] == {'source': 'old', 'address': 'old', 'copy': True, 'serves': []}
    assert plan['old']['serves'] == ['new'] and plan['old']['copy'] is False


def test_complete_nodes_copy_nothing_and_the_source_then_serves_nobody():
    plan = weights_peer_plan([_weights('n1', complete=True), _weights('n2', complete=True)])
    assert [entry['copy'] for entry in plan.values()] == [False, False]
    assert plan['n1']['serves'] == []


def test_other_models_revisions_or_hubs_each_have_their_own_source():
    plan = weights_peer_plan([_weights('n1'), _weights('n2', repository='Eco-Tech/Qwen3.5-27B-w8a8'), _weights('n3', revision='v2'),
                              _weights('n4', source='huggingface'), _weights('n5', endpoint='https://hub.site'), _weights('n6')])
    assert [plan[host]['source'] for host in ('n1', 'n2', 'n3', 'n4', 'n5', 'n6')] == ['n1', 'n2', 'n3', 'n4', 'n5', 'n1']
    assert plan['n1']['serves'] == ['n6']


def test_shared_storage_and_local_sources_stage_on_their_own():
    plan = weights_peer_plan([_weights('n1', storage='shared'), _weights('n2', storage='shared'), _weights('n3', source='path'),
                              _weights('n4', source='archive'), _weights('n5', storage='nfs')])
    assert all(entry['source'] == host and not entry['copy'] and entry['serves'] == [] for host, entry in plan.items())


def test_the_key_names_what_must_be_the_same_to_copy():
    assert weights_peer_key('r', 'master', 'modelscope', '', 'local') == 'modelscope:@r@master'
    assert weights_peer_key('r', 'master', 'modelscope', '', 'shared') == ''
    assert weights_peer_key('r', 'master', 'path', '', 'local') == ''
    assert weights_peer_key('', 'master', 'modelscope', '', 'local') == ''


def test_the_peer_plan_refuses_a_node_twice_or_without_a_name():
    with pytest.raises(ArtifactError):
        weights_peer_plan([_weights('n1'), _weights('n1')])
    with pytest.raises(ArtifactError):
        weights_peer_plan([{'storage': 'local'}])
