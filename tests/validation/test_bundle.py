# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""deploy.yml on an offline bundle (ascend_offline_bundle): a bundle that does not match the inventory is refused before any
host is contacted, naming the artifact; a complete one gets past the validation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import first_line_names

A2_HOSTS = 'npu-a2-01, npu-a2-02'
A2_IMAGE = 'quay.io/ascend/vllm-ascend:v0.18.0rc1'
A3_IMAGE = 'quay.io/ascend/vllm-ascend:v0.18.0rc1-a3'
WEIGHTS = 'Eco-Tech/Qwen3.6-27B-w8a8'


def _artifacts() -> List[Dict[str, str]]:
    """What the conftest's site (two A2 nodes, one A3 node, aarch64) needs, with a few bytes standing for each file."""
    found = [
        {'name': A2_IMAGE, 'kind': 'image', 'version': 'v0.18.0rc1', 'path': 'images/quay.io_ascend_vllm-ascend_v0.18.0rc1.tar'},
        {'name': A3_IMAGE, 'kind': 'image', 'version': 'v0.18.0rc1-a3', 'path': 'images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar'},
        {'name': WEIGHTS, 'kind': 'weights', 'version': '', 'path': 'weights/%s/config.json' % WEIGHTS},
        {'name': WEIGHTS, 'kind': 'weights', 'version': '', 'path': 'weights/%s/model.safetensors' % WEIGHTS},
        {'name': 'docker.io', 'kind': 'deb', 'version': '26.1.5+dfsg1-9', 'path': 'debs/docker.io_26.1.5%2bdfsg1-9_arm64.deb'},
        {'name': 'python3-docker', 'kind': 'deb', 'version': '5.0.3-1', 'path': 'debs/python3-docker_5.0.3-1_all.deb'},
    ]
    for stem, firmware in (('Ascend-hdk-910b-npu', 'Ascend-hdk-910b-npu-firmware'), ('Atlas-A3-hdk-npu', 'Atlas-A3-hdk-npu-firmware')):
        found.append({'name': stem + '-driver', 'kind': 'driver', 'version': '25.0.rc1.1',
                      'path': 'drivers/%s-driver_25.0.rc1.1_linux-aarch64.run' % stem})
        found.append({'name': firmware, 'kind': 'driver', 'version': '7.7.0.1.231', 'path': 'drivers/%s_7.7.0.1.231.run' % firmware})
    return found


def _write_bundle(directory: Path) -> Path:
    """A tiny bundle as bundle.yml lays one out: small files and their manifest."""
    entries = []
    for artifact in _artifacts():
        data = ('%s %s\n' % (artifact['name'], artifact['path'])).encode()
        (directory / artifact['path']).parent.mkdir(parents=True, exist_ok=True)
        (directory / artifact['path']).write_bytes(data)
        entries.append(dict(artifact, size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    (directory / 'manifest.json').write_text(json.dumps({'format': 1, 'artifacts': entries}, indent=2))
    return directory


@pytest.fixture(name='bundle')
def fixture_bundle(tmp_path: Path) -> Path:
    return _write_bundle(tmp_path / 'bundle')


def _deploy(site, bundle: Path):
    site.set_group('all', ascend_offline_bundle=str(bundle))
    site.set_group('atlas_800_a2', npu_driver_reboot='false')
    return site.run('deploy.yml', '-e', 'container_engine_restart=no')


def test_a_complete_bundle_gets_past_validation(site, bundle):
    run = _deploy(site, bundle)
    run.assert_past_validation_then_unreachable()


def test_a_bundle_without_the_image_of_a_node_type_is_refused_naming_the_image(site, bundle):
    manifest = json.loads((bundle / 'manifest.json').read_text())
    manifest['artifacts'] = [entry for entry in manifest['artifacts'] if entry['name'] != A3_IMAGE]
    (bundle / 'manifest.json').write_text(json.dumps(manifest))
    (bundle / 'images' / 'quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar').unlink()
    run = _deploy(site, bundle)
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a3-01', 'ascend_vllm_version', 'playbooks/bundle.yml', 'the bundle has no image %s' % A3_IMAGE)
    assert A2_IMAGE + ' ' not in run.message


def test_a_changed_byte_is_refused_naming_the_artifact_for_every_host_that_needs_it(site, bundle):
    shard = bundle / 'weights' / WEIGHTS / 'model.safetensors'
    data = bytearray(shard.read_bytes())
    data[3] ^= 0x20
    shard.write_bytes(bytes(data))
    run = _deploy(site, bundle)
    run.assert_refused_before_any_host()
    # Every node serves the model: the problem is the whole inventory's, named once for the group of all.
    first_line_names(run, 'group all (%s, npu-a3-01)' % A2_HOSTS, 'ascend_model', 'make the bundle again',
                     'weights %s: weights/%s/model.safetensors has sha256 ' % (WEIGHTS, WEIGHTS))


def test_a_driver_of_another_version_is_refused_naming_what_the_bundle_has(site, bundle):
    site.set_group('atlas_800_a2', npu_driver_version='25.2.0')
    run = _deploy(site, bundle)
    run.assert_refused_before_any_host()
    first_line_names(run, 'group atlas_800_a2 (%s)' % A2_HOSTS, 'npu_driver_version', 'playbooks/bundle.yml',
                     'the bundle has driver Ascend-hdk-910b-npu-driver 25.0.rc1.1, not 25.2.0')


def test_a_bundle_without_a_manifest_is_refused_naming_the_setting(site, tmp_path):
    (tmp_path / 'empty').mkdir()
    run = _deploy(site, tmp_path / 'empty')
    run.assert_refused_before_any_host()
    first_line_names(run, 'group all (%s, npu-a3-01)' % A2_HOSTS, 'ascend_offline_bundle', 'playbooks/bundle.yml',
                     'cannot read %s' % (tmp_path / 'empty' / 'manifest.json'))
