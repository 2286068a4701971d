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

from ansible_collections.ascend_ops.vllm.plugins.modules import hccn_check

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'module_utils', 'fixtures', 'hccn')


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def answers_for(npus, link_down=(), no_ip=()):
    """hccn_tool answers built from the captures, for the NPUs of one node."""
    def answer(argv):
        npu, command = int(argv[2]), argv[3]
        if npu not in npus:
            return 1, 'Get invalid device id.', ''
        if command == '-link':
            return 0, 'link status: %s\n' % ('DOWN' if npu in link_down else 'UP'), ''
        if command == '-net_health':
            return 0, 'net health status: %s\n' % ('Fault' if npu in link_down else 'Success'), ''
        if command == '-netdetect':
            return 0, capture('netdetect_get_mindie-deepseekv3-doc.txt'), ''
        if command == '-gateway':
            return 0, capture('gateway_get_mindie-deepseekv3-doc.txt'), ''
        if command == '-ip':
            if npu in no_ip:
                return 1, capture('ip_get_unconfigured_hccn_tool-source.txt'), ''
            return 0, 'ipaddr:11.12.165.8%d\nnetmask:255.255.255.0\n' % npu, ''
        if command == '-lldp':
            if npu in link_down:
                return 1, capture('link_is_down_error_hccn_tool-source.txt'), ''
            return 0, capture('lldp_get_arthurchiao-gpu-notes-2.txt'), ''
        if command == '-ping':
            if npu in link_down:
                return 1, capture('link_is_down_error_hccn_tool-source.txt'), ''
            return 0, capture('ping_success_arthurchiao-gpu-notes-2.txt'), ''
        raise AssertionError('unexpected hccn_tool call %r' % (argv,))
    return answer


def run_module(mocker, capsys, args, answer, tool_found='/usr/local/Ascend/driver/tools/hccn_tool', present=(0, 1)):
    calls = []

    def fake_run_command(self, argv, **kwargs):
        calls.append(list(argv))
        return answer(argv)

    mocker.patch.object(basic.AnsibleModule, 'run_command', fake_run_command)
    mocker.patch.object(basic.AnsibleModule, 'get_bin_path', return_value=tool_found)
    mocker.patch.object(hccn_check, 'present_npu_ids', return_value=list(present))
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        hccn_check.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out), calls


def conf_file(tmp_path, npus):
    path = tmp_path / 'hccn.conf'
    path.write_text(''.join('address_%d=11.12.165.8%d\nnetmask_%d=255.255.255.0\n' % (n, n, n) for n in npus))
    return str(path)


def test_all_npus_of_the_node_healthy(mocker, capsys, tmp_path):
    code, result, calls = run_module(mocker, capsys, {'hccn_conf': conf_file(tmp_path, [0, 1])}, answers_for([0, 1]))
    assert code == 0 and result['changed'] is False
    assert result['healthy'] is True and result['problems'] == []
    assert [npu['id'] for npu in result['npus']] == [0, 1]
    assert result['npus'][1]['ip'] == {'address': '11.12.165.81', 'netmask': '255.255.255.0'}
    assert result['npus'][0]['lldp']['port_ifname'] == '400GE1/1/20:2'
    assert calls[0][:3] == ['/usr/local/Ascend/driver/tools/hccn_tool', '-i', '0']


def test_unhealthy_result_does_not_fail_the_task(mocker, capsys, tmp_path):
    args = {'hccn_conf': conf_file(tmp_path, [0, 1]), 'ping_targets': ['11.12.165.90']}
    code, result, _calls = run_module(mocker, capsys, args, answers_for([0, 1], link_down=[1], no_ip=[0]))
    assert code == 0 and result['healthy'] is False
    assert sorted((problem['npu'], problem['check']) for problem in result['problems']) == [
        (0, 'ip'), (1, 'link'), (1, 'lldp'), (1, 'net_health'), (1, 'ping')]


def test_ping_mapping_and_chosen_npus(mocker, capsys):
    args = {'npus': [1], 'checks': ['link'], 'ping_targets': {'1': ['11.12.165.91', '11.12.165.92']}}
    code, result, calls = run_module(mocker, capsys, args, answers_for([0, 1]))
    assert code == 0 and result['healthy'] is True
    assert [ping['target'] for ping in result['npus'][0]['ping']] == ['11.12.165.91', '11.12.165.92']
    assert sorted(call[-1] for call in calls if '-ping' in call) == ['11.12.165.91', '11.12.165.92']
    assert all(call[2] == '1' for call in calls)


def test_check_mode_reads_the_same(mocker, capsys):
    args = {'_ansible_check_mode': True, 'checks': ['link', 'ip']}
    code, result, calls = run_module(mocker, capsys, args, answers_for([0, 1]))
    assert code == 0 and result['changed'] is False and result['healthy'] is True
    assert len(calls) == 4


def test_missing_hccn_conf_is_a_problem_not_a_failure(mocker, capsys, tmp_path):
    args = {'checks': ['hccn_conf'], 'hccn_conf': str(tmp_path / 'absent.conf')}
    code, result, _calls = run_module(mocker, capsys, args, answers_for([0, 1]))
    assert code == 0 and [problem['seen'] for problem in result['problems']] == ['no hccn.conf', 'no hccn.conf']


@pytest.mark.parametrize('args, answer, message', [
    ({'npus': [7], 'checks': ['link']}, answers_for([0, 1]), 'NPU 7 does not exist'),
    ({'checks': ['net_health']}, lambda argv: (0, 'garbage\n', ''), 'no "net health status:" line'),
    ({'ping_targets': {'4': ['10.0.0.1']}}, answers_for([0, 1]), 'ping_targets names NPUs that are not checked: 4'),
    ({'ping_targets': 'not-a-list'}, answers_for([0, 1]), 'ping_targets: expected a list'),
])
def test_bad_input_or_output_fails_cleanly(mocker, capsys, args, answer, message):
    code, result, _calls = run_module(mocker, capsys, args, answer)
    assert code == 1 and result['failed'] is True
    assert message in result['msg']


def test_unparseable_hccn_conf_fails_with_the_file_name(mocker, capsys, tmp_path):
    path = tmp_path / 'hccn.conf'
    path.write_text('address_0=10.0.0.1\nthis is not a setting\n')
    code, result, _calls = run_module(mocker, capsys, {'hccn_conf': str(path)}, answers_for([0, 1]))
    assert code == 1 and result['msg'].startswith(str(path) + ': hccn.conf line 2')


def test_missing_tool_or_devices_fail_cleanly(mocker, capsys):
    code, result, _calls = run_module(mocker, capsys, {}, answers_for([0]), tool_found=None)
    assert code == 1 and 'hccn_tool was not found' in result['msg']
    code, result, _calls = run_module(mocker, capsys, {}, answers_for([0]), present=())
    assert code == 1 and 'no /dev/davinciN device' in result['msg']
