"""``python3 -B -E -s <lib>/ascend_emu npu-smi|hccn_tool ARGS``, as the launchers run it (also ``python3 -m ascend_emu``)."""

from __future__ import annotations

import os
import sys

if not __package__:
    # Run as a directory. The launchers pass -E, so that a serving container's PYTHONPATH cannot reach
    # the emulator, which leaves no variable to name the package's parent: put it on sys.path here
    # (as pip's own __main__ does) in place of the package directory itself.
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from ascend_emu.cli import main  # noqa: E402  pylint: disable=wrong-import-position

sys.exit(main(sys.argv[1:]))
