# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import os

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._procfs import (
    TCP_LISTEN,
    ProcfsError,
    container_id,
    container_ids,
    container_names,
    find_holders,
    listening_sockets,
    parse_tcp_table,
    socket_inode,
)

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'procfs')
TCP = 'net_tcp_listen-established-timewait_this-host.txt'
TCP6 = 'net_tcp6_listen-any_this-host.txt'
FD_9002 = 'fd_http-server-9002_this-host.txt'
FD_9003 = 'fd_http-server-9003-ipv6_this-host.txt'
HOST_CGROUP = 'cgroup_v1_host-process_this-host.txt'
NODE_CGROUP = 'cgroup_v1_docker-cgroupfs_testbed-node_this-host.txt'
NODE_ID = '3611aeb7c6ae01a3415d96efbcc031c784e78b9a4cc2549c79b31d362788289a'
SCOPE_ID = '4426af4f45ae09720a1e50f220d19db5b71cfe897480d860f0bc761d7f4be69d'


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def fd_links(name: str) -> dict:
    """An ``fd_*`` capture: one ``<fd> <link target>`` line per open file."""
    return dict(line.split(' ', 1) for line in capture(name).splitlines())


class FakeProc(object):
    """A /proc made of captures; records what was listed."""

    def __init__(self, tables=None):
        self.files, self.links, self.listed = dict(tables or {}), {}, []

    def add(self, pid, comm, fds=None, cgroup=''):
        self.files['%d/comm' % pid] = comm + '\n'
        self.files['%d/cgroup' % pid] = cgroup
        for fd, target in (fds or {}).items():
            self.links['%d/fd/%s' % (pid, fd)] = target
        if not fds:
            self.files['%d/stat' % pid] = ''  # a process with no open files still has a directory
        return self

    def read(self, path):
        if path not in self.files:
            raise OSError(2, 'No such file or directory', path)
        return self.files[path]

    def listdir(self, path):
        self.listed.append(path)
        prefix = path + '/' if path else ''
        names = set(key[len(prefix):].split('/', 1)[0] for key in list(self.files) + list(self.links)
                    if key.startswith(prefix))
        if not names:
            raise OSError(2, 'No such file or directory', path)
        return sorted(names)

    def readlink(self, path):
        if path not in self.links:
            raise OSError(2, 'No such file or directory', path)
        return self.links[path]


def this_host():
    """The capture: http.server on 127.0.0.1:9002 (with one accepted connection) and on [::]:9003."""
    proc = FakeProc({'net/tcp': capture(TCP), 'net/tcp6': capture(TCP6)})
    proc.add(21132, 'python3', fd_links(FD_9002), capture(HOST_CGROUP))
    proc.add(21133, 'python3', fd_links(FD_9003), capture(NODE_CGROUP))
    proc.add(1, 'systemd', {'0': '/dev/null'}, capture(HOST_CGROUP))
    return proc


def test_tcp_table_gives_every_socket_with_its_state_and_inode():
    sockets = parse_tcp_table(capture(TCP))
    assert len(sockets) == 6
    assert sockets[1] == {'address': '127.0.0.1', 'port': 9002, 'state': TCP_LISTEN, 'inode': 216837}
    assert sockets[0]['address'] == '0.0.0.0' and sockets[0]['port'] == 2024
    # TIME_WAIT: no process holds it, the kernel prints inode 0.
    assert (sockets[3]['state'], sockets[3]['inode']) == (0x06, 0)


def test_only_listening_sockets_count_not_the_connection_the_server_accepted():
    listening = listening_sockets(capture(TCP))
    assert sorted(socket['port'] for socket in listening.values()) == [2024, 9002, 15000]
    # 217509 is the server's end of the established connection, also on port 9002.
    assert 217509 not in listening and listening[216837] == {'address': '127.0.0.1', 'port': 9002}
    assert listening_sockets(capture(TCP), ports=[9002, 8000]) == {216837: {'address': '127.0.0.1', 'port': 9002}}


def test_tcp6_addresses_are_decoded():
    assert listening_sockets(capture(TCP6)) == {217398: {'address': '::', 'port': 9003}}
    loopback6 = ('   0: 00000000000000000000000001000000:1F40 00000000000000000000000000000000:0000 '
                 '0A 00000000:00000000 00:00000000 00000000     0        0 4242 1')
    assert parse_tcp_table(loopback6) == [{'address': '::1', 'port': 8000, 'state': TCP_LISTEN, 'inode': 4242}]


def test_a_row_that_is_not_a_socket_is_named():
    with pytest.raises(ValueError, match='line 2 is not a socket'):
        parse_tcp_table(capture(TCP).splitlines()[0] + '\n   0: garbage\n')


@pytest.mark.parametrize('target, inode', [
    ('socket:[216837]', 216837),
    ('pipe:[217368]', None),
    ('/dev/null', None),
    ('anon_inode:[eventpoll]', None),
])
def test_only_socket_links_give_an_inode(target, inode):
    assert socket_inode(target) == inode


@pytest.mark.parametrize('fixture, expected', [
    # A host process; the memory controller path holds a 32-digit id that is no container.
    (HOST_CGROUP, ''),
    (NODE_CGROUP, NODE_ID),
    ('cgroup_v1_docker-cgroupfs_testbed-node-init_this-host.txt',
     '90e88e1b2f260a4a421fdec73ae45ccc21de5856f2bc538ef70bac32afd93c10'),
    # Only the first line names the id in the excerpt; that is enough.
    ('cgroup_v1_kubepods_excerpt_npu-k8s-question.txt', 'eb62a59daf1d6ac12f19c28243d5cb45d5122af6f301b3fe06e2682aa5d7c9f1'),
    ('cgroup_v2_docker-systemd-scope_CONSTRUCTED.txt', SCOPE_ID),
])
def test_the_container_comes_from_the_cgroup_path_in_each_form(fixture, expected):
    assert container_id(capture(fixture)) == expected


def test_a_container_inside_a_container_gives_the_inner_one_first():
    ids = container_ids(capture('cgroup_v2_docker-in-docker-systemd_CONSTRUCTED.txt'))
    assert [len(ident) for ident in ids] == [64, 64]
    assert ids[1] == '90e88e1b2f260a4a421fdec73ae45ccc21de5856f2bc538ef70bac32afd93c10'
    assert container_id('1:cpu:/docker/%s/docker/%s\n' % ('a' * 64, 'b' * 64)) == 'b' * 64


@pytest.mark.parametrize('text', [
    '0::/\n',
    '0::/system.slice/libpod-conmon-%s.scope\n' % ('c' * 64),  # podman's monitor, outside the container
    '0::/user.slice/user-0.slice/session-3.scope\n',
    'not a cgroup line\n',
])
def test_paths_without_a_container_give_none(text):
    assert container_id(text) == ''


def test_container_names_take_docker_host_info_and_container_info_entries():
    assert container_names([{'Id': 'a' * 64, 'Names': ['/vllm-qwen3.6-r0'], 'Image': 'x'},
                            {'Id': 'b' * 64, 'Name': '/intruder'}]) == {'a' * 64: 'vllm-qwen3.6-r0', 'b' * 64: 'intruder'}
    with pytest.raises(ValueError, match=r'containers\[1\] has no Id'):
        container_names([{'Id': 'a' * 64, 'Names': ['/r0']}, {'Names': ['/r1']}])


def test_holders_of_the_planned_ports_with_their_container():
    found = find_holders(this_host(), ports=[9002, 9003, 2024, 8000],
                         containers=[{'Id': NODE_ID, 'Names': ['/vllm-qwen3.6-r0']}])
    assert found['listeners'] == [
        {'port': 9002, 'pid': 21132, 'name': 'python3', 'container_id': '', 'container': '', 'addresses': ['127.0.0.1']},
        {'port': 9003, 'pid': 21133, 'name': 'python3', 'container_id': NODE_ID, 'container': 'vllm-qwen3.6-r0',
         'addresses': ['::']},
    ]
    # Something listens on 2024, but no process here holds the socket.
    assert found['unowned_ports'] == [2024]
    assert found['processes'] == []


def test_a_forked_server_is_one_listener_per_process_and_v4_v6_merge():
    proc = this_host()
    # A child sharing the parent's socket, and the parent also on [::]:9002.
    proc.add(21140, 'python3', {'3': 'socket:[216837]'}, capture(HOST_CGROUP))
    proc.files['net/tcp6'] += ('   1: 00000000000000000000000000000000:232A 00000000000000000000000000000000:0000 '
                               '0A 00000000:00000000 00:00000000 00000000     0        0 300001 1\n')
    proc.links['21132/fd/7'] = 'socket:[300001]'
    found = find_holders(proc, ports=[9002])
    assert [(entry['pid'], entry['addresses']) for entry in found['listeners']] == [
        (21132, ['127.0.0.1', '::']), (21140, ['127.0.0.1'])]
    assert found['unowned_ports'] == []


def test_a_short_container_id_names_the_process_too():
    found = find_holders(this_host(), ports=[9003], containers=[{'Id': NODE_ID[:12], 'Names': ['/node']}])
    assert found['listeners'][0]['container'] == 'node'
    # Fewer than 12 digits would be ambiguous: no match.
    assert find_holders(this_host(), ports=[9003], containers=[{'Id': NODE_ID[:6], 'Names': ['/n']}])['listeners'][0]['container'] == ''


def test_processes_come_back_one_per_pid_in_order_gone_ones_not_running():
    found = find_holders(this_host(), pids=[21133, 4242, 21133, 1], containers=[{'Id': NODE_ID, 'Names': ['/r0']}])
    assert [(entry['pid'], entry['running'], entry['name'], entry['container']) for entry in found['processes']] == [
        (21133, True, 'python3', 'r0'), (4242, False, '', ''), (21133, True, 'python3', 'r0'), (1, True, 'systemd', '')]
    assert found['processes'][0]['container_id'] == NODE_ID
    assert found['listeners'] == [] and found['unowned_ports'] == []


def test_the_process_table_is_walked_only_when_a_port_is_listened_on():
    proc = this_host()
    assert find_holders(proc, ports=[8000, 8001])['listeners'] == []
    assert proc.listed == []
    find_holders(proc, ports=[9002])
    assert '' in proc.listed


def test_processes_that_exit_or_hide_their_files_are_skipped():
    proc = this_host()
    proc.add(30000, 'ghost')
    del proc.files['30000/comm']  # exited between the listing and the look
    proc.links['30001/fd/3'] = 'socket:[216837]'  # fd readable, but comm and cgroup are gone
    found = find_holders(proc, ports=[9002])
    assert [(entry['pid'], entry['name']) for entry in found['listeners']] == [(21132, 'python3'), (30001, '')]


def test_a_kernel_without_ipv6_is_fine_without_any_table_it_is_an_error():
    proc = this_host()
    del proc.files['net/tcp6']
    assert [entry['port'] for entry in find_holders(proc, ports=[9002, 9003])['listeners']] == [9002]
    del proc.files['net/tcp']
    with pytest.raises(ProcfsError, match='neither /proc/net/tcp nor /proc/net/tcp6'):
        find_holders(proc, ports=[9002])
    # Without ports the tables are not needed.
    assert find_holders(proc, pids=[1])['processes'][0]['name'] == 'systemd'


def test_a_mangled_table_is_named():
    proc = this_host()
    proc.files['net/tcp'] += '   9: not a socket\n'
    with pytest.raises(ProcfsError, match=r'/proc/net/tcp: line 8 is not a socket'):
        find_holders(proc, ports=[9002])
