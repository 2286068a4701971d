# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sha256 of a file on disk, read in 1 MiB blocks.

Private to the ascend_ops.vllm collection: the interface may change without notice.

One copy for every caller (``_bundle_read`` for a bundle's images and
weights, the ``weights_check`` module for a model's shards): the files are
tens of GB, so they are streamed and never read whole into memory.
"""

from __future__ import annotations

import hashlib

BLOCK = 1024 * 1024


def sha256_of(path: str) -> str:
    """The lower-case hex sha256 of the file at ``path``; raises OSError when it cannot be read."""
    digest = hashlib.sha256()
    with open(path, 'rb') as stream:
        for block in iter(lambda: stream.read(BLOCK), b''):
            digest.update(block)
    return digest.hexdigest()
