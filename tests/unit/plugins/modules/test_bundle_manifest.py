# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bundle_manifest reads a bundle's manifest and files, and describes the files of artifacts for a new manifest."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.ascend_ops.vllm.plugins.modules import bundle_manifest

DRIVER = 'drivers/Ascend-hdk-910b-npu-driver_25.0.rc1.1_linux-aarch64.run'


def makeself_package(path, version_info):
    """A shell header that counts its lines (skip=, as makeself 2.4 writes it), then a tar.gz with version.info."""
    header = '#!/bin/sh\nskip="4"\n# makeself header\nexit 0\n'
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode='w:gz') as archive:
        member = tarfile.TarInfo('./version.info')
        member.size = len(version_info)
        archive.addfile(member, io.BytesIO(version_info))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header.encode() + payload.getvalue())


def run_module(capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        with patch_module_args(args):
            bundle_manifest.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@pytest.fixture(name='bundle')
def fixture_bundle(tmp_path):
    (tmp_path / 'wheels').mkdir()
    (tmp_path / 'wheels' / 'vllm_router-0.1.17-py3-none-any.whl').write_bytes(b'w' * 3000000)
    (tmp_path / 'weights' / 'Eco-Tech' / 'Qwen3.6-27B-w8a8' / '.msc').mkdir(parents=True)
    (tmp_path / 'weights' / 'Eco-Tech' / 'Qwen3.6-27B-w8a8' / 'config.json').write_text('{}')
    (tmp_path / 'weights' / 'Eco-Tech' / 'Qwen3.6-27B-w8a8' / '.msc' / 'x').write_text('bookkeeping')
    # Another version than the inventory asks for: the package says so, not the describe item.
    makeself_package(tmp_path / DRIVER, b'Version=24.1.0\n')
    return tmp_path


def test_describe_hashes_the_files_in_blocks_and_reads_driver_versions_from_the_package(capsys, bundle):
    code, result = run_module(capsys, {'path': str(bundle), 'describe': [
        {'kind': 'wheel', 'path': 'wheels'},
        {'kind': 'weights', 'name': 'Eco-Tech/Qwen3.6-27B-w8a8', 'version': '', 'path': 'weights/Eco-Tech/Qwen3.6-27B-w8a8'},
        {'kind': 'driver', 'name': 'Ascend-hdk-910b-npu-driver', 'version': '25.0.rc1.1', 'path': DRIVER},
        {'kind': 'image', 'name': 'quay.io/ascend/vllm-ascend:v0.18.0rc1', 'path': 'images/none.tar'}]})
    assert code == 0 and result['changed'] is False
    by_path = dict((entry['path'], entry) for entry in result['described'])
    assert sorted(by_path) == [DRIVER, 'weights/Eco-Tech/Qwen3.6-27B-w8a8/config.json', 'wheels/vllm_router-0.1.17-py3-none-any.whl']
    wheel = by_path['wheels/vllm_router-0.1.17-py3-none-any.whl']
    assert wheel['sha256'] == hashlib.sha256(b'w' * 3000000).hexdigest() and wheel['size'] == 3000000
    assert (wheel['name'], wheel['version']) == ('vllm-router', '0.1.17')
    assert by_path[DRIVER]['version'] == '24.1.0'
    assert result['document'] == {'format': 1, 'artifacts': sorted(result['described'], key=lambda entry: entry['path'])}
    # No manifest yet: said, not failed.
    assert 'cannot read' in result['error'] and result['manifest'] == []


def test_the_manifest_written_from_the_document_reads_back_with_every_file(capsys, bundle):
    _code, described = run_module(capsys, {'path': str(bundle), 'describe': [{'kind': 'wheel', 'path': 'wheels'}]})
    (bundle / 'manifest.json').write_text(json.dumps(described['document']))
    (bundle / 'wheels' / 'vllm_router-0.1.17-py3-none-any.whl').write_bytes(b'changed')
    code, result = run_module(capsys, {'path': str(bundle), 'checksums': False})
    assert code == 0 and result['error'] == ''
    assert result['files'] == {'wheels/vllm_router-0.1.17-py3-none-any.whl': {'size': 7, 'sha256': ''}}


def test_a_describe_item_outside_the_bundle_fails_naming_it(capsys, bundle):
    code, result = run_module(capsys, {'path': str(bundle), 'describe': [{'kind': 'wheel', 'path': '../etc'}]})
    assert code == 1 and 'describe item 1 needs a kind' in result['msg']
