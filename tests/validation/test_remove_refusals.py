# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/remove.yml validates the inventory first, as every playbook: its own settings (ascend_remove_images,
ascend_remove_weights) are refused, before any host is contacted, when they are no booleans, misspelt, or disagree
between the nodes that share one copy of the weights."""

from __future__ import annotations

from conftest import first_line_names


def test_a_good_inventory_gets_past_validation_and_fails_at_the_first_host(site):
    run = site.run('remove.yml', '-e', 'ascend_remove_images=true')
    run.assert_past_validation_then_unreachable()
    assert sorted(run.unreachable) == ['npu-a2-01', 'npu-a2-02', 'npu-a3-01']


def test_a_removal_setting_that_is_no_boolean_is_refused(site):
    site.set_group('atlas_800_a2', ascend_remove_weights='perhaps')
    run = site.run('remove.yml')
    run.assert_refused_before_any_host()
    first_line_names(run, 'group atlas_800_a2 (npu-a2-01, npu-a2-02)', 'ascend_remove_weights', 'true or false', "'perhaps' is not a boolean")


def test_a_misspelt_removal_setting_is_refused_with_the_name_it_meant(site):
    site.set_host('npu-a2-02', ascend_remove_image=True)
    run = site.run('remove.yml')
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a2-02', 'ascend_remove_image', 'ascend_remove_images', 'is no setting of playbooks/remove.yml')


def test_nodes_sharing_the_weights_that_disagree_on_removing_them_are_refused(site):
    site.set_group('atlas_800_a2', ascend_weights_storage='shared')
    site.set_host('npu-a2-01', ascend_remove_weights=True)
    run = site.run('remove.yml')
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a2-01', 'ascend_remove_weights', 'the same value on every node that shares the path',
                     'but npu-a2-02 keep the weights of shared storage')
