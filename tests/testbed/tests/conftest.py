# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make the collection importable as ``ansible_collections.ascend_ops.vllm`` for the test-bed tests.

The emulator tests parse the emulated tools' output with the collection's own parsers. Under
``ansible-test units`` or a checkout at .../ansible_collections/ascend_ops/vllm this is already so;
from a plain clone, a symlink tree in a temporary directory provides the package path.
"""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import sys
import tempfile

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def _collection_importable() -> bool:
    try:
        importlib.import_module('ansible_collections.ascend_ops.vllm.plugins.module_utils._npu_smi')
    except ImportError:
        return False
    return True


if not _collection_importable():
    _ROOT = tempfile.mkdtemp(prefix='ascend-ops-collections-')
    atexit.register(shutil.rmtree, _ROOT, True)
    os.makedirs(os.path.join(_ROOT, 'ansible_collections', 'ascend_ops'))
    os.symlink(COLLECTION_ROOT, os.path.join(_ROOT, 'ansible_collections', 'ascend_ops', 'vllm'))
    sys.path.insert(0, _ROOT)
    for _name in [name for name in sys.modules if name == 'ansible_collections' or name.startswith('ansible_collections.')]:
        del sys.modules[_name]
