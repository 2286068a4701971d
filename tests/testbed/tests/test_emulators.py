# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated npu-smi and hccn_tool, run as subprocesses and read with the collection's own parsers.

Every test builds a node in a temporary directory (device nodes as plain files, hardware.json,
state.json, version.info files) and points the emulator at it with ASCEND_EMULATOR_* variables.
``ip`` and ``ping`` are test doubles on PATH: these tests never touch the machine's interfaces;
the real network path is exercised by the molecule scenario of the test bed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _hccn, _npu_smi

EMULATOR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', 'emulator'))
FIXTURES = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', 'unit', 'plugins', 'module_utils', 'fixtures'))
sys.path.insert(0, EMULATOR)
from ascend_emu.board import IDLE_HBM_MB  # noqa: E402  pylint: disable=wrong-import-position
from ascend_emu.npu_smi import Chip, render_board, render_info, render_list  # noqa: E402  pylint: disable=wrong-import-position

FAKE_IP = r'''
import json, os, sys
path = os.environ['FAKE_IP_STATE']
links = json.load(open(path))
with open(path + '.log', 'a') as log:
    log.write(' '.join(sys.argv[1:]) + '\n')
args = sys.argv[1:]
if args[:4] == ['-j', '-4', 'addr', 'show']:
    print(json.dumps([{'ifname': name, 'addr_info': [{'family': 'inet', 'local': a.split('/')[0], 'prefixlen': int(a.split('/')[1])}
                                                     for a in addresses]} for name, addresses in links.items()]))
elif args[:2] in (['addr', 'replace'], ['addr', 'del']) and args[3] == 'dev':
    addresses = links[args[4]]
    if args[1] == 'replace' and args[2] not in addresses:
        addresses.append(args[2])
    if args[1] == 'del':
        if args[2] not in addresses:
            sys.stderr.write('RTNETLINK answers: Cannot assign requested address\n')
            sys.exit(2)
        addresses.remove(args[2])
    json.dump(links, open(path, 'w'))
else:
    sys.exit('fake ip: unexpected arguments %r' % args)
'''

FAKE_PING = r'''
import json, os, sys
args = sys.argv[1:]
source, target = args[args.index('-I') + 1], args[-1]
local = [a.split('/')[0] for addresses in json.load(open(os.environ['FAKE_IP_STATE'])).values() for a in addresses]
if source not in local:
    sys.stderr.write('ping: bind: Cannot assign requested address\n')
    sys.exit(2)
reachable = os.environ.get('FAKE_PING_REACHABLE', '').split(',')
print('PING %s (%s) from %s : 56(84) bytes of data.' % (target, target, source))
received = 3 if target in reachable else 0
for seq in range(1, received + 1):
    print('64 bytes from %s: icmp_seq=%d ttl=64 time=0.0%d5 ms' % (target, seq, seq))
print('')
print('--- %s ping statistics ---' % target)
print('3 packets transmitted, %d received, %d%% packet loss, time 404ms' % (received, 100 - 100 * received // 3))
sys.exit(0 if received else 1)
'''


def capture(kind: str, name: str) -> str:
    with open(os.path.join(FIXTURES, kind, name)) as handle:
        return handle.read()


class Node(object):
    """A node of the test bed in a temporary directory."""

    def __init__(self, root, node_type='atlas_800_a2', devices=None, hardware=True, lib=EMULATOR):
        self.root = str(root)
        self.lib = lib
        a3 = node_type == 'atlas_800_a3'
        count = 16 if a3 else 8
        self.dev = os.path.join(self.root, 'dev')
        os.makedirs(self.dev)
        for device in range(count) if devices is None else devices:
            open(os.path.join(self.dev, 'davinci%d' % device), 'w').close()
        for shared in ('davinci_manager', 'devmm_svm', 'hisi_hdc'):
            open(os.path.join(self.dev, shared), 'w').close()
        if hardware:
            self.write('etc/ascend-emulator/hardware.json', json.dumps({
                'node_type': node_type, 'npu_count': count, 'chip_name': 'Ascend910' if a3 else '910B3',
                'hbm_total_mb': 65536, 'npu_subnet': '10.20.0.0/16', 'node_index': 1, 'physical': True}))
        self.write('usr/local/Ascend/driver/version.info', 'Version=25.3.rc1\npackage_version=25.3.rc1\n')
        self.write('usr/local/Ascend/firmware/version.info', 'Version=7.7.0.6.236\n')
        bin_dir = os.path.join(self.root, 'fakebin')
        self.write('fakebin/ip', '#!%s\n%s' % (sys.executable, FAKE_IP), mode=0o755)
        self.write('fakebin/ping', '#!%s\n%s' % (sys.executable, FAKE_PING), mode=0o755)
        self.ip_state = os.path.join(self.root, 'fake-ip.json')
        self.set_interfaces({'eth0': ['172.31.240.11/24'], 'eth1': ['10.20.0.11/16']})
        self.env = dict(os.environ, ASCEND_EMULATOR_LIB=self.lib, ASCEND_EMULATOR_ROOT=self.root,
                        ASCEND_EMULATOR_DEV=self.dev, FAKE_IP_STATE=self.ip_state,
                        PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''))

    def write(self, relative, text, mode=0o644):
        path = os.path.join(self.root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as handle:
            handle.write(text)
        os.chmod(path, mode)
        return path

    def set_state(self, state):
        self.write('var/lib/ascend-emulator/state.json', json.dumps(state))

    def set_interfaces(self, interfaces):
        with open(self.ip_state, 'w') as handle:
            json.dump(interfaces, handle)

    def interfaces(self):
        with open(self.ip_state) as handle:
            return json.load(handle)

    def run(self, tool, *args):
        return subprocess.run([os.path.join(EMULATOR, tool)] + [str(arg) for arg in args], env=self.env,
                              capture_output=True, text=True, timeout=60, check=False)

    def runner(self, argv):
        """A command runner for the collection's module_utils: argv[0] names the tool."""
        done = self.run(os.path.basename(argv[0]), *argv[1:])
        return done.returncode, done.stdout, done.stderr

    def npu_smi_info(self):
        done = self.run('npu-smi', 'info')
        assert done.returncode == 0, done.stderr
        return _npu_smi.parse_npu_smi_info(done.stdout)


@pytest.fixture
def a2(tmp_path):
    return Node(tmp_path)


@pytest.fixture
def a3(tmp_path):
    return Node(tmp_path, 'atlas_800_a3')


def chips_from(info):
    return [Chip(device=npu['id'], npu_id=npu['npu_id'], chip_id=npu['chip_id'], phy_id=npu['phy_id'],
                 name=npu['name'], health=npu['health'],
                 power='-' if npu['power_w'] is None else '%.1f' % npu['power_w'], temp=npu['temp_c'],
                 bus_id=npu['bus_id'], aicore=npu['aicore_percent'], hbm_used=npu['hbm_used_mb'],
                 hbm_total=npu['hbm_total_mb'])
            for npu in info['npus']]


@pytest.mark.parametrize('name', [
    'info_a2_910b3_vllm-ascend-issue-5876.txt',
    'info_a2_910b4_atlas-800i-a2-install-blog.txt',
    'info_a3_ascend910_vllm-ascend-issue-3548.txt',
])
def test_the_table_layout_is_the_captures_byte_for_byte(name):
    text = capture('npu_smi', name)
    info = _npu_smi.parse_npu_smi_info(text)
    rendered = render_info(info['driver_version'], chips_from(info), info['processes'], info['has_phy_id'])
    assert rendered == text


def test_list_layout_is_the_capture_and_board_keys_are_the_captures():
    assert render_list([(npu, 1) for npu in range(8)]) == capture('npu_smi', 'list_a2_910b4_atlas-800i-a2-install-blog.txt')
    board = render_board({'node_type': 'atlas_800_a2', 'node_index': 0}, 0, 1, '0000:C1:00.0', '25.5.1', '7.8.0.6.201')
    real = capture('npu_smi', 'board_910b_telegraf-npu_smi-test.txt')

    def keys(text):
        return [re.match(r'^ {8}(.{31}): ', line).group(1) for line in text.splitlines()]
    assert keys(board) == keys(real)
    assert _npu_smi.parse_board_info(board)['software_version'] == '25.5.1'


def test_a2_node_answers_like_an_atlas_800_a2(a2):
    info = a2.npu_smi_info()
    assert info['npu_smi_version'] == '25.3.rc1'
    assert [npu['id'] for npu in info['npus']] == list(range(8))
    assert _npu_smi.guess_node_type(info['npus'], info['has_phy_id']) == 'atlas_800_a2'
    assert all(npu['health'] == 'OK' and npu['hbm_total_mb'] == 65536 for npu in info['npus'])
    assert info['processes'] == []
    listing = _npu_smi.parse_npu_list(a2.run('npu-smi', 'info', '-l').stdout)
    assert listing == {'total_count': 8, 'npus': [{'npu_id': n, 'chip_count': 1} for n in range(8)]}


def test_a3_node_answers_like_an_atlas_800_a3(a3):
    info = a3.npu_smi_info()
    assert [npu['id'] for npu in info['npus']] == list(range(16))
    assert [(npu['npu_id'], npu['chip_id'], npu['phy_id']) for npu in info['npus'][4:6]] == [(2, 0, 4), (2, 1, 5)]
    assert _npu_smi.guess_node_type(info['npus'], info['has_phy_id']) == 'atlas_800_a3'
    assert info['npus'][1]['power_w'] is None
    listing = _npu_smi.parse_npu_list(a3.run('npu-smi', 'info', '-l').stdout)
    assert listing['total_count'] == 8 and all(npu['chip_count'] == 2 for npu in listing['npus'])
    board = _npu_smi.parse_board_info(a3.run('npu-smi', 'info', '-t', 'board', '-i', '7').stdout)
    assert (board['npu_id'], board['chip_count'], board['software_version'], board['firmware_version']) == (
        7, 2, '25.3.rc1', '7.7.0.6.236')


def test_npu_info_facts_from_the_emulator(a3):
    facts = _npu_smi.collect_npu_facts(a3.runner, 'npu-smi')
    assert facts['node_type'] == 'atlas_800_a3' and facts['npu_count'] == 16
    assert facts['driver_version'] == '25.3.rc1' and facts['firmware_version'] == '7.7.0.6.236'
    assert facts['healthy'] is True


def test_injected_faults_and_processes_show(a3):
    a3.set_state({'npus': {'5': {'health': 'Critical'},
                           '3': {'processes': [{'pid': 4242, 'name': 'python3', 'memory_mb': 30000}]}}})
    info = a3.npu_smi_info()
    by_id = dict((npu['id'], npu) for npu in info['npus'])
    assert by_id[5]['health'] == 'Critical'
    assert [npu['id'] for npu in info['npus'] if npu['health'] != 'OK'] == [5]
    assert info['processes'] == [{'npu_id': 1, 'chip_id': 1, 'pid': 4242, 'name': 'python3', 'memory_mb': 30000, 'id': 3}]
    assert by_id[3]['hbm_used_mb'] == IDLE_HBM_MB['atlas_800_a3'][1] + 30000
    facts = _npu_smi.collect_npu_facts(a3.runner, 'npu-smi', board_info=False)
    assert facts['healthy'] is False and facts['unhealthy_npu_ids'] == [5]


def test_a_process_holding_devices_is_found_with_its_pid_name_and_memory(a2):
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import sys, time; f = [open(p) for p in sys.argv[1:3]]; print("ready", flush=True); time.sleep(60)',
         os.path.join(a2.dev, 'davinci4'), os.path.join(a2.dev, 'davinci5'), '--gpu-memory-utilization', '0.5'],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'ready'
        info = a2.npu_smi_info()
    finally:
        holder.kill()
        holder.wait()
    mine = [process for process in info['processes'] if process['pid'] == holder.pid]
    assert [(process['id'], process['memory_mb']) for process in mine] == [(4, 32768), (5, 32768)]
    assert mine[0]['name'] == os.path.basename(sys.executable)[:15]
    by_id = dict((npu['id'], npu) for npu in info['npus'])
    assert by_id[4]['hbm_used_mb'] == 3400 + 32768 and by_id[3]['hbm_used_mb'] == 3400
    # Once the process is gone, so is its memory.
    assert all(process['pid'] != holder.pid for process in a2.npu_smi_info()['processes'])


def test_a_container_sees_only_its_devices_with_host_ids(tmp_path):
    container = Node(tmp_path / 'plain', devices=[4, 5], hardware=False)
    info = container.npu_smi_info()
    assert [npu['id'] for npu in info['npus']] == [4, 5]
    # An A3 driver's lib64/ carries a copy of hardware.json, so an A3 container keeps the A3 view.
    lib = str(tmp_path / 'lib64-emulator')
    shutil.copytree(EMULATOR, lib, ignore=shutil.ignore_patterns('__pycache__', 'tests'))
    with open(os.path.join(lib, 'hardware.json'), 'w') as handle:
        json.dump({'node_type': 'atlas_800_a3', 'npu_count': 16, 'chip_name': 'Ascend910'}, handle)
    a3_container = Node(tmp_path / 'a3', devices=[4, 5], hardware=False, lib=lib)
    info = a3_container.npu_smi_info()
    assert [(npu['npu_id'], npu['chip_id'], npu['id']) for npu in info['npus']] == [(2, 0, 4), (2, 1, 5)]


def test_without_davinci_manager_or_the_driver_library_npu_smi_fails_like_the_real_one(a2):
    os.remove(os.path.join(a2.dev, 'davinci_manager'))
    done = a2.run('npu-smi', 'info')
    assert (done.returncode, done.stderr.strip()) == (1, 'dcmi module initialize failed. ret is -8005')
    a2.env['ASCEND_EMULATOR_LIB'] = os.path.join(a2.root, 'no-lib64-mount')
    done = a2.run('npu-smi', 'info')
    assert done.returncode == 127 and 'libascend_hal.so: cannot open shared object file' in done.stderr


def test_npu_smi_refuses_unknown_ids_and_commands(a2):
    assert a2.run('npu-smi', 'info', '-t', 'board', '-i', '8').returncode == 1
    assert a2.run('npu-smi', 'info', '-x').returncode == 1


def configure(node, device, address, netdetect='10.20.0.1', gateway='10.20.0.1'):
    for args in (['-ip', '-s', 'address', address, 'netmask', '255.255.0.0'],
                 ['-netdetect', '-s', 'address', netdetect], ['-gateway', '-s', 'gateway', gateway]):
        done = node.run('hccn_tool', '-i', device, *args)
        assert (done.returncode, done.stdout) == (0, 'Cmd executed successfully!\n'), done.stdout + done.stderr


def test_unconfigured_npu_answers_like_the_real_tool(a2):
    assert a2.run('hccn_tool', '-i', 0, '-link', '-g').stdout == capture('hccn', 'link_get_up_mindcluster-faultdiag-doc.txt')
    done = a2.run('hccn_tool', '-i', 0, '-ip', '-g')
    assert done.returncode != 0 and done.stdout == capture('hccn', 'ip_get_unconfigured_hccn_tool-source.txt')
    assert _hccn.parse_ip(done.stdout) is None
    assert a2.run('hccn_tool', '-i', 0, '-gateway', '-g').stdout == capture('hccn', 'gateway_get_unconfigured_hccn_tool-source.txt')
    assert _hccn.parse_netdetect(a2.run('hccn_tool', '-i', 0, '-netdetect', '-g').stdout) is None
    assert _hccn.parse_net_health(a2.run('hccn_tool', '-i', 0, '-net_health', '-g').stdout) == 'Init'


def test_ip_set_is_stored_written_to_hccn_conf_and_applied_to_the_node_nic(a2):
    configure(a2, 3, '10.20.2.3')
    assert _hccn.parse_ip(a2.run('hccn_tool', '-i', 3, '-ip', '-g').stdout) == {'address': '10.20.2.3', 'netmask': '255.255.0.0'}
    assert _hccn.parse_gateway(a2.run('hccn_tool', '-i', 3, '-gateway', '-g').stdout) == {'address': '10.20.0.1', 'iface': 'eth3'}
    assert _hccn.parse_netdetect(a2.run('hccn_tool', '-i', 3, '-netdetect', '-g').stdout) == '10.20.0.1'
    assert _hccn.parse_net_health(a2.run('hccn_tool', '-i', 3, '-net_health', '-g').stdout) == 'Success'
    with open(os.path.join(a2.root, 'etc', 'hccn.conf')) as handle:
        conf = _hccn.parse_hccn_conf(handle.read())
    assert conf == {3: {'address': '10.20.2.3', 'netmask': '255.255.0.0', 'netdetect': '10.20.0.1',
                        'gateway': '10.20.0.1', 'send_arp_status': '1'}}
    with open(os.path.join(a2.root, 'var', 'lib', 'ascend-emulator', 'npu-net.json')) as handle:
        assert json.load(handle)['npus']['3']['address'] == '10.20.2.3'
    assert a2.interfaces() == {'eth0': ['172.31.240.11/24'], 'eth1': ['10.20.0.11/16', '10.20.2.3/16']}


def test_addresses_heal_after_a_reconnect_and_follow_the_link(a2):
    configure(a2, 0, '10.20.2.0')
    a2.set_interfaces({'eth0': ['172.31.240.11/24'], 'eth7': ['10.20.0.42/16']})  # the RoCE NIC came back renamed
    a2.run('hccn_tool', '-i', 5, '-link', '-g')
    assert a2.interfaces()['eth7'] == ['10.20.0.42/16', '10.20.2.0/16']
    a2.set_state({'npus': {'0': {'link': 'DOWN'}}})
    assert a2.run('hccn_tool', '-i', 0, '-link', '-g').stdout == 'link status: DOWN\n'
    assert a2.interfaces()['eth7'] == ['10.20.0.42/16']
    assert _hccn.parse_net_health(a2.run('hccn_tool', '-i', 0, '-net_health', '-g').stdout) == 'Fault'
    a2.set_state({})
    a2.run('hccn_tool', '-i', 0, '-link', '-g')
    assert a2.interfaces()['eth7'] == ['10.20.0.42/16', '10.20.2.0/16']


def test_conflicting_and_invalid_settings_are_refused(a2):
    configure(a2, 0, '10.20.2.0')
    assert a2.run('hccn_tool', '-i', 1, '-ip', '-s', 'address', '10.20.2.0', 'netmask', '255.255.0.0').stdout == \
        'The ip address configured is conflicted!\n'
    assert a2.run('hccn_tool', '-i', 1, '-ip', '-s', 'address', '10.20.2.999', 'netmask', '255.255.0.0').stdout == \
        'The ip address you configured is invalid!\n'
    assert a2.run('hccn_tool', '-i', 1, '-gateway', '-s', 'gateway', '10.20.0.1').stdout == \
        'Unable to configure gateway, because ip is not configured!\n'
    assert 'segment of configured gateway' in a2.run('hccn_tool', '-i', 0, '-gateway', '-s', 'gateway', '10.30.0.1').stdout
    done = a2.run('hccn_tool', '-i', 8, '-link', '-g')
    assert (done.returncode, done.stdout) == (1, 'Get invalid device id.\n')
    assert 'invalid major cmd type' in a2.run('hccn_tool', '-x', 0).stdout
    assert 'invalid major cmd.' in a2.run('hccn_tool', '-i', 0, '-teleport', '-g').stdout


def test_lldp_names_the_switch_port(a2):
    lldp = _hccn.parse_lldp(a2.run('hccn_tool', '-i', 5, '-lldp', '-g').stdout)
    assert (lldp['port_ifname'], lldp['system_name']) == ('400GE1/2/3:2', 'roce-leaf-1')


def test_ping_prints_the_real_layout_and_counts_real_replies(a2):
    configure(a2, 0, '10.20.2.0')
    a2.env['FAKE_PING_REACHABLE'] = '10.20.3.0'
    done = a2.run('hccn_tool', '-i', 0, '-ping', '-g', 'address', '10.20.3.0')
    assert done.returncode == 0
    real = capture('hccn', 'ping_success_arthurchiao-gpu-notes-2.txt')
    shape = [re.sub(r'[\d.]+', 'N', line) for line in real.splitlines()]
    assert [re.sub(r'[\d.]+', 'N', line) for line in done.stdout.splitlines()] == shape
    answer = _hccn.parse_ping(done.stdout)
    assert (answer['device'], answer['target'], answer['received']) == (0, '10.20.3.0', 3)
    lost = _hccn.parse_ping(a2.run('hccn_tool', '-i', 0, '-ping', '-g', 'address', '10.20.9.9').stdout)
    assert (lost['received'], lost['loss_percent']) == (0, 100.0)
    with open(a2.ip_state + '.log') as log:
        assert 'addr replace 10.20.2.0/16 dev eth1' in log.read()


def test_ping_from_a_down_or_unconfigured_port_fails_like_the_real_tool(a2):
    configure(a2, 0, '10.20.2.0')
    done = a2.run('hccn_tool', '-i', 1, '-ping', '-g', 'address', '10.20.3.0')
    assert (done.returncode, done.stdout) == (1, 'Get ipconf failed, because no ip was preset there!\n')
    assert a2.run('hccn_tool', '-i', 0, '-link', '-s', 'down').stdout == 'Cmd executed successfully!\n'
    done = a2.run('hccn_tool', '-i', 0, '-ping', '-g', 'address', '10.20.3.0')
    assert (done.returncode, done.stdout) == (1, 'Execute failed: Link status is down.\n')
    assert a2.run('hccn_tool', '-i', 0, '-lldp', '-g').stdout == capture('hccn', 'link_is_down_error_hccn_tool-source.txt')
    assert a2.run('hccn_tool', '-i', 0, '-cfg', 'recovery').returncode == 0
    assert a2.run('hccn_tool', '-i', 0, '-link', '-g').stdout == 'link status: UP\n'


def test_recovery_reloads_settings_from_hccn_conf(a2):
    configure(a2, 2, '10.20.2.2')
    path = os.path.join(a2.root, 'etc', 'hccn.conf')
    with open(path) as handle:
        edited = handle.read().replace('address_2=10.20.2.2', 'address_2=10.20.2.22')
    a2.write('etc/hccn.conf', edited)
    assert a2.run('hccn_tool', '-a', '-cfg', 'recovery').stdout == 'Cmd executed successfully!\n'
    assert _hccn.parse_ip(a2.run('hccn_tool', '-i', 2, '-ip', '-g').stdout)['address'] == '10.20.2.22'
    assert '10.20.2.22/16' in a2.interfaces()['eth1'] and '10.20.2.2/16' not in a2.interfaces()['eth1']


def test_hccn_check_logic_against_the_emulator(a3):
    for device in (0, 1):
        configure(a3, device, '10.20.2.%d' % device)
    a3.env['FAKE_PING_REACHABLE'] = '10.20.3.0,10.20.3.1'
    checker = _hccn.HccnChecker(a3.runner, 'hccn_tool', ping_concurrency=2)
    with open(os.path.join(a3.root, 'etc', 'hccn.conf')) as handle:
        conf = _hccn.parse_hccn_conf(handle.read())
    healthy = checker.run([0, 1], _hccn.CHECKS, {0: ['10.20.3.0'], 1: ['10.20.3.1']}, conf)
    assert healthy['problems'] == [] and healthy['healthy'] is True
    a3.set_state({'npus': {'1': {'link': 'DOWN'}}})
    report = checker.run([0, 1, 2], _hccn.CHECKS, {0: ['10.20.3.0'], 1: ['10.20.3.1'], 2: []}, conf)
    assert sorted(set((problem['npu'], problem['check']) for problem in report['problems'])) == [
        (1, 'link'), (1, 'lldp'), (1, 'net_health'), (1, 'ping'),
        (2, 'gateway'), (2, 'hccn_conf'), (2, 'ip'), (2, 'net_health'), (2, 'netdetect')]


def test_launchers_are_small_shell_scripts_that_exec_the_library():
    for tool in ('npu-smi', 'hccn_tool'):
        with open(os.path.join(EMULATOR, tool)) as handle:
            text = handle.read()
        assert text.startswith('#!/bin/sh\n') and os.access(os.path.join(EMULATOR, tool), os.X_OK)
        assert 'ascend_emu" %s "$@"' % tool in textwrap.dedent(text)


def _netns_usable() -> bool:
    if os.geteuid() != 0 or not shutil.which('unshare') or not shutil.which('ping') or not shutil.which('ip'):
        return False
    probe = subprocess.run(['unshare', '-n', 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'],
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _netns_usable(), reason='needs root, unshare, ip, ping and veth links in a new network namespace')
def test_real_ip_and_ping_in_a_private_network_namespace(a2):
    # The real iproute2 and iputils inside a throw-away network namespace: the machine's own interfaces are not touched.
    script = '''
set -e
ip link set lo up
ip link add v0 type veth peer name v1
ip addr add 10.20.0.11/16 dev v0
ip link set v0 up; ip link set v1 up
hccn=%(tool)s
$hccn -i 0 -ip -s address 10.20.2.0 netmask 255.255.0.0 >/dev/null
$hccn -i 1 -ip -s address 10.20.2.1 netmask 255.255.0.0 >/dev/null
ip -4 -o addr show dev v0
echo ===
$hccn -i 0 -ping -g address 10.20.2.1
echo ===
$hccn -i 1 -link -s down >/dev/null
$hccn -i 0 -ping -g address 10.20.2.1
echo ===
ip -4 -o addr show dev v0
''' % {'tool': os.path.join(EMULATOR, 'hccn_tool')}
    env = dict(a2.env, PATH=os.environ.get('PATH', ''))
    done = subprocess.run(['unshare', '-n', 'sh', '-c', script], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    before, reached, cut, after = done.stdout.split('===\n')
    assert '10.20.2.0/16' in before and '10.20.2.1/16' in before
    assert _hccn.parse_ping(reached)['received'] == 3
    assert _hccn.parse_ping(cut)['received'] == 0
    assert '10.20.2.0/16' in after and '10.20.2.1/16' not in after
