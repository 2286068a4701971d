"""Per-node facts the checks need: which node type and which part of the scenario a node plays."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.environ['MOLECULE_PROJECT_DIRECTORY'], 'molecule', 'shared', 'tests'))
# pylint: disable-next=unused-import
from node_fixtures import NPU_COUNT, fixture_groups, fixture_node_type, other_host  # noqa: F401


@pytest.fixture(autouse=True)
def only_prepared_nodes(groups):
    """np-sick is never converged: the side effect proves what happens to it."""
    if 'prepared' not in groups:
        pytest.skip('not a converged node')
