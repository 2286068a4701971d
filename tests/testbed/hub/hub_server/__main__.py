"""``python3 hub_server [options]`` from the directory that holds the package (also ``python3 -m hub_server``)."""

from __future__ import annotations

import os
import sys

if not __package__:
    # Run as a directory (the depot runs /opt/hub/hub_server, the tests run it with -S): put the
    # package's parent on sys.path in place of the package directory itself, as pip's own __main__ does.
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from hub_server.cli import main  # noqa: E402  pylint: disable=wrong-import-position

sys.exit(main())
