# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cross-node half of the NPU network check, on the results the hccn_check module returns.

Every node's results come from ``_hccn.HccnChecker`` (what the module runs) over an
hccn_tool that answers with the captured texts and the messages of hccn_tool's source,
on the cluster of the molecule scenario ``hccl``: two Atlas 800 A2 and one A3, NPU i
of the n-th node at 10.20.6n.(i+1). The faults are those of ``molecule/hccl/faults``,
and the messages asserted are the ones the scenario and the README assert.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import (
    HcclError,
    address_clashes,
    last_run,
    npu_problems,
    pending_settings,
    ping_outcomes,
    ping_pairs,
    ping_peers,
    ping_targets,
    problems,
    report,
    rows,
    shared_addresses,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccn import (
    MSG_LINK_DOWN,
    MSG_NO_GATEWAY,
    MSG_NO_IP,
    MSG_NOT_PRESET,
    HccnChecker,
    normalise_ping_targets,
)

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'hccn')
ALL_CHECKS = ['link', 'net_health', 'ip', 'hccn_conf', 'netdetect', 'gateway', 'lldp']
NPUS = {'atlas_800_a2': 8, 'atlas_800_a3': 16}
COLUMNS = ['node', 'npu', 'address', 'link', 'net_health', 'hccn_conf', 'netdetect', 'gateway', 'lldp', 'ping', 'status']


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


class Node(object):
    """One emulated node: its NPUs' settings, faults, /etc/hccn.conf, and an hccn_tool over them."""

    def __init__(self, name: str, index: int, node_type: str, cluster: 'Cluster') -> None:
        self.name, self.index, self.node_type, self.cluster = name, index, node_type, cluster
        self.npus = list(range(NPUS[node_type]))
        self.settings = dict((npu, {'address': '10.20.6%d.%d' % (index + 1, npu + 1), 'netmask': '255.255.0.0',
                                    'netdetect': '10.20.0.1', 'gateway': '10.20.0.1'}) for npu in self.npus)
        self.link_down = set()  # type: set
        self.broken = False

    def forget(self, npu: int) -> None:
        """A replaced NPU: no settings in the device nor in hccn.conf (molecule/hccl/tasks/forget_npu.yml)."""
        self.settings[npu] = {}

    def conf(self) -> Dict[int, Dict[str, str]]:
        return dict((npu, {'address': s['address'], 'netmask': s['netmask']}) for npu, s in self.settings.items() if 'address' in s)

    def hccn_tool(self, argv: List[str]) -> Any:
        if self.broken:
            raise OSError('[Errno 13] Permission denied')
        npu, command, rest = int(argv[2]), argv[3], argv[4:]
        settings = self.settings[npu]
        up = npu not in self.link_down
        if command == '-link':
            return 0, 'link status: %s\n' % ('UP' if up else 'DOWN'), ''
        if command == '-net_health':
            status = 'Fault' if not up else ('Init' if 'address' not in settings or 'netdetect' not in settings else 'Success')
            return 0, capture('net_health_success_mindie-deepseekv3-doc.txt').replace('Success', status), ''
        if command == '-ip':
            if 'address' not in settings:
                return 1, capture('ip_get_unconfigured_hccn_tool-source.txt'), ''
            return 0, 'ipaddr:%s\nnetmask:%s\n' % (settings['address'], settings['netmask']), ''
        if command == '-netdetect':
            if 'netdetect' not in settings:
                return 1, MSG_NOT_PRESET + '\n', ''
            return 0, 'netdetect address: %s\n' % settings['netdetect'], ''
        if command == '-gateway':
            if 'gateway' not in settings:
                return 1, MSG_NO_GATEWAY + '\n', ''
            return 0, 'default gateway:%s, Iface:eth%d\n' % (settings['gateway'], npu), ''
        if command == '-lldp':
            if not up:
                return 1, capture('link_is_down_error_hccn_tool-source.txt'), ''
            port = '400GE1/%d/%d:%d' % (self.index + 1, npu // 2 + 1, npu % 2 + 1)
            return 0, capture('lldp_get_full_CONSTRUCTED.txt').replace('400GE1/1/3:1', port), ''
        if command == '-ping':
            target = rest[-1]
            if not up:
                return 1, MSG_LINK_DOWN + '\n', ''
            if 'address' not in settings:
                return 1, MSG_NO_IP + '\n', ''
            if self.cluster.reaches(self, target):
                answer = capture('ping_success_arthurchiao-gpu-notes-2.txt')
                return 0, answer.replace('device 3 PING 29.1.137.205', 'device %d PING %s' % (npu, target)), ''
            return 0, capture('ping_loss_CONSTRUCTED.txt').replace('device 3 PING 29.1.137.206', 'device %d PING %s' % (npu, target)), ''
        return 1, 'Get invalid major cmd.', ''

    def runner(self, argv: List[str]) -> Any:
        try:
            return self.hccn_tool(argv)
        except OSError:
            # What AnsibleModule.run_command makes of a tool it cannot execute; the module fails, the role
            # rescues that and the node leaves the check without results.
            raise NodeFailed(self.name)


class NodeFailed(Exception):
    pass


class Cluster(object):
    """The molecule scenario's three nodes on one RoCE network."""

    def __init__(self) -> None:
        self.nodes = [Node('hc-a2-0', 0, 'atlas_800_a2', self), Node('hc-a2-1', 1, 'atlas_800_a2', self),
                      Node('hc-a3', 2, 'atlas_800_a3', self)]
        self.cut = set()  # type: set
        self.blackholes = []  # type: List[Any]

    def node(self, name: str) -> Node:
        return [node for node in self.nodes if node.name == name][0]

    def owner(self, address: str) -> Optional[Node]:
        for node in self.nodes:
            for npu, settings in node.settings.items():
                if settings.get('address') == address and npu not in node.link_down:
                    return node
        return None

    def reaches(self, source: Node, target: str) -> bool:
        owner = self.owner(target)
        if owner is None or source.name in self.cut or owner.name in self.cut:
            return False
        # A blackhole route on a node drops what it sends into the range, and its replies to it.
        source_in = [settings.get('address', '') for settings in source.settings.values()]
        for node, prefix in self.blackholes:
            if node == source.name and target.startswith(prefix):
                return False
            if node == owner.name and any(address.startswith(prefix) for address in source_in):
                return False
        return True

    def check(self, checks: Optional[List[str]] = None, pattern: str = 'ring', hops: Any = (1,)) -> Dict[str, Any]:
        """What the role computes, task by task, on every node; returns each node's facts and the report."""
        checks = ALL_CHECKS if checks is None else checks
        probes = {}  # type: Dict[str, Any]
        for node in self.nodes:
            try:
                probes[node.name] = HccnChecker(node.runner, 'hccn_tool', 1).run(
                    node.npus, sorted(set(checks) | {'ip'}), dict((npu, []) for npu in node.npus),
                    node.conf() if 'hccn_conf' in checks else None)
            except NodeFailed:
                probes[node.name] = None
        answers = dict((name, probe['npus'] if probe else None) for name, probe in probes.items())
        answered = dict((name, npus) for name, npus in answers.items() if npus is not None)
        shared = shared_addresses(answered)
        facts = {}  # type: Dict[str, Any]
        for node in self.nodes:
            if probes[node.name] is None:
                facts[node.name] = None
                continue
            pairs = ping_pairs(node.name, answered, pattern, hops)
            targets = ping_targets(pairs)
            pinged = []  # type: List[Any]
            if targets:
                npus = sorted(int(npu) for npu in targets)
                pinged = HccnChecker(node.runner, 'hccn_tool', 4).run(npus, [], normalise_ping_targets(targets, npus), None)['npus']
            outcomes = ping_outcomes(pairs, pinged)
            found = problems(node.name, probes[node.name], checks, len(node.npus), node.node_type, shared, outcomes)
            facts[node.name] = {'npus': answers[node.name], 'pairs': outcomes, 'problems': found,
                                'rows': rows(node.name, answers[node.name], found, outcomes, checks)}
        run = {'nodes': [node.name for node in self.nodes], 'checks': checks, 'ping_pattern': pattern,
               'ping_hops': list(hops) if pattern == 'ring' else [], 'started': '2026-11-25T01:56:44.000001Z'}
        return {'facts': facts, 'report': report(run['nodes'], facts, run)}


def messages(found: List[Dict[str, Any]]) -> List[str]:
    return [problem['message'] for problem in found]


def table_line(row: Dict[str, Any]) -> str:
    """A row as summary.md prints it (roles/report/templates/summary.md.j2)."""
    return '| %s |' % ' | '.join(str(row.get(column, '')) for column in COLUMNS)


def failing(result: Dict[str, Any]) -> List[str]:
    """The report's failing pairs as molecule/hccl/tasks/expect_report.yml writes them."""
    return sorted('%s:%s>%s:%s' % (pair['node'], pair['npu'], pair['peer'], pair['peer_npu'])
                  for pair in result['report']['data']['failing_pairs'])


def failed_nodes(result: Dict[str, Any]) -> List[str]:
    return sorted(set(row['node'] for row in result['report']['rows'] if row['status'] != 'ok'))


def expect_failures(result: Dict[str, Any], expected: Dict[str, List[str]]) -> None:
    """Each node of ``expected`` fails naming every string (as expect_nodes.yml reads it), the others pass."""
    for name, facts in result['facts'].items():
        if facts is None:
            continue
        said = 'hccl_check: %s has %d NPU network problems: %s' % (name, len(facts['problems']), '; '.join(messages(facts['problems'])))
        assert bool(facts['problems']) == (name in expected), said
        for text in expected.get(name, []):
            assert text in said, said


# ---------------------------------------------------------------- the healthy cluster


def test_the_healthy_cluster_has_32_rows_all_ok_and_40_pairs_as_the_scenario_asserts():
    result = Cluster().check()
    data = result['report']['data']
    assert len(result['report']['rows']) == 8 + 8 + 16
    assert [row['npu'] for row in result['report']['rows'] if row['node'] == 'hc-a3'] == list(range(16))
    assert set(row['status'] for row in result['report']['rows']) == {'ok'}
    assert data['healthy'] and data['problems'] == [] and data['nodes_without_result'] == []
    assert data['pairs_checked'] == 40
    assert data['pairs_per_node'] == {'hc-a2-0': 8, 'hc-a2-1': 16, 'hc-a3': 16}
    assert (data['ping_pattern'], data['ping_hops'], data['checks']) == ('ring', [1], ALL_CHECKS)
    lines = [table_line(row) for row in result['report']['rows']]
    assert '| hc-a2-1 | 0 | 10.20.62.1 | UP | Success | ok | 10.20.0.1 | 10.20.0.1 | 400GE1/2/1:1 | 2/2 ok | ok |' in lines
    assert '| hc-a3 | 15 | 10.20.63.16 | UP | Success | ok | 10.20.0.1 | 10.20.0.1 | 400GE1/3/8:2 | 1/1 ok | ok |' in lines
    assert '| hc-a2-0 | 0 | 10.20.61.1 | UP | Success | ok | 10.20.0.1 | 10.20.0.1 | 400GE1/1/1:1 | 1/1 ok | ok |' in lines


def test_the_ring_crosses_boards_of_different_sizes_wrapping_the_smaller_one():
    pairs = Cluster().check()['facts']
    a2_to_a3 = [(pair['npu'], pair['peer_npu']) for pair in pairs['hc-a2-1']['pairs']]
    assert sorted(a2_to_a3) == sorted([(x, x) for x in range(8)] + [(x, x + 8) for x in range(8)])
    a3_to_a2 = [(pair['npu'], pair['peer'], pair['peer_npu']) for pair in pairs['hc-a3']['pairs']]
    assert a3_to_a2 == [(x, 'hc-a2-0', x % 8) for x in range(16)]
    assert pairs['hc-a2-0']['pairs'][3]['address'] == '10.20.62.4'


# ---------------------------------------------------------------- the faults of molecule/hccl/faults


def test_link_down_fails_the_node_and_the_node_pinging_it_word_for_word():
    cluster = Cluster()
    cluster.node('hc-a2-1').link_down.add(3)
    result = cluster.check()
    expect_failures(result, {
        'hc-a2-1': ['hc-a2-1 NPU 3 link: saw DOWN, expected link status UP',
                    'hc-a2-1 NPU 3 net_health: saw Fault, expected net health status Success',
                    'hc-a2-1 NPU 3 lldp: saw Execute failed: Link status is down.',
                    'hc-a2-1 NPU 3 ping to hc-a3 NPU 3 (10.20.63.4): saw Execute failed: Link status is down.',
                    'hc-a2-1 NPU 3 ping to hc-a3 NPU 11 (10.20.63.12): saw Execute failed: Link status is down.'],
        'hc-a2-0': ['hc-a2-0 NPU 3 ping to hc-a2-1 NPU 3 (10.20.62.4): saw 0 of 3 replies, expected every packet answered'],
    })
    assert failing(result) == sorted(['hc-a2-0:3>hc-a2-1:3', 'hc-a2-1:3>hc-a3:3', 'hc-a2-1:3>hc-a3:11'])
    assert failed_nodes(result) == ['hc-a2-0', 'hc-a2-1']


def test_link_down_gives_the_readme_rows_and_the_readme_failure():
    cluster = Cluster()
    cluster.node('hc-a2-1').link_down.add(3)
    result = cluster.check()
    not_ok = [table_line(row) for row in result['report']['rows'] if row['status'] != 'ok']
    assert not_ok == [
        '| hc-a2-0 | 3 | 10.20.61.4 | UP | Success | ok | 10.20.0.1 | 10.20.0.1 | 400GE1/1/2:2 | 0/1 ok; failed: hc-a2-1 NPU 3 | ping |',
        '| hc-a2-1 | 3 | 10.20.62.4 | DOWN | Fault | ok | 10.20.0.1 | 10.20.0.1 | Execute failed: Link status is down. '
        '| 0/2 ok; failed: hc-a3 NPU 3, hc-a3 NPU 11 | link, net_health, lldp, ping |',
    ]
    assert '; '.join(messages(result['report']['problems'])) == (
        'hc-a2-0 NPU 3 ping to hc-a2-1 NPU 3 (10.20.62.4): saw 0 of 3 replies, expected every packet answered; '
        'hc-a2-1 NPU 3 link: saw DOWN, expected link status UP; '
        'hc-a2-1 NPU 3 net_health: saw Fault, expected net health status Success; '
        'hc-a2-1 NPU 3 lldp: saw Execute failed: Link status is down., expected a switch port (Ifname); '
        'hc-a2-1 NPU 3 ping to hc-a3 NPU 3 (10.20.63.4): saw Execute failed: Link status is down., expected every packet answered; '
        'hc-a2-1 NPU 3 ping to hc-a3 NPU 11 (10.20.63.12): saw Execute failed: Link status is down., expected every packet answered')
    ping = [problem for problem in result['report']['problems'] if problem['node'] == 'hc-a2-0'][0]
    assert (ping['check'], ping['peer'], ping['peer_npu'], ping['address'], ping['seen']) == (
        'ping', 'hc-a2-1', 3, '10.20.62.4', '0 of 3 replies')


def test_an_npu_without_an_address_fails_it_and_the_node_with_nothing_to_ping_there():
    cluster = Cluster()
    cluster.node('hc-a3').forget(12)
    result = cluster.check()
    expect_failures(result, {
        'hc-a3': ['hc-a3 NPU 12 ip: saw no address, expected an ipaddr and netmask',
                  'hc-a3 NPU 12 hccn_conf: saw no address_12',
                  'hc-a3 NPU 12 net_health: saw Init',
                  'hc-a3 NPU 12 netdetect: saw no detect address',
                  'hc-a3 NPU 12 gateway: saw no gateway',
                  'hc-a3 NPU 12 ping to hc-a2-0 NPU 4 (10.20.61.5): saw Get ipconf failed, because no ip was preset there!'],
        'hc-a2-1': ['hc-a2-1 NPU 4 ping to hc-a3 NPU 12 (no address): saw the peer NPU has no address'],
    })
    assert failing(result) == sorted(['hc-a3:12>hc-a2-0:4', 'hc-a2-1:4>hc-a3:12'])
    unpinged = [pair for pair in result['facts']['hc-a2-1']['pairs'] if pair['peer_npu'] == 12][0]
    assert (unpinged['address'], unpinged['transmitted'], unpinged['ok']) == (None, 0, False)


def test_a_node_cut_off_fails_every_pair_into_and_out_of_it():
    cluster = Cluster()
    cluster.cut.add('hc-a2-1')
    result = cluster.check()
    expect_failures(result, {
        'hc-a2-0': ['hc-a2-0 NPU 0 ping to hc-a2-1 NPU 0 (10.20.62.1): saw 0 of 3 replies',
                    'hc-a2-0 NPU 7 ping to hc-a2-1 NPU 7 (10.20.62.8): saw 0 of 3 replies'],
        'hc-a2-1': ['hc-a2-1 NPU 0 ping to hc-a3 NPU 0 (10.20.63.1): saw 0 of 3 replies',
                    'hc-a2-1 NPU 7 ping to hc-a3 NPU 15 (10.20.63.16): saw 0 of 3 replies'],
    })
    assert failing(result) == sorted(['hc-a2-0:%d>hc-a2-1:%d' % (x, x) for x in range(8)]
                                     + ['hc-a2-1:%d>hc-a3:%d' % (x % 8, x) for x in range(16)])
    assert result['report']['data']['pairs_failed'] == 24


def test_two_nodes_cut_from_each_other_fail_exactly_their_pairs():
    cluster = Cluster()
    cluster.blackholes.append(('hc-a3', '10.20.61.'))
    result = cluster.check()
    expect_failures(result, {
        'hc-a3': ['hc-a3 NPU 0 ping to hc-a2-0 NPU 0 (10.20.61.1): saw 0 of 3 replies',
                  'hc-a3 NPU 15 ping to hc-a2-0 NPU 7 (10.20.61.8): saw 0 of 3 replies'],
    })
    assert failing(result) == sorted('hc-a3:%d>hc-a2-0:%d' % (x, x % 8) for x in range(16))


def test_a_node_whose_tool_is_broken_leaves_the_ring_and_the_report_names_it():
    cluster = Cluster()
    cluster.node('hc-a2-1').broken = True
    result = cluster.check()
    expect_failures(result, {})
    assert [pair['peer'] for pair in result['facts']['hc-a2-0']['pairs']] == ['hc-a3'] * 16
    assert set(pair['peer'] for pair in result['facts']['hc-a3']['pairs']) == {'hc-a2-0'}
    data = result['report']['data']
    assert failing(result) == [] and data['nodes_without_result'] == ['hc-a2-1'] and not data['healthy']
    assert failed_nodes(result) == ['hc-a2-1']
    assert messages(result['report']['problems']) == [
        'hc-a2-1: no result (unreachable, failed before its checks ended: see its task error; or check mode'
        ' stopped after planning NPU settings)']
    assert [row for row in result['report']['rows'] if row['node'] == 'hc-a2-1'] == [
        {'node': 'hc-a2-1', 'npu': '-', 'status': 'no result'}]


def test_an_address_two_nodes_answer_to_is_named_on_both_owners():
    cluster = Cluster()
    cluster.node('hc-a3').settings[2]['address'] = '10.20.61.3'
    result = cluster.check()
    ip = [message for message in messages(result['report']['problems']) if ' ip: ' in message]
    assert ip == ['hc-a2-0 NPU 2 ip: saw 10.20.61.3 also on hc-a3 NPU 2, expected an address no other NPU has',
                  'hc-a3 NPU 2 ip: saw 10.20.61.3 also on hc-a2-0 NPU 2, expected an address no other NPU has']


def test_all_pairs_pings_every_npu_of_every_other_node():
    result = Cluster().check(pattern='all_pairs')
    assert result['report']['data']['pairs_per_node'] == {'hc-a2-0': 8 * 8 + 8 * 16, 'hc-a2-1': 8 * 8 + 8 * 16, 'hc-a3': 16 * 8 * 2}
    assert result['report']['data']['ping_hops'] == [] and result['report']['data']['healthy']


def test_a_subset_of_checks_shows_dashes_and_judges_only_those():
    cluster = Cluster()
    cluster.node('hc-a2-0').link_down.add(1)
    result = cluster.check(checks=['link'])
    row = [row for row in result['report']['rows'] if (row['node'], row['npu']) == ('hc-a2-0', 1)][0]
    assert (row['link'], row['net_health'], row['hccn_conf'], row['lldp'], row['netdetect'], row['address']) == (
        'DOWN', '-', '-', '-', '-', '10.20.61.2')
    assert [problem['check'] for problem in result['facts']['hc-a2-0']['problems']] == ['link', 'ping']


# ---------------------------------------------------------------- the parts, one by one


def _npus(prefix, count, skip=()):
    return [{'id': npu, 'ip': {'address': '%s.%d' % (prefix, npu + 1), 'netmask': '255.255.0.0'}}
            for npu in range(count) if npu not in skip]


def test_ring_peers_follow_the_hops_without_the_node_itself_or_repeats():
    ring = ['n0', 'n1', 'n2', 'n3']
    assert ping_peers('n3', ring) == ['n0']
    assert ping_peers('n1', ring, hops=[1, 2]) == ['n2', 'n3']
    assert ping_peers('n0', ring, hops=[1, 5, 4]) == ['n1']
    assert ping_peers('n0', ['n0']) == []
    assert ping_peers('n2', ring, pattern='all_pairs') == ['n0', 'n1', 'n3']


@pytest.mark.parametrize('kwargs, message', [
    ({'pattern': 'mesh'}, "pattern: expected one of ring, all_pairs, got 'mesh'"),
    ({'hops': [0]}, 'hops: expected a non-empty list of ring distances >= 1, got [0]'),
    ({'hops': []}, 'hops: expected a non-empty list'),
    ({'hops': '1'}, 'hops: expected a non-empty list'),
])
def test_a_wrong_pattern_or_hop_is_refused_naming_it(kwargs, message):
    with pytest.raises(HcclError, match='^' + message.replace('[', r'\[').replace(']', r'\]')):
        ping_peers('n0', ['n0', 'n1'], **kwargs)


def test_a_node_without_results_cannot_plan_pings():
    with pytest.raises(HcclError, match='n1 has no NPU results, so it is not in the ring'):
        ping_pairs('n1', {'n0': _npus('10.0.1', 2), 'n1': None})


def test_nodes_without_results_leave_the_ring_and_peers_without_npus_are_skipped():
    answers = {'n0': _npus('10.0.1', 2), 'n1': None, 'n2': [], 'n3': _npus('10.0.3', 2)}
    assert [pair['peer'] for pair in ping_pairs('n0', answers, hops=[1, 2])] == ['n3', 'n3']
    assert ping_pairs('n2', answers) == []


def test_a_sparse_board_pairs_the_npus_that_answered_and_keeps_addressless_peers():
    answers = {'n0': _npus('10.0.1', 4, skip=(2,)), 'n1': _npus('10.0.2', 4)}
    answers['n1'][1]['ip'] = None
    pairs = ping_pairs('n0', answers)
    assert [(pair['npu'], pair['peer_npu'], pair['address']) for pair in pairs] == [
        (0, 0, '10.0.2.1'), (1, 1, None), (3, 2, '10.0.2.3'), (0, 3, '10.0.2.4')]
    assert ping_targets(pairs) == {'0': ['10.0.2.1', '10.0.2.4'], '3': ['10.0.2.3']}


def test_outcomes_follow_the_module_answers_in_order_and_fail_what_was_not_pinged():
    pairs = [{'npu': 0, 'peer': 'b', 'peer_npu': 0, 'address': '10.0.2.1'},
             {'npu': 1, 'peer': 'b', 'peer_npu': 1, 'address': None},
             {'npu': 0, 'peer': 'c', 'peer_npu': 0, 'address': '10.0.3.1'},
             {'npu': 1, 'peer': 'c', 'peer_npu': 1, 'address': '10.0.3.2'}]
    answers = [{'id': 0, 'ping': [{'target': '10.0.2.1', 'transmitted': 3, 'received': 3},
                                  {'target': '10.0.3.1', 'transmitted': 3, 'received': 2}]},
               {'id': 1, 'ping': [{'target': '10.0.3.2', 'transmitted': 0, 'received': 0, 'error': MSG_LINK_DOWN}]}]
    outcomes = ping_outcomes(pairs, answers)
    assert [(o['npu'], o['peer'], o['ok'], o['received'], o['error']) for o in outcomes] == [
        (0, 'b', True, 3, None), (0, 'c', False, 2, None), (1, 'c', False, 0, MSG_LINK_DOWN),
        (1, 'b', False, 0, 'the peer NPU has no address')]
    assert ping_outcomes(pairs[1:2], []) == [dict(pairs[1], transmitted=0, received=0, error='the peer NPU has no address', ok=False)]
    assert ping_outcomes(pairs[:1], [])[0]['error'] == 'hccn_check returned no answer for this ping'
    assert ping_outcomes([], []) == []


def test_zero_packets_sent_is_not_a_success():
    pairs = [{'npu': 0, 'peer': 'b', 'peer_npu': 0, 'address': '10.0.2.1'}]
    assert ping_outcomes(pairs, [{'id': 0, 'ping': [{'transmitted': 0, 'received': 0}]}])[0]['ok'] is False


def test_inventory_clashes_name_every_owner_across_and_within_nodes():
    clashes = address_clashes({'hc-a2-0': ['10.20.61.1', '10.20.61.2'], 'hc-a2-1': ['10.20.61.2', '10.20.62.2', '10.20.62.2'],
                               'hc-a3': None})
    assert [clash['summary'] for clash in clashes] == ['10.20.61.2 (hc-a2-0 NPU 1, hc-a2-1 NPU 0)',
                                                       '10.20.62.2 (hc-a2-1 NPU 1, hc-a2-1 NPU 2)']
    assert clashes[0]['owners'] == [{'node': 'hc-a2-0', 'npu': 1}, {'node': 'hc-a2-1', 'npu': 0}]
    assert address_clashes({'a': ['10.0.0.1'], 'b': ['10.0.0.2']}) == []
    with pytest.raises(HcclError, match="a: hccl_check_npu_addresses must be a list of addresses, got '10.0.0.1'"):
        address_clashes({'a': '10.0.0.1'})


def test_shared_addresses_skip_npus_without_one_and_nodes_without_results():
    answers = {'a': _npus('10.0.1', 2) + [{'id': 2, 'ip': None}], 'b': [{'id': 0, 'ip': {'address': '10.0.1.2'}}], 'c': None}
    assert shared_addresses(answers) == [{'address': '10.0.1.2', 'owners': [{'node': 'a', 'npu': 1}, {'node': 'b', 'npu': 0}],
                                          'summary': '10.0.1.2 (a NPU 1, b NPU 0)'}]


def test_pending_settings_set_only_what_differs_address_before_gateway():
    current = [{'id': 0, 'ip': {'address': '10.20.21.1', 'netmask': '255.255.0.0'}, 'netdetect': '10.20.0.1',
                'gateway': {'address': '10.20.0.1', 'iface': 'eth0'}},
               {'id': 1, 'ip': {'address': '10.20.61.2', 'netmask': '255.255.0.0'}, 'netdetect': '10.20.0.1',
                'gateway': {'address': '10.20.0.1', 'iface': 'eth1'}},
               {'id': 2, 'ip': None, 'netdetect': None, 'gateway': None},
               {'id': 3, 'ip': {'address': '10.20.61.4', 'netmask': '255.255.255.0'}, 'netdetect': '10.20.0.1',
                'gateway': {'address': '10.20.0.1', 'iface': 'eth3'}},
               {'id': 4, 'ip': None, 'netdetect': None, 'gateway': None}]
    addresses = ['10.20.61.1', '10.20.61.2', '10.20.61.3', '10.20.61.4']
    pending = pending_settings(current, addresses, '255.255.0.0', '10.20.0.1', '10.20.0.1')
    assert [(change['npu'], change['setting']) for change in pending] == [
        (0, 'ip'), (2, 'ip'), (2, 'netdetect'), (2, 'gateway'), (3, 'ip')]
    assert pending[0]['summary'] == 'NPU 0 ip: 10.20.21.1 netmask 255.255.0.0 -> 10.20.61.1 netmask 255.255.0.0'
    assert pending[0]['args'] == ['-ip', '-s', 'address', '10.20.61.1', 'netmask', '255.255.0.0']
    assert pending[1]['current'] == 'none' and pending[1]['wanted'] == '10.20.61.3 netmask 255.255.0.0'
    assert pending[2]['args'] == ['-netdetect', '-s', 'address', '10.20.0.1'] and pending[2]['current'] == 'none'
    assert pending[3]['args'] == ['-gateway', '-s', 'gateway', '10.20.0.1']
    assert pending_settings(current, addresses, '255.255.0.0') == [pending[0], pending[1], pending[4]]
    assert pending_settings(current[1:2], addresses, '255.255.0.0', '10.20.0.1', '10.20.0.1') == []


def test_the_converge_check_step_plans_every_npu_and_the_blank_one_in_full():
    # After prepare: NPU i of the n-th node at the site's 10.20.(20+n).(i+1), NPU 5 of hc-a2-1 blank.
    cluster = Cluster()
    for node in cluster.nodes:
        for npu, settings in node.settings.items():
            settings['address'] = '10.20.%d.%d' % (21 + node.index, npu + 1)
    cluster.node('hc-a2-1').forget(5)
    for node in cluster.nodes:
        current = HccnChecker(node.runner, 'hccn_tool').run(node.npus, ['ip', 'netdetect', 'gateway'],
                                                            dict((npu, []) for npu in node.npus), None)['npus']
        addresses = ['10.20.6%d.%d' % (node.index + 1, npu + 1) for npu in node.npus]
        pending = pending_settings(current, addresses, '255.255.0.0', '10.20.0.1', '10.20.0.1')
        assert len(pending) == len(node.npus) + (2 if node.name == 'hc-a2-1' else 0)
        assert [change['setting'] for change in pending if change['npu'] == 5] == (
            ['ip', 'netdetect', 'gateway'] if node.name == 'hc-a2-1' else ['ip'])
        assert [change['wanted'] for change in pending if change['npu'] == 0] == ['10.20.6%d.1 netmask 255.255.0.0' % (node.index + 1)]


def test_npu_problems_keep_the_chosen_checks_and_name_missing_devices():
    probe = {'npus': [{'id': 0}, {'id': 2}],
             'problems': [{'npu': 0, 'check': 'ip', 'seen': 'no address', 'expected': 'an ipaddr and netmask',
                           'message': 'NPU 0 ip: saw no address, expected an ipaddr and netmask'},
                          {'npu': 2, 'check': 'link', 'seen': 'DOWN', 'expected': 'link status UP',
                           'message': 'NPU 2 link: saw DOWN, expected link status UP'}]}
    found = npu_problems('hc-a2-0', probe, ['link'], 4, 'atlas_800_a2')
    assert [(p['npu'], p['check'], p['seen']) for p in found] == [(2, 'link', 'DOWN'), (1, 'device', 'no /dev/davinci1'),
                                                                  (3, 'device', 'no /dev/davinci3')]
    assert messages(problems('hc-a2-0', probe, ['link'], 4, 'atlas_800_a2'))[1:] == [
        'hc-a2-0 NPU 1 device: saw no /dev/davinci1, expected the 4 NPUs of atlas_800_a2',
        'hc-a2-0 NPU 3 device: saw no /dev/davinci3, expected the 4 NPUs of atlas_800_a2']


def test_rows_show_a_missing_npu_and_unconfigured_settings():
    npus = [{'id': 0, 'link': 'UP', 'ip': None, 'netdetect': None, 'gateway': None, 'lldp': None, 'lldp_error': None, 'ping': []}]
    found = [{'node': 'n', 'npu': 0, 'check': 'hccn_conf', 'seen': 'no address_0', 'expected': 'x'},
             {'node': 'n', 'npu': 0, 'check': 'ip', 'seen': 'no address', 'expected': 'x'},
             {'node': 'n', 'npu': 0, 'check': 'hccn_conf', 'seen': 'again', 'expected': 'x'},
             {'node': 'n', 'npu': 1, 'check': 'device', 'seen': 'no /dev/davinci1', 'expected': 'x'}]
    table = rows('n', npus, found, [], ALL_CHECKS)
    assert table[0] == {'node': 'n', 'npu': 0, 'address': 'none', 'link': 'UP', 'net_health': '-', 'hccn_conf': 'no address_0',
                        'netdetect': 'none', 'gateway': 'none', 'lldp': 'none', 'ping': '-', 'status': 'hccn_conf, ip'}
    assert table[1] == {'node': 'n', 'npu': 1, 'address': '-', 'link': '-', 'net_health': '-', 'hccn_conf': '-',
                        'netdetect': '-', 'gateway': '-', 'lldp': '-', 'ping': '-', 'status': 'device'}


def test_the_last_run_is_the_newest_record():
    old = {'nodes': ['a', 'b', 'c'], 'started': '2026-11-25T01:56:44.000001Z'}
    new = {'nodes': ['a'], 'started': '2026-11-25T01:58:02.500000Z'}
    assert last_run([old, None, new, 'junk', {'nodes': ['x']}, old]) == new
    assert last_run([None, {}]) is None


def test_a_report_without_a_run_record_says_unknown():
    data = report(['a'], {'a': {'rows': [{'node': 'a', 'npu': 0, 'status': 'ok'}], 'problems': [], 'pairs': None}})['data']
    assert (data['checks'], data['ping_pattern'], data['ping_hops'], data['healthy']) == ('unknown', 'unknown', 'unknown', True)
    assert data['pairs_per_node'] == {} and data['nodes'] == ['a']
