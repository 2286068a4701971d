"""The emulated Atlas nodes behave like real ones, as seen from the node.

These checks need nodes but no molecule life cycle of their own, so they run
on the serving scenario's converged nodes (sv-a2, sv-a3) instead of a world
of two more nodes: the site's driver and firmware from the .run packages, the
real-format tools, NPU pings and a partition on the RoCE network, the way out
the offline site does not have. That a container sees only the NPUs it was
given is test_serving.py's test_each_container_has_exactly_its_npus, on every
replica.
"""

from __future__ import annotations

import json

import docker  # the controller's Docker SDK, as molecule's driver uses
from ansible_collections.ascend_ops.vllm.plugins.module_utils import _hccn, _npu_smi

from conftest import NPU_COUNT

TOOLS_PATH = 'PATH=/usr/local/Ascend/driver/tools:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'
STATE = '/var/lib/ascend-emulator/state.json'


def hccn(host, npu: int, *args: str):
    return host.run('%s hccn_tool -i %d %s' % (TOOLS_PATH, npu, ' '.join(args)))


def npu_address(host, npu: int) -> str:
    out = hccn(host, npu, '-ip', '-g')
    assert out.rc == 0, out.stderr
    return _hccn.parse_ip(out.stdout)['address']


def test_driver_and_firmware_installed_from_run_packages(host):
    driver = host.file('/usr/local/Ascend/driver/version.info')
    firmware = host.file('/usr/local/Ascend/firmware/version.info')
    assert driver.contains('^Version=25.0.rc1.1$')
    assert firmware.contains('^Version=7.7.0.1.231$')
    assert host.file('/etc/ascend_install.info').exists
    assert host.file('/usr/local/Ascend/driver/tools/hccn_tool').mode & 0o111
    assert host.user('HwHiAiUser').group == 'HwHiAiUser'


def is_char_device(host, path: str) -> bool:
    return host.run('test -c %s' % path).rc == 0


def test_device_nodes_match_the_board(host, node_type):
    count = NPU_COUNT[node_type]
    for npu in range(count):
        assert is_char_device(host, '/dev/davinci%d' % npu)
    assert not host.file('/dev/davinci%d' % count).exists
    for shared in ('davinci_manager', 'devmm_svm', 'hisi_hdc'):
        assert is_char_device(host, '/dev/' + shared)
    # The node's /dev is a tmpfs: the rule that recreates them at boot.
    assert host.file('/etc/tmpfiles.d/ascend-davinci.conf').contains('^c! /dev/davinci%d ' % (count - 1))


def test_npu_smi_prints_the_real_table(host, node_type):
    out = host.run('npu-smi info')
    assert out.rc == 0, out.stderr
    info = _npu_smi.parse_npu_smi_info(out.stdout)
    assert [npu['id'] for npu in info['npus']] == list(range(NPU_COUNT[node_type]))
    assert {npu['health'] for npu in info['npus']} == {'OK'}
    assert _npu_smi.guess_node_type(info['npus'], info['has_phy_id']) == node_type
    assert info['has_phy_id'] == (node_type == 'atlas_800_a3')
    assert {npu['hbm_total_mb'] for npu in info['npus']} == {65536}


def test_npu_smi_board_info_reports_installed_versions(host):
    out = host.run('npu-smi info -t board -i 0')
    assert out.rc == 0, out.stderr
    board = _npu_smi.parse_board_info(out.stdout)
    assert board['software_version'] == '25.0.rc1.1'
    assert board['firmware_version'] == '7.7.0.1.231'


def test_every_npu_link_up_with_its_address(host, node_type):
    for npu in range(NPU_COUNT[node_type]):
        assert _hccn.parse_link_status(hccn(host, npu, '-link', '-g').stdout) == 'UP'
        assert _hccn.parse_net_health(hccn(host, npu, '-net_health', '-g').stdout) == 'Success'
        address = npu_address(host, npu)
        assert address.startswith('10.20.')
        assert host.file('/etc/hccn.conf').contains('^address_%d=%s$' % (npu, address))


def test_npu_pings_the_other_nodes_npu(host, other_host):
    target = npu_address(other_host, 5)
    result = _hccn.parse_ping(hccn(host, 2, '-ping', '-g', 'address', target).stdout)
    assert (result['transmitted'], result['received']) == (3, 3)


def test_injected_faults_show(host):
    """A health fault, a link down and HBM in use, written to the node's
    state file, show in npu-smi and hccn_tool as on a sick real node."""
    fault = {'npus': {'3': {'health': 'Critical', 'link': 'DOWN',
                            'processes': [{'pid': 4242, 'name': 'python3', 'memory_mb': 30000}]}}}
    host.run("mkdir -p /var/lib/ascend-emulator && echo '%s' > %s" % (json.dumps(fault), STATE))
    try:
        info = _npu_smi.parse_npu_smi_info(host.run('npu-smi info').stdout)
        npu3 = next(npu for npu in info['npus'] if npu['id'] == 3)
        assert npu3['health'] != 'OK'
        assert npu3['hbm_used_mb'] >= 30000
        # Besides the serving replica that holds NPU 3 on this node.
        assert (3, 4242, 'python3') in [(p['id'], p['pid'], p['name']) for p in info['processes']]
        assert _hccn.parse_link_status(hccn(host, 3, '-link', '-g').stdout) == 'DOWN'
        assert _hccn.parse_link_status(hccn(host, 4, '-link', '-g').stdout) == 'UP'
    finally:
        host.run('rm -f %s' % STATE)
    healthy = _npu_smi.parse_npu_smi_info(host.run('npu-smi info').stdout)
    assert {npu['health'] for npu in healthy['npus']} == {'OK'}


def test_node_engine_pulled_the_serving_image_from_the_depot(host, node_type):
    suffix = '-a3' if node_type == 'atlas_800_a3' else ''
    out = host.run('docker image inspect registry.ascend.test:5000/ascend/vllm-ascend:v0.18.0rc1%s' % suffix)
    assert out.rc == 0, out.stderr


def test_partition_shows_as_packet_loss_and_heals(host, other_host):
    """Cutting a node off the RoCE network makes pings to it fail as the real
    tool reports it (all packets lost); reconnecting heals it."""
    network = docker.from_env().networks.get('ascend-roce')
    peer = other_host.ansible.get_variables()['inventory_hostname']
    target = npu_address(other_host, 0)
    network.disconnect(peer)
    try:
        cut = _hccn.parse_ping(hccn(host, 0, '-ping', '-g', 'address', target).stdout)
        assert (cut['transmitted'], cut['received']) == (3, 0)
    finally:
        network.connect(peer)
    # Any hccn_tool call re-applies the NPU addresses on the reconnected NIC.
    assert npu_address(other_host, 0) == target
    healed = _hccn.parse_ping(hccn(host, 0, '-ping', '-g', 'address', target).stdout)
    assert healed['received'] == 3


def test_node_has_no_way_out(host):
    """Offline site: the default route ends at the depot, which forwards nothing."""
    assert 'via 172.31.240.2 ' in host.run('ip route show default').stdout
    sources = host.file('/etc/apt/sources.list.d/local-repo.sources').content_string
    assert 'http://repo.ascend.test:8080/debian' in sources
    assert not host.file('/etc/apt/sources.list').exists
