# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import os
import threading

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccn import (
    CHECKS,
    HccnChecker,
    HccnCommandError,
    HccnParseError,
    normalise_ping_targets,
    parse_gateway,
    parse_hccn_conf,
    parse_ip,
    parse_link_status,
    parse_lldp,
    parse_net_health,
    parse_netdetect,
    parse_ping,
    present_npu_ids,
)

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'hccn')


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def test_link_status_up_and_down():
    assert parse_link_status(capture('link_get_up_mindcluster-faultdiag-doc.txt')) == 'UP'
    assert parse_link_status(capture('link_get_down_CONSTRUCTED.txt')) == 'DOWN'
    with pytest.raises(HccnParseError, match='link status'):
        parse_link_status(capture('link_is_down_error_hccn_tool-source.txt'))


@pytest.mark.parametrize('name, status', [
    ('net_health_success_mindie-deepseekv3-doc.txt', 'Success'),
    ('net_health_fault_mindcluster-doc.txt', 'Fault'),
    ('net_health_init_mindcluster-faultdiag-doc.txt', 'Init'),
])
def test_net_health_statuses(name, status):
    assert parse_net_health(capture(name)) == status


def test_net_health_keeps_multi_word_statuses_and_refuses_other_text():
    assert parse_net_health('net health status: Receive timeout\n') == 'Receive timeout'
    with pytest.raises(HccnParseError):
        parse_net_health('Get invalid device id.\n')


def test_netdetect_and_gateway_addresses():
    assert parse_netdetect(capture('netdetect_get_mindie-deepseekv3-doc.txt')) == '11.12.165.1'
    assert parse_gateway(capture('gateway_get_mindie-deepseekv3-doc.txt')) == {'address': '11.12.165.1', 'iface': 'eth0'}
    assert parse_gateway(capture('gateway_get_unconfigured_hccn_tool-source.txt')) is None
    assert parse_netdetect('The confuguraion does not exist! Please preset firstly!\n') is None
    with pytest.raises(HccnParseError, match='default gateway'):
        parse_gateway('Cmd execute failed!\n')


def test_ip_configured_and_unconfigured():
    assert parse_ip(capture('ip_get_arthurchiao-gpu-notes-2.txt')) == {'address': '29.1.112.213', 'netmask': '255.255.0.0'}
    assert parse_ip(capture('ip_get_unconfigured_hccn_tool-source.txt')) is None
    # The loop over 8 NPUs prints pairs back to back; one command answers for one NPU, the first pair.
    assert parse_ip(capture('ip_get_8npu_loop_mindie-deepseekv3-doc.txt'))['address'] == '11.12.165.80'
    with pytest.raises(HccnParseError, match='ipaddr'):
        parse_ip('ipaddr:10.0.0.1\n')


def test_lldp_capture_gives_the_switch_port_despite_elided_lines():
    lldp = parse_lldp(capture('lldp_get_arthurchiao-gpu-notes-2.txt'))
    assert lldp['port_ifname'] == '400GE1/1/20:2'
    assert lldp['port_id'] == 'Ifname: 400GE1/1/20:2'
    assert lldp['max_frame_size'] == 9216
    assert lldp['management_address'] == '26.xx.xx.xx'
    assert lldp['system_description'].endswith('Huarong DX511')
    assert lldp['system_name'] is None


def test_lldp_with_system_name_and_ttl():
    lldp = parse_lldp(capture('lldp_get_full_CONSTRUCTED.txt'))
    assert (lldp['port_ifname'], lldp['system_name'], lldp['ttl']) == ('400GE1/1/3:1', 'roce-leaf-1', 120)
    assert lldp['chassis_id'] == '52:54:00:14:00:01'


def test_lldp_refuses_text_without_tlvs():
    with pytest.raises(HccnParseError, match='Port ID TLV'):
        parse_lldp(capture('link_is_down_error_hccn_tool-source.txt'))


def test_ping_summaries():
    ok = parse_ping(capture('ping_success_arthurchiao-gpu-notes-2.txt'))
    assert (ok['device'], ok['target'], ok['transmitted'], ok['received'], ok['loss_percent']) == (3, '29.1.137.205', 3, 3, 0.0)
    assert [reply['seq'] for reply in ok['replies']] == [0, 1, 2]
    assert ok['replies'][0]['time_ms'] == pytest.approx(1.418)
    lost = parse_ping(capture('ping_loss_CONSTRUCTED.txt'))
    assert (lost['received'], lost['loss_percent'], lost['replies']) == (0, 100.0, [])
    partial = parse_ping(capture('ping_partial_loss_CONSTRUCTED.txt'))
    assert (partial['received'], partial['loss_percent']) == (2, pytest.approx(33.33))
    with pytest.raises(HccnParseError, match='packets transmitted'):
        parse_ping(capture('link_is_down_error_hccn_tool-source.txt'))


def test_hccn_conf_by_npu():
    text = capture('hccn_conf_arthurchiao-gpu-notes-2.txt')
    # The author elided NPUs 1-6 with a "..." line, which a real file never holds.
    conf = parse_hccn_conf('\n'.join(line for line in text.splitlines() if line != '...'))
    assert sorted(conf) == [0, 7]
    assert conf[7] == {'address': '29.1.170.143', 'netmask': '255.255.0.0', 'netdetect': '29.1.0.1',
                       'gateway': '29.1.0.1', 'send_arp_status': '1'}
    with pytest.raises(HccnParseError, match='line 6'):
        parse_hccn_conf(text)
    assert parse_hccn_conf('# managed\n\naddress_12=10.0.0.12\n') == {12: {'address': '10.0.0.12'}}


def test_present_npu_ids_reads_davinci_nodes_only(tmp_path):
    for name in ('davinci0', 'davinci10', 'davinci2', 'davinci_manager', 'devmm_svm', 'davinciX'):
        (tmp_path / name).write_text('')
    assert present_npu_ids(str(tmp_path)) == [0, 2, 10]
    assert present_npu_ids(str(tmp_path / 'missing')) == []


def test_ping_targets_list_mapping_and_errors():
    assert normalise_ping_targets(['10.0.0.1'], [0, 1]) == {0: ['10.0.0.1'], 1: ['10.0.0.1']}
    assert normalise_ping_targets({'1': '10.0.0.9'}, [0, 1]) == {0: [], 1: ['10.0.0.9']}
    assert normalise_ping_targets(None, [3]) == {3: []}
    with pytest.raises(ValueError, match='not checked: 5'):
        normalise_ping_targets({5: ['10.0.0.1']}, [0, 1])
    with pytest.raises(ValueError, match='keys are NPU ids'):
        normalise_ping_targets({'eth0': []}, [0])
    with pytest.raises(ValueError, match='a list of addresses'):
        normalise_ping_targets('10.0.0.1', [0])


class FakeHccnTool(object):
    """An hccn_tool built from the captures; ``faults`` maps NPU -> {'link': 'DOWN', 'ip': None, ...}."""

    def __init__(self, npus, faults=None, lost_targets=()):
        self.npus = npus
        self.faults = faults or {}
        self.lost_targets = lost_targets
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, argv):
        with self.lock:
            self.calls.append(argv[1:])
        npu, command = int(argv[2]), argv[3]
        if npu not in self.npus:
            return 1, '', 'Get invalid device id.'
        fault = self.faults.get(npu, {})
        link_down = fault.get('link') == 'DOWN'
        if command == '-link':
            return 0, 'link status: %s' % ('DOWN' if link_down else 'UP'), ''
        if command == '-net_health':
            return 0, 'net health status: %s' % ('Fault' if link_down else 'Success'), ''
        if command == '-netdetect':
            return 0, 'netdetect address: 10.20.0.1', ''
        if command == '-gateway':
            return 0, 'default gateway:10.20.0.1, Iface:eth%d' % npu, ''
        if command == '-ip':
            if fault.get('ip', True) is None:
                return 1, capture('ip_get_unconfigured_hccn_tool-source.txt'), ''
            return 0, 'ipaddr:10.20.1.%d\nnetmask:255.255.0.0\n' % npu, ''
        if command == '-lldp':
            if link_down:
                return 1, capture('link_is_down_error_hccn_tool-source.txt'), ''
            return 0, capture('lldp_get_full_CONSTRUCTED.txt'), ''
        if command == '-ping':
            if link_down:
                return 1, capture('link_is_down_error_hccn_tool-source.txt'), ''
            target = argv[-1]
            if target in self.lost_targets:
                return 0, 'device %d PING %s\n3 packets transmitted, 0 received, 100.00%% packet loss\n' % (npu, target), ''
            success = capture('ping_success_arthurchiao-gpu-notes-2.txt')
            return 0, success.replace('device 3 PING 29.1.137.205', 'device %d PING %s' % (npu, target)), ''
        return 1, 'Get invalid major cmd.', ''


def healthy_conf(npus):
    return dict((npu, {'address': '10.20.1.%d' % npu, 'netmask': '255.255.0.0'}) for npu in npus)


def test_healthy_npus_have_no_problems_and_every_answer_is_kept():
    tool = FakeHccnTool([0, 1])
    report = HccnChecker(tool, 'hccn_tool', ping_concurrency=1).run(
        [0, 1], CHECKS, {0: ['10.20.2.0'], 1: ['10.20.2.1']}, healthy_conf([0, 1]))
    assert report['healthy'] is True and report['problems'] == []
    first = report['npus'][0]
    assert first['link'] == 'UP' and first['net_health'] == 'Success'
    assert first['ip'] == {'address': '10.20.1.0', 'netmask': '255.255.0.0'}
    assert first['gateway'] == {'address': '10.20.0.1', 'iface': 'eth0'}
    assert first['lldp']['port_ifname'] == '400GE1/1/3:1'
    assert first['hccn_conf'] == {'address': '10.20.1.0', 'netmask': '255.255.0.0'}
    assert [(ping['target'], ping['received']) for ping in report['npus'][1]['ping']] == [('10.20.2.1', 3)]


def test_faults_become_problems_naming_npu_check_seen_and_expected():
    tool = FakeHccnTool([0, 1, 2], faults={1: {'link': 'DOWN'}, 2: {'ip': None}}, lost_targets=('10.20.9.9',))
    conf = healthy_conf([0, 1])
    report = HccnChecker(tool, 'hccn_tool', ping_concurrency=1).run([0, 1, 2], CHECKS, {0: ['10.20.9.9'], 1: ['10.20.2.1'], 2: []}, conf)
    assert report['healthy'] is False
    found = set((problem['npu'], problem['check']) for problem in report['problems'])
    assert found == {(0, 'ping'), (1, 'link'), (1, 'net_health'), (1, 'lldp'), (1, 'ping'), (2, 'ip'), (2, 'hccn_conf')}
    link = [problem for problem in report['problems'] if problem['check'] == 'link'][0]
    assert link['seen'] == 'DOWN' and 'UP' in link['expected'] and link['message'].startswith('NPU 1 link')
    assert report['npus'][1]['lldp_error'] == 'Execute failed: Link status is down.'
    refused = report['npus'][1]['ping'][0]
    assert refused['received'] == 0 and refused['error'] == 'Execute failed: Link status is down.'
    lost = [problem for problem in report['problems'] if problem['npu'] == 0][0]
    assert '0 of 3 replies from 10.20.9.9' in lost['seen']


def test_only_the_chosen_checks_run():
    tool = FakeHccnTool([4])
    report = HccnChecker(tool, 'hccn_tool').run([4], ['link'], {4: []}, None)
    assert tool.calls == [['-i', '4', '-link', '-g']]
    assert report['healthy'] is True and 'ip' not in report['npus'][0]


def test_missing_hccn_conf_and_a_mismatching_address_are_problems():
    tool = FakeHccnTool([0, 1])
    missing = HccnChecker(tool, 'hccn_tool').run([0], ['hccn_conf'], {0: []}, None)
    assert missing['problems'][0]['seen'] == 'no hccn.conf'
    conf = {0: {'address': '10.20.1.0'}, 1: {'address': '10.20.1.99'}}
    mismatch = HccnChecker(tool, 'hccn_tool').run([0, 1], ['hccn_conf'], {0: [], 1: []}, conf)
    assert [(problem['npu'], problem['seen']) for problem in mismatch['problems']] == [
        (1, 'address_1=10.20.1.99 while the NPU has 10.20.1.1')]


def test_pings_run_concurrently_and_keep_their_order():
    tool = FakeHccnTool([0, 1])
    targets = {0: ['10.20.2.%d' % n for n in range(5)], 1: ['10.20.3.1']}
    report = HccnChecker(tool, 'hccn_tool', ping_concurrency=4).run([0, 1], ['link'], targets, None)
    assert [ping['target'] for ping in report['npus'][0]['ping']] == targets[0]
    assert [ping['device'] for ping in report['npus'][1]['ping']] == [1]


def test_an_unknown_npu_is_a_command_error_not_a_problem():
    with pytest.raises(HccnCommandError, match='NPU 9 does not exist'):
        HccnChecker(FakeHccnTool([0]), 'hccn_tool').run([9], ['link'], {9: []}, None)


def test_unparseable_output_with_rc_zero_is_a_parse_error():
    def garbled(argv):
        return 0, 'Segmentation fault', ''
    with pytest.raises(HccnParseError, match='net health status'):
        HccnChecker(garbled, 'hccn_tool').run([0], ['net_health'], {0: []}, None)


def test_unparseable_output_with_an_error_rc_is_a_command_error():
    def failing(argv):
        return 2, '', 'Cmd execute failed!'
    with pytest.raises(HccnCommandError, match=r'-netdetect -g failed \(rc=2\): Cmd execute failed!'):
        HccnChecker(failing, 'hccn_tool').run([0], ['netdetect'], {0: []}, None)
