# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rolling change's inventory checks (topic rolling), on the roles' real argument specs."""

from __future__ import annotations

import pytest

# In the action plugin's order (bench, then rolling), so the topics register in the same order in any test run.
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate, _validate_bench  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_rolling
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, validate
from ansible_collections.ascend_ops.vllm.tests.unit.role_specs import role_argument_specs


SPECS = role_argument_specs()
A2 = {'ascend_model': 'qwen3.5-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_weights_dir': '/data/models',
      'ascend_node_type': 'atlas_800_a2'}
GROUPS = {'all': ['a2-0', 'a2-1'], 'atlas_800_a2': ['a2-0', 'a2-1']}


def _rolling(variables):
    return validate(Inventory({'a2-0': dict(A2, **variables), 'a2-1': dict(A2)}, groups=GROUPS, specs=SPECS), ['rolling'])


def test_the_rolling_check_is_registered_under_its_topic():
    assert [function for topic, function in _validate.CHECKS if topic == 'rolling'] == [_validate_rolling.check_rolling_settings]


def test_the_defaults_and_sensible_settings_pass():
    assert _rolling({}) == []
    assert _rolling({'vllm_serve_shutdown_timeout': 50, 'vllm_serve_stop_timeout': 60, 'vllm_serve_drain_timeout': 300,
                     'upgrade_serial': '2', 'upgrade_max_fail_percentage': 25}) == []


def test_a_shutdown_timeout_at_or_above_the_stop_timeout_is_refused():
    found = _rolling({'vllm_serve_stop_timeout': 20})
    assert [(p['host'], p['variable']) for p in found] == [('a2-0', 'vllm_serve_stop_timeout')]
    assert found[0]['problem'] == ('vllm_serve_shutdown_timeout 25 is not in [0, vllm_serve_stop_timeout 20): the engine would'
                                   ' kill a replica still finishing its requests')
    assert found[0]['accepted'] == 'vllm_serve_shutdown_timeout: 15 with vllm_serve_stop_timeout: 20'


@pytest.mark.parametrize('variable, value, what', [
    ('vllm_serve_drain_timeout', 0, '0 is not a number of seconds above 0'),
    ('vllm_serve_gate_timeout', -5, '-5 is not a number of seconds above 0'),
    ('upgrade_serial', 0, '0 is not a number of nodes of 1 or more'),
    ('upgrade_serial', 'all', "'all' is not a number of nodes of 1 or more"),
    ('upgrade_max_fail_percentage', 101, '101 is not a percentage from 0 to 100'),
])
def test_bounds_are_refused_naming_the_variable(variable, value, what):
    found = _rolling({variable: value})
    assert [(p['variable'], p['problem']) for p in found] == [(variable, what)]
