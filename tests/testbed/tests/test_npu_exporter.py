# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The emulated MindCluster NPU exporter: the real metric names, npu-smi's values, the package a user provides."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile

import pytest

from test_emulators import EMULATOR, Node  # noqa: I202  pylint: disable=import-error

HERE = os.path.dirname(os.path.abspath(__file__))
BUILDER = os.path.abspath(os.path.join(HERE, '..', 'driver', 'build-exporter-package.sh'))
SAMPLE = re.compile(r'^(?P<name>[a-z_]+)(\{(?P<labels>[^}]*)\})? (?P<value>\S+)$')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def samples(text):
    """{(name, id): value} of the exposition (id '' for unlabelled samples)."""
    found = {}
    for line in text.splitlines():
        if line.startswith('#') or not line:
            continue
        match = SAMPLE.match(line)
        assert match, 'not a Prometheus sample: %r' % line
        labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group('labels') or ''))
        found[(match.group('name'), labels.get('id', ''))] = float(match.group('value'))
    return found


class Exporter(object):
    """``npu-exporter -ip=127.0.0.1 -port=N`` of a test node, running."""

    def __init__(self, node, *extra):
        self.port = free_port()
        self.process = subprocess.Popen([os.path.join(EMULATOR, 'npu-exporter'), '-ip=127.0.0.1', '-port', str(self.port)]
                                        + list(extra), env=node.env, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                self.get('/metrics')
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise AssertionError('the exporter did not answer: %s' % self.process.stderr.read())

    def get(self, path):
        with urllib.request.urlopen('http://127.0.0.1:%d%s' % (self.port, path), timeout=5) as answer:
            return answer.status, answer.headers.get('Content-Type'), answer.read().decode('utf-8')

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def exporter(tmp_path):
    node = Node(tmp_path)
    running = Exporter(node)
    running.node = node
    yield running
    running.stop()


def test_metrics_carry_the_real_names_and_npu_smis_values(exporter):
    status, content_type, text = exporter.get('/metrics')
    assert status == 200 and content_type.startswith('text/plain; version=0.0.4')
    values = samples(text)
    assert values[('machine_npu_nums', '')] == 8
    info = {npu['id']: npu for npu in exporter.node.npu_smi_info()['npus']}
    for device in range(8):
        key = str(device)
        assert values[('npu_chip_info_health_status', key)] == 1
        assert values[('npu_chip_info_hbm_used_memory', key)] == info[device]['hbm_used_mb']
        assert values[('npu_chip_info_hbm_total_memory', key)] == 65536
        assert values[('npu_chip_info_temperature', key)] == info[device]['temp_c']
        assert ('npu_chip_info_utilization', key) in values and ('npu_chip_info_power', key) in values
    assert 'model_name="Ascend910B3"' in text


def test_a_fault_in_state_json_shows_at_the_next_scrape(exporter):
    exporter.node.set_state({'npus': {'3': {'health': 'Critical', 'temperature_c': 92},
                                      '5': {'processes': [{'pid': 4242, 'name': 'python3', 'memory_mb': 60000}]}}})
    values = samples(exporter.get('/metrics')[2])
    assert values[('npu_chip_info_health_status', '3')] == 0
    assert values[('npu_chip_info_health_status', '4')] == 1
    assert values[('npu_chip_info_error_code', '3')] != 0
    assert values[('npu_chip_info_temperature', '3')] == 92
    assert values[('npu_chip_info_hbm_used_memory', '5')] == 3400 + 60000  # idle + the process's
    assert [npu['temp_c'] for npu in exporter.node.npu_smi_info()['npus'] if npu['id'] == 3] == [92]


def test_other_paths_are_not_found(exporter):
    with pytest.raises(urllib.error.HTTPError) as error:
        exporter.get('/')
    assert error.value.code == 404


def test_without_the_driver_the_scrape_fails(exporter):
    os.remove(os.path.join(exporter.node.dev, 'davinci_manager'))
    with pytest.raises(urllib.error.HTTPError) as error:
        exporter.get('/metrics')
    assert error.value.code == 500


@pytest.mark.parametrize('args, message, code', [
    (['-port=8082'], 'the listen ip is invalid', 1),
    (['-ip=127.0.0.1', '-bogus=1'], 'flag provided but not defined: -bogus', 2),
    (['-ip=127.0.0.1', '-port=99999'], 'the port is invalid: 99999', 1),
])
def test_bad_flags_are_refused_like_go_flags(tmp_path, args, message, code):
    node = Node(tmp_path)
    done = node.run('npu-exporter', *args)
    assert done.returncode == code
    assert message in done.stdout + done.stderr


def test_without_the_driver_library_the_binary_does_not_start(tmp_path):
    node = Node(tmp_path, lib=str(tmp_path / 'no-driver'))
    done = node.run('npu-exporter', '-ip=127.0.0.1')
    assert done.returncode == 127 and 'libdcmi.so' in done.stderr


def test_the_package_is_a_zip_named_like_huaweis_with_the_binary(tmp_path):
    done = subprocess.run([BUILDER, '6.0.0', 'aarch64', str(tmp_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    package = done.stdout.strip()
    assert os.path.basename(package) == 'Ascend-mindxdl-npu-exporter_6.0.0_linux-aarch64.zip'
    with zipfile.ZipFile(package) as archive:
        assert sorted(archive.namelist()) == ['README.txt', 'npu-exporter']
        mode = archive.getinfo('npu-exporter').external_attr >> 16
        assert mode & 0o111, 'the binary is not executable in the archive'
        assert archive.read('npu-exporter').startswith(b'#!/bin/sh')
    again = subprocess.run([BUILDER, '6.0.0', 'aarch64', str(tmp_path)], capture_output=True, text=True, check=False)
    assert again.returncode == 0
    with open(package, 'rb') as first:
        assert first.read() == open(package, 'rb').read()


def test_the_builder_refuses_an_unknown_architecture(tmp_path):
    done = subprocess.run([BUILDER, '6.0.0', 'sparc', str(tmp_path)], capture_output=True, text=True, check=False)
    assert done.returncode == 64 and "unsupported architecture 'sparc'" in done.stderr
