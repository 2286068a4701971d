# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The accuracy filters are registered under their names and refuse wrong input naming themselves."""

from __future__ import annotations

import os

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter import (
    accuracy_argv,
    accuracy_dataset_links,
    accuracy_failures,
    accuracy_install_plan,
    accuracy_model_config,
    accuracy_rows,
    accuracy_target,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import serving_layout

SUMMARY = os.path.join(os.path.dirname(__file__), '..', 'module_utils', 'fixtures', 'accuracy',
                       'summary_gsm8k-80_ais-bench-3.1.20260630_this-host.csv')
NODE = {'inventory_hostname': 'a2-0',
        'ascend_serving_layout': serving_layout({'node_type': 'atlas_800_a2', 'model': 'qwen3.6-27b-w8a8'})}
TARGET = {'name': 'cluster-qwen3.6', 'url': 'http://router-0:8080', 'model': 'qwen3.6'}


@pytest.mark.parametrize('module, name', [(accuracy_target, 'accuracy_target'), (accuracy_model_config, 'accuracy_model_config'),
                                          (accuracy_argv, 'accuracy_argv'), (accuracy_dataset_links, 'accuracy_dataset_links'),
                                          (accuracy_rows, 'accuracy_rows'), (accuracy_failures, 'accuracy_failures'),
                                          (accuracy_install_plan, 'accuracy_install_plan')])
def test_each_filter_is_registered_under_its_name(module, name):
    assert list(module.FilterModule().filters()) == [name]


def test_accuracy_target_refuses_naming_the_filter_and_the_variable():
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.accuracy_target: vllm_accuracy_target: cluster, but'):
        accuracy_target.accuracy_target([NODE])
    assert accuracy_target.accuracy_target([NODE], target='replica')['url'] == 'http://a2-0:8000'


def test_accuracy_model_config_refuses_naming_the_filter_and_the_setting():
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.accuracy_model_config: vllm_accuracy_batch_size'):
        accuracy_model_config.accuracy_model_config(TARGET, {'batch_size': -1})
    assert "api_key='k'," in accuracy_model_config.accuracy_model_config(TARGET, api_key='k')


def test_accuracy_argv_refuses_naming_the_filter_and_the_setting():
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.accuracy_argv: vllm_accuracy_extra_args'):
        accuracy_argv.accuracy_argv({'extra_args': ['--models', 'x']})
    assert accuracy_argv.accuracy_argv({})[1:3] == ['--models', 'ascend_ops_vllm_accuracy']


def test_accuracy_dataset_links_refuses_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.accuracy_dataset_links: vllm_accuracy_dataset_dirs'):
        accuracy_dataset_links.accuracy_dataset_links(['gsm8k'], '/w')
    assert accuracy_dataset_links.accuracy_dataset_links({'gsm8k': '/d'}, '/w')[0]['path'] == '/w/ais_bench/datasets/gsm8k'


def test_accuracy_rows_and_failures_on_a_real_summary():
    with open(SUMMARY, encoding='utf-8') as handle:
        text = handle.read()
    rows = accuracy_rows.accuracy_rows(text, 90)
    assert [row['verdict'] for row in rows] == ['FAIL']
    assert accuracy_failures.accuracy_failures(rows) == ['gsm8k accuracy 80.00 is below the threshold 90.00']
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.accuracy_rows: the summary is empty'):
        accuracy_rows.accuracy_rows('')
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.accuracy_failures: '):
        accuracy_failures.accuracy_failures(['not a row'])


INSTALL = {'torch_package': 'torch==2.13.0', 'torch_pip_args': '', 'packages': ['ais-bench-benchmark==3.1.20260630'],
           'pip_args': '', 'constraints': ''}
PYVENV = 'home = /usr/bin\nversion = 3.11.7\n'


def test_accuracy_install_plan_reads_the_wheels_of_a_local_find_links_directory(tmp_path):
    wheels = tmp_path / 'wheels'
    wheels.mkdir()
    (wheels / 'ais_bench_benchmark-3.1.20260630-py3-none-any.whl').write_bytes(b'one')
    settings = dict(INSTALL, pip_args='--no-index --find-links %s' % wheels)
    first = accuracy_install_plan.accuracy_install_plan(settings, pyvenv=PYVENV)
    assert first['install']
    assert not accuracy_install_plan.accuracy_install_plan(settings, previous=first['record'], pyvenv=PYVENV)['install']
    (wheels / 'ais_bench_benchmark-3.1.20260630-py3-none-any.whl').write_bytes(b'two')
    assert accuracy_install_plan.accuracy_install_plan(settings, previous=first['record'], pyvenv=PYVENV)['install']


def test_accuracy_install_plan_on_another_client_installs_when_wheels_are_there(tmp_path):
    settings = dict(INSTALL, pip_args='--no-index --find-links %s' % tmp_path)
    record = accuracy_install_plan.accuracy_install_plan(settings, pyvenv=PYVENV)['record']
    assert accuracy_install_plan.accuracy_install_plan(settings, previous=record, pyvenv=PYVENV, local=False)['install']
    online = accuracy_install_plan.accuracy_install_plan(INSTALL, pyvenv=PYVENV, local=False)['record']
    assert not accuracy_install_plan.accuracy_install_plan(INSTALL, previous=online, pyvenv=PYVENV, local=False)['install']


def test_accuracy_install_plan_takes_a_missing_find_links_directory_as_empty(tmp_path):
    settings = dict(INSTALL, pip_args='--find-links %s' % (tmp_path / 'none'))
    record = accuracy_install_plan.accuracy_install_plan(settings, pyvenv=PYVENV)['record']
    assert not accuracy_install_plan.accuracy_install_plan(settings, previous=record, pyvenv=PYVENV)['install']


def test_accuracy_install_plan_refuses_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.accuracy_install_plan: the install settings'):
        accuracy_install_plan.accuracy_install_plan(['torch'])
    with pytest.raises(AnsibleFilterError, match=r'^ascend_ops.vllm.accuracy_install_plan: vllm_accuracy_packages'):
        accuracy_install_plan.accuracy_install_plan(dict(INSTALL, packages='torch'))
