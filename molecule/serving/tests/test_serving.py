"""After converge and idempotence: each node serves its plan, one container
per TP2 replica with exactly its NPUs, and every endpoint answers."""

from __future__ import annotations

import json
import os
import re

import docker
import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _npu_smi

from conftest import NPU_COUNT, created_epoch, hub_json, mgmt_address, started_epoch

SHARED_DEVICES = ['/dev/davinci_manager', '/dev/devmm_svm', '/dev/hisi_hdc']
DRIVER_PATHS = ['/usr/local/dcmi', '/usr/local/bin/npu-smi', '/usr/local/Ascend/driver/lib64',
                '/usr/local/Ascend/driver/tools/hccn_tool', '/usr/local/Ascend/driver/version.info', '/etc/ascend_install.info']
MODEL_DIR = '/srv/models/Eco-Tech/Qwen3.6-27B-w8a8'
REPOSITORY = 'Eco-Tech/Qwen3.6-27B-w8a8'
API_KEY = 'sv-test-key-3f9a'

# Runs on the node: GET or POST a replica's endpoint, print the status and body.
HTTP_PROBE = r'''
import json, sys, urllib.error, urllib.request
url, body, key = sys.argv[1], sys.argv[2], sys.argv[3]
request = urllib.request.Request(url, data=body.encode() if body else None, headers={'Content-Type': 'application/json'})
if key:
    request.add_header('Authorization', 'Bearer ' + key)
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        print(json.dumps({'status': response.status, 'body': response.read().decode()}))
except urllib.error.HTTPError as error:
    print(json.dumps({'status': error.code, 'body': error.read().decode()}))
'''


def http(host, port: int, path: str, body: dict = None, key: str = ''):
    command = "python3 -c %s http://127.0.0.1:%d%s %s %s" % (
        _quote(HTTP_PROBE), port, path, _quote(json.dumps(body) if body else ''), _quote(key))
    return json.loads(host.check_output(command))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def env_of(container) -> dict:
    return dict(item.split('=', 1) for item in container['Config']['Env'])


def test_node_is_filled_with_tp2_replicas(replicas, node_type):
    count = NPU_COUNT[node_type]
    assert len(replicas) == count // 2
    npus = [container['Config']['Labels']['ascend_ops.vllm.npus'] for container in replicas]
    assert npus == ['%d,%d' % (npu, npu + 1) for npu in range(0, count, 2)]
    for index, container in enumerate(replicas):
        assert container['Name'] == '/vllm-qwen3.6-r%d' % index
        assert container['State']['Running'] and container['State']['Health']['Status'] == 'healthy'
        assert container['Config']['Labels']['ascend_ops.vllm.port'] == str(8000 + index)
        assert container['Config']['Labels']['ascend_ops.vllm.model'] == 'qwen3.6-27b-w8a8'
        assert re.match('^[0-9a-f]{16}$', container['Config']['Labels']['ascend_ops.vllm.config_hash'])
        assert container['Config']['Image'] == 'registry.ascend.test:5000/ascend/vllm-ascend:v0.18.0rc1' + (
            '-a3' if node_type == 'atlas_800_a3' else '')


def test_each_container_has_exactly_its_npus(host, replicas):
    for container in replicas:
        npus = [int(npu) for npu in container['Config']['Labels']['ascend_ops.vllm.npus'].split(',')]
        devices = sorted(device['PathOnHost'] for device in container['HostConfig']['Devices'])
        assert devices == sorted(['/dev/davinci%d' % npu for npu in npus] + SHARED_DEVICES)
        name = container['Name'].lstrip('/')
        seen = host.check_output('docker exec %s ls /dev' % name).split()
        assert sorted(entry for entry in seen if entry.startswith('davinci')) == sorted(
            ['davinci%d' % npu for npu in npus] + ['davinci_manager'])
        # The driver's own tool, run inside the replica, sees only its NPUs.
        info = _npu_smi.parse_npu_smi_info(host.check_output('docker exec %s npu-smi info' % name))
        assert [npu['id'] for npu in info['npus']] == npus


def test_each_container_has_the_driver_mounts_and_host_network(replicas):
    for container in replicas:
        mounts = {mount['Destination']: mount for mount in container['Mounts']}
        for path in DRIVER_PATHS + ['/srv/models']:
            assert mounts[path]['Source'] == path and mounts[path]['RW'] is False, path
        assert container['HostConfig']['NetworkMode'] == 'host'
        assert container['HostConfig']['ShmSize'] == 1024 ** 3
        assert container['HostConfig']['RestartPolicy']['Name'] == 'unless-stopped'
        assert container['HostConfig']['Privileged'] is False


def test_each_replica_has_its_own_ports_and_no_visible_devices_variable(replicas):
    for index, container in enumerate(replicas):
        env = env_of(container)
        assert env['HCCL_IF_BASE_PORT'] == str(60000 + 100 * index)
        assert env['VLLM_PORT'] == str(20000 + 100 * index)
        assert env['HCCL_BUFFSIZE'] == '512' and env['VLLM_USE_MODELSCOPE'] == 'True'
        assert 'ASCEND_RT_VISIBLE_DEVICES' not in env
        assert 'VLLM_API_KEY' not in env


def test_serve_scripts_hold_the_tutorial_command(host, replicas):
    for index, container in enumerate(replicas):
        script = host.file('/etc/ascend_ops/vllm/vllm-qwen3.6-r%d.sh' % index)
        assert script.mode == 0o755 and script.user == 'root'
        text = script.content_string
        assert 'exec vllm serve %s ' % MODEL_DIR in text
        for flag in ('--tensor-parallel-size 2', '--max-model-len 133000', '--port %d' % (8000 + index),
                     '--quantization ascend', '--served-model-name qwen3.6', '--no-enable-prefix-caching'):
            assert flag in text
        assert 'export HCCL_IF_BASE_PORT=%d' % (60000 + 100 * index) in text
        assert 'ASCEND_RT_VISIBLE_DEVICES=' not in text and API_KEY not in text
        assert container['Config']['Cmd'] == ['/bin/bash', script.path]


def test_every_endpoint_is_healthy_and_completes(host, replicas, node_type):
    key = API_KEY if node_type == 'atlas_800_a3' else ''
    completion = {'model': 'qwen3.6', 'prompt': 'The capital of France is', 'max_tokens': 8, 'temperature': 0}
    for port in range(8000, 8000 + len(replicas)):
        assert http(host, port, '/health')['status'] == 200
        answer = http(host, port, '/v1/completions', completion, key)
        assert answer['status'] == 200, answer
        assert json.loads(answer['body'])['choices'][0]['text'].strip()


def test_api_key_guards_the_api_and_stays_secret(host, replicas, node_type):
    key_file = host.file('/etc/ascend_ops/vllm/api-key.env')
    if node_type != 'atlas_800_a3':
        assert not key_file.exists
        assert http(host, 8000, '/v1/models')['status'] == 200
        return
    assert key_file.mode == 0o600 and key_file.user == 'root'
    assert key_file.content_string == 'VLLM_API_KEY=%s\n' % API_KEY
    assert http(host, 8000, '/v1/models')['status'] == 401
    assert http(host, 8000, '/v1/models', key=API_KEY)['status'] == 200
    for container in replicas:
        assert API_KEY not in json.dumps(container)


def test_nothing_restarted_since_converge(host, replicas):
    """converge.yml records each replica's container id and start time; a
    restart in the idempotence run would have changed that file there (and
    failed idempotence). Here: the record is the running containers."""
    recorded = json.loads(host.file('/root/serving-replicas.json').content_string)
    running = [{'replica': container['Name'].lstrip('/'), 'container_id': container['Id'],
                'started_at': container['State']['StartedAt']} for container in replicas]
    assert sorted(recorded, key=lambda entry: entry['replica']) == sorted(running, key=lambda entry: entry['replica'])


def test_weights_verified_in_the_cache(host, node_type):
    record = json.loads(host.file(MODEL_DIR + '/.ascend_ops_weights.json').content_string)
    assert record['repository'] == REPOSITORY
    assert record['source'] == ('huggingface' if node_type == 'atlas_800_a3' else 'modelscope')
    listed = {entry['Path']: entry for entry in hub_json('/api/v1/models/%s/repo/files?Recursive=true' % REPOSITORY)['Data']['Files']
              if not entry['Path'].startswith('.')}
    assert set(record['files']) == set(listed)
    for path, entry in listed.items():
        assert record['files'][path]['size'] == entry['Size'] == host.file(MODEL_DIR + '/' + path).size
        assert record['files'][path]['sha256'] == entry['Sha256']


def test_weights_downloaded_once_and_never_again(node_container, node_type):
    """Converge fetched every file of the repository exactly once; the
    idempotence run fetched nothing (the hub logs every request)."""
    since, client = created_epoch(node_container), mgmt_address(node_container)
    depot = docker.from_env().containers.get('ascend-depot')
    if started_epoch(depot) > since:
        pytest.skip('the depot (and the hub request log it keeps in memory) was restarted after this node was made')
    listed = [entry['Path'] for entry in hub_json('/api/v1/models/%s/repo/files?Recursive=true' % REPOSITORY)['Data']['Files']]
    fetched = {}
    for request in hub_json('/_hub/requests'):
        if request['client'] != client or request['time'] < since or request['method'] != 'GET':
            continue
        match = (re.search(r'FilePath=([^&]+)', request['path']) if node_type == 'atlas_800_a2'
                 else re.search(r'^/%s/resolve/[^/]+/(.+)$' % REPOSITORY, request['path']))
        if match:
            fetched[match.group(1)] = fetched.get(match.group(1), 0) + 1
    wanted = [path for path in listed if node_type == 'atlas_800_a3' or not path.startswith('.')]
    assert fetched == dict.fromkeys(wanted, 1)


def test_report_lists_every_endpoint_healthy(node_name, node_type):
    reports = os.path.join(os.environ['MOLECULE_EPHEMERAL_DIRECTORY'], 'reports')
    latest = sorted(name for name in os.listdir(reports) if name.startswith('deploy-'))[-1]
    with open(os.path.join(reports, latest, 'summary.json')) as summary:
        rows = [row for row in json.load(summary)['rows'] if row['node'] == node_name]
    assert len(rows) == NPU_COUNT[node_type] // 2
    assert {row['health'] for row in rows} == {'healthy'}
    assert all(row['answer'] for row in rows)
