# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's inventory checks (topic bench), registered with _validate's registry, on the roles' real argument specs."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate, _validate_bench
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, validate
from ansible_collections.ascend_ops.vllm.tests.unit.role_specs import role_argument_specs


SPECS = role_argument_specs()
A2 = {'ascend_model': 'qwen3.6-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_image_registry': 'quay.io',
      'ascend_weights_dir': '/data/models', 'ascend_node_type': 'atlas_800_a2'}
GROUPS = {'all': ['a2-0', 'a2-1'], 'atlas_800_a2': ['a2-0', 'a2-1']}


def _inventory(variables):
    return Inventory({'a2-0': dict(A2, **variables), 'a2-1': dict(A2)}, groups=GROUPS, specs=SPECS)


def _bench(variables):
    return validate(_inventory(variables), ['bench'])


def test_the_bench_checks_are_registered_under_their_topic():
    assert 'bench' in _validate.topics()
    registered = [function for topic, function in _validate.CHECKS if topic == 'bench']
    assert registered == [_validate_bench.check_bench_settings, _validate_bench.check_bench_targets]


def test_the_defaults_and_a_complete_setting_pass():
    assert _bench({}) == []
    assert _bench({'vllm_bench_num_prompts': 20, 'vllm_bench_request_rate': 'inf', 'vllm_bench_max_concurrency': 4,
                   'vllm_bench_goodput': 'ttft:2000 tpot:50', 'vllm_bench_slow_fraction': 1,
                   'vllm_bench_targets': ['replicas'], 'vllm_bench_tokenizer': '/srv/tok',
                   'vllm_bench_cluster_url': 'http://router.example.internal:8080', 'vllm_bench_client_host': 'a2-1'}) == []


@pytest.mark.parametrize('variable, value, what', [
    ('vllm_bench_request_rate', 0, 'not a positive number of requests per second or inf'),
    ('vllm_bench_num_prompts', 0, 'not an integer of 1 or more'),
    ('vllm_bench_range_ratio', 1.5, 'not a number in [0, 1)'),
    ('vllm_bench_goodput', {'ttft': 2000, 'itl': 20}, "'itl' is no goodput metric"),
    ('vllm_bench_goodput', 'ttft=2000', 'not a metric:milliseconds word'),
    ('vllm_bench_metric_percentiles', [99, 100], 'not a list of percentiles in (0, 100)'),
    ('vllm_bench_extra_options', {'model': 'x'}, 'sets model, which the role sets for every target'),
    ('vllm_bench_work_dir', 'tmp/bench', 'is not an absolute path'),
    ('vllm_bench_targets', ['cluster', 'replica'], "'replica' is no target (one replica at a time is vllm_bench_replicas_together: false)"),
    ('vllm_bench_targets', [], 'is empty'),
    ('vllm_bench_slow_fraction', 0, 'is not in (0, 1]'),
    ('vllm_bench_slow_fraction', 1.2, 'is not in (0, 1]'),
    ('vllm_bench_timeout', 0, 'not a number of seconds of 1 or more'),
    ('vllm_bench_tokenizer', 'models/qwen', 'not an absolute path on the client'),
    ('vllm_bench_tokenizers', {'qwen3.6': 'tok'}, 'the directories of qwen3.6 are not absolute paths'),
    ('vllm_bench_cluster_url', 'router:8080', 'not an http(s)://host:port URL'),
    ('vllm_bench_client_host', 'bench-box', 'is no host of the inventory'),
])
def test_each_wrong_knob_is_refused_naming_host_and_variable(variable, value, what):
    found = _bench({variable: value})
    assert len(found) == 1, found
    assert (found[0]['host'], found[0]['variable']) == ('a2-0', variable)
    assert what in found[0]['problem']
    assert found[0]['accepted']


def test_a_knob_of_the_wrong_type_is_the_types_checks_to_refuse():
    found = validate(_inventory({'vllm_bench_replicas_together': 'sometimes', 'vllm_bench_num_prompts': 'many'}), ['types'])
    assert sorted(problem['variable'] for problem in found) == ['vllm_bench_num_prompts', 'vllm_bench_replicas_together']
