# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The teardown's checks (topic remove), and its booleans through the types topic, on the roles' real argument specs."""

from __future__ import annotations

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate, _validate_remove  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, validate
from ansible_collections.ascend_ops.vllm.tests.unit.role_specs import role_argument_specs


SPECS = role_argument_specs()
A2 = {'ascend_model': 'qwen3.6-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_image_registry': 'quay.io',
      'ascend_weights_dir': '/data/models', 'ascend_node_type': 'atlas_800_a2'}
GROUPS = {'all': ['a2-0', 'a2-1', 'rt-0'], 'atlas_800_a2': ['a2-0', 'a2-1'], 'vllm_router': ['rt-0']}


def _inventory(first=None, second=None, router=None, sources=None):
    return Inventory({'a2-0': dict(A2, **(first or {})), 'a2-1': dict(A2, **(second or {})), 'rt-0': dict(router or {})},
                     groups=GROUPS, specs=SPECS, sources=sources)


def _lines(problems):
    return [_validate.problem_line(found) for found in problems]


def test_the_checks_are_registered_under_their_topic():
    assert 'remove' in _validate.topics()


def test_the_known_names_come_from_the_roles_options():
    assert _validate_remove.known_variables(_inventory()) == ['ascend_remove_images', 'ascend_remove_weights']


def test_an_inventory_that_asks_for_nothing_or_everything_passes():
    assert validate(_inventory(), ['remove', 'types']) == []
    everything = {'ascend_remove_images': True, 'ascend_remove_weights': 'yes'}
    assert validate(_inventory(everything, everything, everything), ['remove', 'types']) == []


def test_a_misspelt_name_is_refused_with_the_name_it_meant():
    problems = validate(_inventory(router={'ascend_remove_image': True},
                                   sources={'rt-0': {'ascend_remove_image': 'inventories/site/host_vars/rt-0.yml:1'}}), ['remove'])
    assert len(problems) == 1
    line = _lines(problems)[0]
    assert line.startswith('rt-0: ascend_remove_image: is no setting of playbooks/remove.yml')
    assert 'accepted: ascend_remove_images' in line
    assert 'inventories/site/host_vars/rt-0.yml:1' in line


def test_a_name_far_from_any_is_refused_with_every_known_one():
    line = _lines(validate(_inventory({'ascend_remove_everything': True}), ['remove']))[0]
    assert 'accepted: ascend_remove_images or ascend_remove_weights' in line


def test_a_boolean_that_is_none_is_refused_by_the_types_topic():
    problems = validate(_inventory({'ascend_remove_weights': 'perhaps'}, router={'ascend_remove_images': 'sure'}), ['types'])
    lines = _lines(problems)
    assert len(lines) == 2
    assert any(line.startswith("a2-0: ascend_remove_weights: 'perhaps' is not a boolean") for line in lines)
    assert any(line.startswith("rt-0: ascend_remove_images: 'sure' is not a boolean") for line in lines)
    # and the remove topic says nothing more about them
    assert validate(_inventory({'ascend_remove_weights': 'perhaps'}), ['remove']) == []


def test_the_roles_own_booleans_are_typed_too():
    lines = _lines(validate(_inventory({'model_weights_remove_weights': 'maybe', 'vllm_image_remove_images': 2}), ['types']))
    assert len(lines) == 2
    assert any('model_weights_remove_weights' in line for line in lines)
    assert any('vllm_image_remove_images' in line for line in lines)


SHARED = {'ascend_weights_storage': 'shared'}


def test_nodes_that_share_the_weights_must_agree_on_removing_them():
    problems = validate(_inventory(dict(SHARED, ascend_remove_weights=True), dict(SHARED)), ['remove'])
    lines = _lines(problems)
    assert len(lines) == 1
    assert lines[0].startswith('a2-0: ascend_remove_weights: is true, but a2-1 keep the weights of shared storage /data/models')
    assert 'the same value on every node that shares the path' in lines[0]


def test_the_role_variable_is_named_when_that_is_what_is_set():
    lines = _lines(validate(_inventory(dict(SHARED, model_weights_remove_weights='true'), dict(SHARED)), ['remove']))
    assert len(lines) == 1 and lines[0].startswith('a2-0: model_weights_remove_weights: is true, but a2-1 keep')


def test_agreeing_sharers_and_local_caches_pass():
    assert validate(_inventory(dict(SHARED, ascend_remove_weights=True), dict(SHARED, ascend_remove_weights='on')), ['remove']) == []
    # A local cache is each node's own: one may remove its copy while the other keeps its own.
    assert validate(_inventory({'ascend_remove_weights': True}, {}), ['remove']) == []


def test_nodes_on_other_paths_or_models_share_nothing():
    assert validate(_inventory(dict(SHARED, ascend_remove_weights=True), dict(SHARED, ascend_weights_dir='/other')), ['remove']) == []
    assert validate(_inventory(dict(SHARED, ascend_remove_weights=True), dict(SHARED, ascend_model='qwen3.5-27b-w8a8')),
                    ['remove']) == []


def test_only_the_hosts_of_the_run_count():
    inventory = Inventory({'a2-0': dict(A2, ascend_remove_weights=True, **SHARED), 'a2-1': dict(A2, **SHARED)},
                          groups=GROUPS, specs=SPECS, play_hosts=['a2-0'])
    assert validate(inventory, ['remove']) == []
