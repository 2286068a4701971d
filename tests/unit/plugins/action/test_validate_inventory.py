# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validate_inventory action: what it reads on the controller, and one run over fake hostvars."""

from __future__ import annotations

import io
import tarfile
from unittest.mock import MagicMock

import pytest
import yaml

from ansible_collections.ascend_ops.vllm.plugins.action import validate_inventory
from ansible_collections.ascend_ops.vllm.plugins.action.validate_inventory import ActionModule
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate
from ansible_collections.ascend_ops.vllm.plugins.modules import validate_inventory as documentation

CLUSTER = {'ascend_model': 'qwen3.6-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_weights_dir': '/data/models'}


def _makeself(path, version_info, form='skip'):
    """A package laid out as makeself lays one out: a shell header that counts its lines, then a tar.gz."""
    body = 'echo header\n' * 20
    lines = body.count('\n') + 2
    first = 'skip="%d"\n' % lines if form == 'skip' else 'offset=`head -n %d "$0" | wc -c | tr -d " "`\n' % lines
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode='w:gz') as archive:
        for name, content in (('./install.sh', b'#!/bin/sh\n'), ('./version.info', version_info.encode())):
            member = tarfile.TarInfo(name)
            member.size = len(content)
            archive.addfile(member, io.BytesIO(content))
    path.write_bytes((first + body + 'exit 0\n').encode() + payload.getvalue())
    return path


@pytest.mark.parametrize('form', ['skip', 'head'])
def test_version_info_is_read_from_a_makeself_package(tmp_path, form):
    package = _makeself(tmp_path / 'Ascend-hdk-910b-npu-driver_25.0.rc1.1_linux-aarch64.run',
                        'Version=25.0.rc1.1\ncompatible_version_fw=[7.0.0,7.7.99]\n', form)
    info = validate_inventory.read_version_info(str(package))
    assert info == {'Version': '25.0.rc1.1', 'compatible_version_fw': '[7.0.0,7.7.99]'}


def test_every_role_spec_is_loaded_from_the_roles():
    specs = validate_inventory.load_specs()
    assert {'npu_driver', 'vllm_serve', 'hccl_check', 'model_weights'} <= set(specs)
    assert specs['npu_driver']['main']['options']['npu_driver_reboot']['type'] == 'bool'


def test_the_facts_the_roles_set_are_found_in_their_tasks():
    facts = validate_inventory.load_role_facts()
    assert {'npu_driver_installed', 'npu_driver_pending', 'ascend_default_layout', 'ascend_serving_layout'} <= facts


def test_templated_values_become_plain_python():
    assert validate_inventory._plain({'a': (1, 2.5, True, None, b'x')}) == {'a': [1, 2.5, True, None, 'x']}


class _Errors(dict):
    """hostvars whose one value fails to template, as an undefined variable in a template does."""

    def __getitem__(self, name):
        if name == 'vllm_serve_api_key':
            raise RuntimeError("'vault_vllm_api_key' is undefined")
        return dict.__getitem__(self, name)


def _run(hostvars, groups, args=None):
    task = MagicMock()
    task.args = args or {}
    task.async_val = 0
    task.check_mode = False
    action = ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    action._connection._shell.tmpdir = '/nonexistent'
    return action.run(task_vars={'hostvars': hostvars, 'groups': groups, 'ansible_play_hosts_all': sorted(hostvars)})


def test_a_run_reports_every_problem_with_the_first_on_the_first_line():
    hostvars = {'a2-0': dict(CLUSTER, ascend_node_type='atlas_800_a2', npu_driver_reboot='maybe'),
                'a2-1': _Errors(CLUSTER, ascend_node_type='atlas_800_a2', vllm_serve_api_key='{{ vault_vllm_api_key }}',
                                ansible_host='192.0.2.12')}
    result = _run(hostvars, {'all': ['a2-0', 'a2-1'], 'atlas_800_a2': ['a2-0', 'a2-1']})
    assert result['failed'] is True
    lines = result['msg'].splitlines()
    assert lines[0] == ("a2-1: vllm_serve_api_key: its template cannot be evaluated: 'vault_vllm_api_key' is undefined;"
                        " accepted: a value, or a template whose variables the inventory defines")
    assert "- a2-0: npu_driver_reboot: 'maybe' is not a boolean; accepted: true or false (also yes/no, on/off, 1/0)" in lines
    assert 'problems' not in result, 'the report names every problem once'


def test_a_good_inventory_passes_and_names_open_endpoints():
    hostvars = {'a3-0': dict(CLUSTER, ascend_node_type='atlas_800_a3')}
    result = _run(hostvars, {'all': ['a3-0'], 'atlas_800_a3': ['a3-0']})
    assert not result.get('failed') and result['problems'] == [] and result['open_endpoints'] == ['a3-0']


def test_problems_are_returned_without_failing_when_asked():
    hostvars = {'a3-0': dict(CLUSTER, ascend_node_type='atlas_800_a4')}
    result = _run(hostvars, {'all': ['a3-0']}, {'fail_on_problems': False, 'checks': ['node_type']})
    assert not result.get('failed') and result['problems'][0]['variable'] == 'ascend_node_type'


def test_the_documented_topics_are_the_registered_ones():
    # Topics register as their modules are imported, so other test modules
    # can change the order: the set is what must match, each once.
    choices = yaml.safe_load(documentation.DOCUMENTATION)['options']['checks']['choices']
    assert len(choices) == len(set(choices))
    assert sorted(choices) == sorted(_validate.topics())
