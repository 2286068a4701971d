# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The streamed sha256 that the bundle reader and weights_check share."""

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _bundle_read
from ansible_collections.ascend_ops.vllm.plugins.module_utils._digest import BLOCK, sha256_of
from ansible_collections.ascend_ops.vllm.plugins.modules import weights_check


@pytest.mark.parametrize('size', [0, 1, BLOCK - 1, BLOCK, 2 * BLOCK + 7])
def test_a_file_hashed_in_blocks_has_the_sha256_of_its_whole_bytes(tmp_path, size):
    data = bytes(range(256)) * (size // 256) + b'\x5a' * (size % 256)
    path = tmp_path / 'shard.safetensors'
    path.write_bytes(data)
    assert sha256_of(str(path)) == hashlib.sha256(data).hexdigest()


def test_a_missing_file_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        sha256_of(str(tmp_path / 'absent'))


def test_the_bundle_reader_and_weights_check_hash_with_it(tmp_path):
    (tmp_path / 'model.safetensors').write_bytes(b'weights' * 1000)
    expected = hashlib.sha256(b'weights' * 1000).hexdigest()
    assert _bundle_read.file_info(str(tmp_path), 'model.safetensors', checksums=True)['sha256'] == expected
    assert weights_check.WeightDirectory(str(tmp_path)).sha256('model.safetensors') == expected
    assert _bundle_read.sha256_of is sha256_of and weights_check.sha256_of is sha256_of
