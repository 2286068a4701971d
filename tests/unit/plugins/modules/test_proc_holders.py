# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import os

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.ascend_ops.vllm.plugins.modules import proc_holders

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'module_utils', 'fixtures', 'procfs')
NODE_ID = '3611aeb7c6ae01a3415d96efbcc031c784e78b9a4cc2549c79b31d362788289a'


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def write(path, text):
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(str(path), 'w') as handle:
        handle.write(text)


@pytest.fixture
def proc(tmp_path):
    """A proc tree on disk from the captures: files, and fd symlinks pointing at ``socket:[N]``."""
    write(tmp_path / 'net' / 'tcp', capture('net_tcp_listen-established-timewait_this-host.txt'))
    write(tmp_path / 'net' / 'tcp6', capture('net_tcp6_listen-any_this-host.txt'))
    for pid, fds, cgroup in [
            (21132, 'fd_http-server-9002_this-host.txt', 'cgroup_v1_host-process_this-host.txt'),
            (21133, 'fd_http-server-9003-ipv6_this-host.txt', 'cgroup_v1_docker-cgroupfs_testbed-node_this-host.txt')]:
        write(tmp_path / str(pid) / 'comm', 'python3\n')
        write(tmp_path / str(pid) / 'cgroup', capture(cgroup))
        os.makedirs(str(tmp_path / str(pid) / 'fd'))
        for line in capture(fds).splitlines():
            fd, target = line.split(' ', 1)
            os.symlink(target, str(tmp_path / str(pid) / 'fd' / fd))
    os.makedirs(str(tmp_path / 'self'))  # not a pid: skipped
    return tmp_path


def run_module(capsys, args):
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        proc_holders.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


def test_listeners_and_processes_from_a_proc_tree(capsys, proc):
    code, result = run_module(capsys, {
        'proc_path': str(proc), 'ports': [9002, 9003, 2024], 'pids': [21133, 4242],
        'containers': [{'Id': NODE_ID, 'Names': ['/vllm-qwen3.6-r0'], 'State': 'running'}]})
    assert code == 0 and result['changed'] is False
    assert [(entry['port'], entry['pid'], entry['container']) for entry in result['listeners']] == [
        (9002, 21132, ''), (9003, 21133, 'vllm-qwen3.6-r0')]
    assert result['unowned_ports'] == [2024]
    assert [(entry['pid'], entry['running'], entry['container_id']) for entry in result['processes']] == [
        (21133, True, NODE_ID), (4242, False, '')]


def test_check_mode_reads_the_same(capsys, proc):
    code, result = run_module(capsys, {'_ansible_check_mode': True, 'proc_path': str(proc), 'ports': [9002]})
    assert code == 0 and result['changed'] is False
    assert [entry['pid'] for entry in result['listeners']] == [21132]


def test_a_container_without_an_id_fails_with_a_message(capsys, proc):
    code, result = run_module(capsys, {'proc_path': str(proc), 'pids': [1], 'containers': [{'Names': ['/r0']}]})
    assert code == 1 and result['failed'] is True
    assert result['msg'].startswith('proc_holders: containers[0] has no Id')


def test_a_proc_without_tcp_tables_fails_instead_of_finding_nobody(capsys, tmp_path):
    code, result = run_module(capsys, {'proc_path': str(tmp_path), 'ports': [8000]})
    assert code == 1
    assert 'neither /proc/net/tcp nor /proc/net/tcp6 can be read' in result['msg']


def test_the_real_proc_of_this_machine_answers(capsys):
    code, result = run_module(capsys, {'pids': [os.getpid()]})
    assert code == 0
    assert result['processes'][0]['running'] is True and result['processes'][0]['name']
