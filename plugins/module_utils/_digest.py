# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sha256 of a file on disk, read in 1 MiB blocks.

Private to the ascend_ops.vllm collection: the interface may change without notice.

One copy for every caller (``_bundle_read`` for a bundle's images and
weights, the ``weights_check`` module for a model's shards): the files are
tens of GB, so they are streamed and never read whole into memory.

:func:`directory_manifest` names a directory of files by their contents (the
router's wheels on the controller): a role copies the directory only when
the manifest it left on the host last time differs, instead of asking the
host about every file on every run.
"""

from __future__ import annotations

import hashlib
import os

BLOCK = 1024 * 1024


def sha256_of(path: str) -> str:
    """The lower-case hex sha256 of the file at ``path``; raises OSError when it cannot be read."""
    digest = hashlib.sha256()
    with open(path, 'rb') as stream:
        for block in iter(lambda: stream.read(BLOCK), b''):
            digest.update(block)
    return digest.hexdigest()


def directory_manifest(path: str) -> str:
    """One line per regular file under ``path``, sorted: ``<sha256>  <size>  <relative path>``.

    Symbolic links are followed as ``ansible.builtin.copy`` follows them;
    raises OSError when ``path`` is not a readable directory.
    """
    if not os.path.isdir(path):
        raise OSError('%s is not a directory' % path)
    lines = []
    for root, dirs, files in os.walk(path, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            if not os.path.isfile(full):
                continue
            relative = os.path.relpath(full, path)
            lines.append('%s  %d  %s' % (sha256_of(full), os.path.getsize(full), relative))
    lines.sort(key=lambda line: line.split('  ', 2)[2])
    return ''.join(line + '\n' for line in lines)
