# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The accuracy run's inventory checks (topic accuracy), registered with _validate's registry, on the roles' real argument specs."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate, _validate_accuracy
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, validate
from ansible_collections.ascend_ops.vllm.tests.unit.role_specs import role_argument_specs


SPECS = role_argument_specs()
A2 = {'ascend_model': 'qwen3.5-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_image_registry': 'quay.io',
      'ascend_weights_dir': '/data/models', 'ascend_node_type': 'atlas_800_a2'}
GROUPS = {'all': ['a2-0', 'a2-1'], 'atlas_800_a2': ['a2-0', 'a2-1']}


def _inventory(variables):
    return Inventory({'a2-0': dict(A2, **variables), 'a2-1': dict(A2)}, groups=GROUPS, specs=SPECS)


def _accuracy(variables):
    return validate(_inventory(variables), ['accuracy'])


def test_the_accuracy_checks_are_registered_under_their_topic():
    registered = [function for topic, function in _validate.CHECKS if topic == 'accuracy']
    assert registered == [_validate_accuracy.check_accuracy_settings, _validate_accuracy.check_accuracy_run]


def test_the_defaults_and_a_complete_setting_pass():
    assert _accuracy({}) == []
    assert _accuracy({'vllm_accuracy_threshold': 96.74, 'vllm_accuracy_url': 'http://router.example.internal:8080',
                      'vllm_accuracy_dataset_dirs': {'gsm8k': '/data/datasets/gsm8k'}, 'vllm_accuracy_batch_size': 64,
                      'vllm_accuracy_generation_kwargs': {'temperature': 0, 'top_p': 1, 'seed': 1024},
                      'vllm_accuracy_datasets': ['gsm8k_gen_4_shot_cot_chat_prompt'], 'vllm_accuracy_num_prompts': 100,
                      'vllm_accuracy_client_host': 'a2-1', 'vllm_accuracy_tokenizer': '/data/models/Qwen3.5-27B-w8a8',
                      'vllm_accuracy_extra_args': ['--dump-eval-details']}) == []
    assert _accuracy({'vllm_accuracy_threshold': None}) == []


@pytest.mark.parametrize('variable, value, what', [
    ('vllm_accuracy_threshold', 101, 'is not a score in [0, 100]'),
    ('vllm_accuracy_threshold', -0.5, 'is not a score in [0, 100]'),
    ('vllm_accuracy_batch_size', 0, 'not a whole number of 1 or more'),
    ('vllm_accuracy_max_out_len', -1, 'not a whole number of 1 or more'),
    ('vllm_accuracy_num_prompts', 0, 'not a whole number of 1 or more'),
    ('vllm_accuracy_generation_kwargs', {'top-k': 5}, 'has keys that are no request field names: top-k'),
    ('vllm_accuracy_datasets', [], 'is not a non-empty list'),
    ('vllm_accuracy_datasets', ['gsm8k; rm'], 'no AISBench config names'),
    ('vllm_accuracy_extra_args', ['--work-dir', '/tmp'], 'gives --work-dir, which the role sets itself'),
    ('vllm_accuracy_work_dir', 'accuracy', 'is not an absolute path'),
    ('vllm_accuracy_venv', 'venv', 'is not an absolute path'),
    ('vllm_accuracy_url', 'router:8080', 'not an http(s)://host:port URL'),
    ('vllm_accuracy_dataset_dirs', {'gsm8k': 'data/gsm8k'}, 'is not an absolute path on the client'),
    ('vllm_accuracy_client_host', 'eval-box', 'is no host of the inventory'),
    ('vllm_accuracy_timeout', 0, 'not a number of seconds of 1 or more'),
    ('vllm_accuracy_tokenizer', 'models/qwen', 'not an absolute path on the client'),
])
def test_each_wrong_setting_is_refused_naming_host_and_variable(variable, value, what):
    found = _accuracy({variable: value})
    assert len(found) == 1, found
    assert (found[0]['host'], found[0]['variable']) == ('a2-0', variable)
    assert what in found[0]['problem']
    assert found[0]['accepted']


def test_a_setting_of_the_wrong_type_or_choice_is_the_types_checks_to_refuse():
    found = validate(_inventory({'vllm_accuracy_target': 'replicas', 'vllm_accuracy_install': 'sometimes'}), ['types'])
    assert sorted(problem['variable'] for problem in found) == ['vllm_accuracy_install', 'vllm_accuracy_target']
