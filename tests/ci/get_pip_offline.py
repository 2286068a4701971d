# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test fetches get-pip-<ver>.py from a host these machines cannot reach,
but looks in ~/.ansible/test/cache/ first. This stand-in installs the requested
pip with the pip wheel bundled in ensurepip (PyPI itself is reachable).
"""

from __future__ import annotations

import glob
import os
import sys

import ensurepip


def main() -> int:
    bundled = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl'))
    if not bundled:
        sys.stderr.write('get_pip_offline: no pip wheel bundled with ensurepip\n')
        return 1
    sys.path.insert(0, bundled[0])
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    # get-pip.py takes these two; pip install does not know them.
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    return pip_main(['install', '--upgrade', '--force-reinstall'] + args)


if __name__ == '__main__':
    sys.exit(main())
