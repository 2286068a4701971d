# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import json
import os

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.ascend_ops.vllm.plugins.modules import npu_info

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'module_utils', 'fixtures', 'npu_smi')
BOARD = 'board_910b_telegraf-npu_smi-test.txt'


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def run_module(mocker, capsys, args, answers, npu_smi_found='/usr/local/bin/npu-smi'):
    """Run npu_info with run_command answering from ``answers`` (argv tail -> (rc, out, err))."""
    calls = []

    def fake_run_command(self, argv, **kwargs):
        calls.append(list(argv))
        key = ' '.join(argv[1:])
        if key.startswith('info -t board -i '):
            return answers.get(key, answers.get('board', (1, '', 'no board answer')))
        return answers[key]

    mocker.patch.object(basic.AnsibleModule, 'run_command', fake_run_command)
    mocker.patch.object(basic.AnsibleModule, 'get_bin_path', return_value=npu_smi_found)
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        npu_info.main()
    result = json.loads(capsys.readouterr().out)
    return exit_info.value.code, result, calls


def test_a2_facts(mocker, capsys):
    code, result, calls = run_module(mocker, capsys, {}, {
        'info': (0, capture('info_a2_910b3_vllm-ascend-issue-5876.txt'), ''),
        'board': (0, capture(BOARD), ''),
    })
    assert code == 0 and result['changed'] is False
    assert result['node_type'] == 'atlas_800_a2'
    assert result['npu_ids'] == list(range(8)) and result['npu_count'] == 8
    assert result['npus'][0]['hbm_used_mb'] == 58626 and result['npus'][0]['hbm_total_mb'] == 65536
    assert result['driver_version'] == '25.5.1' and result['firmware_version'] == '7.8.0.6.201'
    assert [process['pid'] for process in result['processes']] == list(range(71867, 71875))
    assert calls[0] == ['/usr/local/bin/npu-smi', 'info'] and len(calls) == 9


def test_a3_facts_use_phy_ids(mocker, capsys):
    code, result, calls = run_module(mocker, capsys, {'npu_smi_path': '/opt/npu-smi'}, {
        'info': (0, capture('info_a3_ascend910_vllm-ascend-issue-3548.txt'), ''),
        'board': (0, capture(BOARD), ''),
    })
    assert code == 0
    assert result['node_type'] == 'atlas_800_a3' and result['npu_count'] == 16
    assert [(npu['id'], npu['npu_id'], npu['chip_id']) for npu in result['npus'][12:14]] == [(12, 6, 0), (13, 6, 1)]
    assert sorted(set(process['id'] for process in result['processes'])) == [0, 1, 2, 3]
    assert calls[0][0] == '/opt/npu-smi'
    assert [call[-1] for call in calls[1:]] == [str(n) for n in range(8)]


def test_check_mode_runs_the_same_read_only_queries(mocker, capsys):
    code, result, calls = run_module(mocker, capsys, {'_ansible_check_mode': True, 'board_info': False}, {
        'info': (0, capture('info_a2_910b4_atlas-800i-a2-install-blog.txt'), ''),
    })
    assert code == 0 and result['changed'] is False
    assert result['processes'] == [] and result['driver_version'] == '25.0.rc1.1'
    assert calls == [['/usr/local/bin/npu-smi', 'info']]


def test_missing_npu_smi_fails_cleanly(mocker, capsys):
    code, result, _calls = run_module(mocker, capsys, {}, {}, npu_smi_found=None)
    assert code == 1 and result['failed'] is True
    assert 'npu-smi was not found' in result['msg']


def test_failing_npu_smi_reports_its_error(mocker, capsys):
    code, result, _calls = run_module(mocker, capsys, {}, {
        'info': (255, '', 'dcmi module initialize failed. ret is -8005'),
    })
    assert code == 1
    assert result['msg'] == '/usr/local/bin/npu-smi info failed (rc=255): dcmi module initialize failed. ret is -8005'


@pytest.mark.parametrize('output', [
    'Segmentation fault\n',
    capture('info_a3_26.0.rc2_tail_vllm-ascend-issue-12980.txt'),
    capture('info_a2_910b3_vllm-ascend-issue-5876.txt').replace('58626/ 65536', 'n/a'),
    # A process whose row cannot be read: refused, or a process on an NPU would be missed.
    capture('info_a2_24.1.rc2.2_910b2c_4-of-8_ascend-pytorch-issue-68.txt').replace('| 29166 ', '| 29166MB'),
])
def test_malformed_output_fails_with_a_message_not_a_traceback(mocker, capsys, output):
    code, result, _calls = run_module(mocker, capsys, {'board_info': False}, {'info': (0, output, '')})
    assert code == 1 and result['failed'] is True
    assert result['msg'].startswith('npu-smi info:')
    assert 'Traceback' not in json.dumps(result)


def test_process_table_wordings_of_other_releases_do_not_fail_the_node(mocker, capsys):
    table = capture('info_a3_24.1.rc3.7_idle_vllm-ascend-issue-4480.txt')
    for npu in range(8):
        table = table.replace('| No running processes found in NPU %d   ' % npu,
                              '| No running processes found in NPU %d Chip 0' % npu)
    assert 'NPU 7 Chip 0' in table
    code, result, _calls = run_module(mocker, capsys, {'board_info': False}, {'info': (0, table, '')})
    assert code == 0 and result['processes'] == []
    assert result['node_type'] == 'atlas_800_a3' and result['npu_count'] == 16


def test_an_unreadable_process_row_is_named_in_the_failure(mocker, capsys):
    table = capture('info_a2_24.1.rc2.2_910b2c_4-of-8_ascend-pytorch-issue-68.txt').replace(
        '| 4       0                 | 154983 ', '| 4                         | 154983 ')
    code, result, _calls = run_module(mocker, capsys, {'board_info': False}, {'info': (0, table, '')})
    assert code == 1
    assert result['msg'].startswith('npu-smi info: line 22 may name a process but is not a process row')
    assert '154983' in result['msg']
