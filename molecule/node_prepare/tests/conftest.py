"""Per-node facts the checks need: which node type and which part of the scenario a node plays."""

from __future__ import annotations

import os

import pytest
import testinfra

NPU_COUNT = {'atlas_800_a2': 8, 'atlas_800_a3': 16}


@pytest.fixture(name='groups')
def fixture_groups(host) -> list:
    return host.ansible.get_variables()['group_names']


@pytest.fixture(name='node_type')
def fixture_node_type(groups) -> str:
    return next(group for group in groups if group in NPU_COUNT)


@pytest.fixture(autouse=True)
def only_prepared_nodes(groups):
    """np-sick is never converged: the side effect proves what happens to it."""
    if 'prepared' not in groups:
        pytest.skip('not a converged node')


def other_host(name: str):
    inventory = os.environ['MOLECULE_INVENTORY_FILE']
    return testinfra.get_host('ansible://%s?ansible_inventory=%s' % (name, inventory))
