# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a run does when a node fails (topic faults): ascend_max_fail_percentage, ascend_any_errors_fatal."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate, _validate_faults
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, validate

A2 = {'ascend_model': 'qwen3.5-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_weights_dir': '/data/models',
      'ascend_node_type': 'atlas_800_a2'}
GROUPS = {'all': ['a2-0', 'a2-1', 'rt-0'], 'atlas_800_a2': ['a2-0', 'a2-1'], 'vllm_router': ['rt-0']}


def _faults(variables, host='a2-0'):
    hosts = {'a2-0': dict(A2), 'a2-1': dict(A2), 'rt-0': {}}
    hosts[host].update(variables)
    return validate(Inventory(hosts, groups=GROUPS), ['faults'])


def test_the_faults_check_is_registered_under_its_topic():
    assert [function for topic, function in _validate.CHECKS if topic == 'faults'] == [_validate_faults.check_fault_settings]


@pytest.mark.parametrize('value', [0, 30, 100, '25'])
def test_a_whole_percentage_passes(value):
    assert _faults({}) == []
    assert _faults({'ascend_max_fail_percentage': value}) == []


@pytest.mark.parametrize('value', [101, -1, 12.5, '30%', True, 'all'])
def test_anything_else_is_refused_naming_host_variable_and_an_accepted_value(value):
    found = _faults({'ascend_max_fail_percentage': value})
    assert [(p['host'], p['variable']) for p in found] == [('a2-0', 'ascend_max_fail_percentage')]
    assert found[0]['problem'].startswith('%r is not a whole percentage from 0 to 100' % (value,))
    assert 'ascend_max_fail_percentage: 100' in found[0]['accepted'] and 'or 0' in found[0]['accepted']


def test_a_router_host_is_checked_too():
    found = _faults({'ascend_max_fail_percentage': 'half'}, host='rt-0')
    assert [p['host'] for p in found] == ['rt-0']


@pytest.mark.parametrize('value', [True, False, 'true'])
def test_ascend_any_errors_fatal_is_refused_for_the_ansible_setting_that_does_its_job(value):
    found = _faults({'ascend_any_errors_fatal': value})
    assert [(p['host'], p['variable']) for p in found] == [('a2-0', 'ascend_any_errors_fatal')]
    assert 'does not template' in found[0]['problem']
    assert found[0]['accepted'].startswith('ANSIBLE_ANY_ERRORS_FATAL=True ansible-playbook')


def test_percentage_reads_what_minus_e_passes():
    assert _validate_faults.percentage('7') == 7
    assert _validate_faults.percentage(' 100 ') == 100
    assert _validate_faults.percentage(False) is None
    assert _validate_faults.percentage('-3') is None
