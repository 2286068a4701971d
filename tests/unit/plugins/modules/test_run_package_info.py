# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import io
import json
import tarfile

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.ascend_ops.vllm.plugins.modules import run_package_info
NAME = 'Ascend-hdk-910b-npu-driver_25.0.rc1.1_linux-aarch64.run'
DRIVER_INFO = b'Version=25.0.rc1.1\ncompatible_version_fw=[7.0.0,7.7.99]\npackage_version=25.0.rc1.1\n'


def makeself_package(path, version_info):
    """A shell header that counts its lines (skip=, as makeself 2.4 writes it), then a tar.gz with version.info."""
    header = '#!/bin/sh\nskip="4"\n# makeself header\nexit 0\n'
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode='w:gz') as archive:
        member = tarfile.TarInfo('./version.info')
        member.size = len(version_info)
        archive.addfile(member, io.BytesIO(version_info))
    path.write_bytes(header.encode() + payload.getvalue())


def run_module(capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        with patch_module_args(args):
            run_package_info.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


def test_a_staged_package_gives_its_version_info(capsys, tmp_path):
    makeself_package(tmp_path / NAME, DRIVER_INFO)
    code, result = run_module(capsys, {'path': str(tmp_path / NAME), '_ansible_check_mode': True})
    assert code == 0 and result['changed'] is False and result['exists'] is True
    assert result['version'] == '25.0.rc1.1' and result['version_info']['compatible_version_fw'] == '[7.0.0,7.7.99]'


def test_a_package_not_staged_yet_is_no_error(capsys, tmp_path):
    code, result = run_module(capsys, {'path': str(tmp_path / NAME)})
    assert code == 0 and result['exists'] is False and result['version_info'] == {} and result['version'] == ''


def test_a_file_that_is_no_package_fails_naming_it(capsys, tmp_path):
    (tmp_path / NAME).write_text('<html>404 Not Found</html>\n')
    code, result = run_module(capsys, {'path': str(tmp_path / NAME)})
    assert code == 1 and result['failed'] is True
    assert result['msg'].startswith('run_package_info: %s: not a makeself package' % (tmp_path / NAME))
