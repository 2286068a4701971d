# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The image cache and the weights' peer copy (topic artifacts) through playbooks/deploy.yml itself: a cache host
only caches, and a cache the nodes could not use is refused before any host is contacted."""

from __future__ import annotations

from conftest import first_line_names

ALL_HOSTS = 'npu-a2-01, npu-a2-02, npu-a3-01'


def _with_cache(site, **cluster):
    site.add_group('artifact_cache', ['cache-01'])
    site.set_group('all', **cluster)
    return site


def test_a_cluster_with_an_image_cache_gets_past_validation_and_a_cache_out_of_reach_stops_the_run_before_the_nodes(site):
    run = _with_cache(site, ascend_image_cache='cache-01:5000', model_weights_peer_copy=True).run('deploy.yml')
    run.assert_past_validation_then_unreachable()
    # The cache host is planned as no serving node; its play comes first, and with the cache out of reach
    # (every host of that play lost) Ansible ends the run before any node is touched.
    assert '(item=npu-a2-01)' in run.output and '(item=cache-01)' not in run.output, run.output[-3000:]
    assert 'ascend_ops.vllm.artifact_cache : Check the settings' in run.tasks, run.tasks
    assert run.unreachable == ['cache-01']
    assert not any(task.startswith('ascend_ops.vllm.npu_driver') for task in run.tasks), run.tasks


def test_without_a_cache_group_the_cache_play_matches_no_host(site):
    run = site.run('deploy.yml', '-e', 'model_weights_peer_copy=true')
    run.assert_past_validation_then_unreachable()
    assert not any(task.startswith('ascend_ops.vllm.artifact_cache') for task in run.tasks), run.tasks
    assert sorted(run.unreachable) == ['npu-a2-01', 'npu-a2-02', 'npu-a3-01']


def test_a_cache_on_another_port_than_it_listens_on_is_refused_before_any_host(site):
    run = _with_cache(site, ascend_image_cache='cache-01:5001').run('deploy.yml')
    run.assert_refused_before_any_host()
    first_line_names(run, ALL_HOSTS, 'ascend_image_cache', 'ascend_image_cache: cache-01:5000',
                     'the cache on cache-01 listens on 5000')


def test_a_cache_group_no_node_pulls_through_is_refused_before_any_host(site):
    run = _with_cache(site).run('deploy.yml')
    run.assert_refused_before_any_host()
    first_line_names(run, 'group artifact_cache', 'ascend_image_cache', 'ascend_image_cache: cache-01:5000', 'no node pulls through it')
