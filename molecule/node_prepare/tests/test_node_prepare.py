"""State of the converged nodes, read on the nodes themselves."""

from __future__ import annotations

import json
import re
import time

from conftest import NPU_COUNT, other_host

CURRENT = {'driver': '25.0.rc1.1', 'firmware': '7.7.0.1.231'}
PREVIOUS = {'driver': '24.1.rc3', 'firmware': '7.5.0.5.220'}
OPERATION = re.compile(r'^(?P<verb>Install|Upgrade|Uninstall) \S+ root (?P<start>\S+ \S+) \S+ (?P<package>\S+) (?P<result>success|failed)')


def operations(host) -> list:
    """(verb, component, version, start) per line of the installers' operation log, oldest first."""
    found = []
    for line in host.file('/var/log/ascend_seclog/operation.log').content_string.splitlines():
        match = OPERATION.match(line)
        assert match, line
        assert match.group('result') == 'success', line
        package = match.group('package')
        component = 'firmware' if 'firmware' in package else 'driver'
        version = re.search(r'(?:driver|firmware)_([0-9][0-9A-Za-z.]*?)(?:_linux-[^.]+)?\.run$', package).group(1)
        found.append((match.group('verb'), component, version, match.group('start')))
    return found


def test_wanted_versions_installed(host):
    for component, version in CURRENT.items():
        assert host.file('/usr/local/Ascend/%s/version.info' % component).contains('^Version=%s$' % re.escape(version))


def test_fresh_node_got_driver_then_firmware(host, groups):
    if 'upgraded' in groups:
        return
    assert [operation[:3] for operation in operations(host)] == [
        ('Install', 'driver', CURRENT['driver']), ('Install', 'firmware', CURRENT['firmware'])]


def test_upgrade_put_firmware_before_driver(host, groups):
    if 'upgraded' not in groups:
        return
    assert [operation[:3] for operation in operations(host)] == [
        ('Install', 'driver', PREVIOUS['driver']), ('Install', 'firmware', PREVIOUS['firmware']),
        ('Upgrade', 'firmware', CURRENT['firmware']), ('Upgrade', 'driver', CURRENT['driver'])]


def test_node_restarted_after_the_driver_install(host):
    """PID 1 (systemd) started after the last driver install: the reboot handler ran, and the play went on."""
    last_driver = [operation[3] for operation in operations(host) if operation[1] == 'driver'][-1]
    installed_at = int(host.check_output('date +%%s -d %s', last_driver))
    booted_at = int(time.time()) - int(host.check_output('ps -o etimes= -p 1'))
    assert booted_at >= installed_at - 1


def test_device_nodes_back_after_the_restart(host, node_type):
    """The driver's tmpfiles rules made the device nodes again when the node restarted."""
    count = NPU_COUNT[node_type]
    paths = ['/dev/davinci%d' % npu for npu in range(count)] + ['/dev/davinci_manager', '/dev/devmm_svm', '/dev/hisi_hdc']
    kinds = host.check_output("stat --printf '%n %F\\n' " + ' '.join(paths)).splitlines()
    assert kinds == ['%s character special file' % path for path in paths]
    assert not host.file('/dev/davinci%d' % count).exists


def test_run_user_and_install_record(host):
    assert host.group('HwHiAiUser').exists
    assert host.user('HwHiAiUser').group == 'HwHiAiUser'
    assert host.user('HwHiAiUser').shell == '/usr/sbin/nologin'
    info = host.file('/etc/ascend_install.info')
    assert info.contains('^UserName=HwHiAiUser$')
    assert info.contains('^Driver_Install_For_All=yes$')


def test_local_fact_records_the_versions(host, node_type):
    fact = json.loads(host.file('/etc/ansible/facts.d/ascend_npu_driver.fact').content_string)
    assert fact == {'node_type': node_type, 'driver_version': CURRENT['driver'], 'firmware_version': CURRENT['firmware'],
                    'user': 'HwHiAiUser', 'group': 'HwHiAiUser'}


def test_engine_running_with_its_configuration(host):
    docker = host.service('docker')
    assert docker.is_running
    assert docker.is_enabled
    config = json.loads(host.file('/etc/docker/daemon.json').content_string)
    assert config == {'insecure-registries': ['registry.ascend.test:5000'], 'log-driver': 'json-file',
                      'log-opts': {'max-file': '3', 'max-size': '100m'}}
    registries = json.loads(host.check_output("docker info --format '{{json .RegistryConfig.IndexConfigs}}'"))
    assert registries['registry.ascend.test:5000']['Secure'] is False
    assert host.check_output("docker info --format '{{.LoggingDriver}}'") == 'json-file'


def test_local_weight_cache(host, groups):
    if 'shared_cache' in groups:
        return
    cache = host.file('/data/models')
    assert cache.is_directory
    assert (cache.user, cache.group, cache.mode) == ('root', 'root', 0o755)
    assert host.check_output('findmnt --noheadings --output TARGET --target /data/models') == '/'


def test_shared_weight_cache_is_one_storage(host, groups):
    if 'shared_cache' not in groups:
        return
    assert host.check_output('findmnt --noheadings --output TARGET --target /data/models') == '/data/models'
    assert sorted(host.file('/data/models/.ascend_ops_nodes').listdir()) == ['np-a2up', 'np-a3']
    this = host.backend.get_hostname()
    other = other_host('np-a2up' if this == 'np-a3' else 'np-a3')
    token = 'written by %s at %f' % (this, time.time())
    host.check_output('echo %s > /data/models/.np-probe-%s', token, this)
    try:
        assert other.file('/data/models/.np-probe-%s' % this).content_string.strip() == token
    finally:
        host.run('rm -f /data/models/.np-probe-%s', this)
