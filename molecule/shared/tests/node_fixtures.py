"""Fixtures every scenario's testinfra checks share, imported by each scenario's
conftest.py (molecule runs each scenario's tests as a pytest root of its own).

The NPU counts are the test's own expectation of the boards, written here once
for the scenarios, not read from the catalog the tests check.
"""

from __future__ import annotations

import os
import sys

import pytest
import testinfra

# The collection's parsers, so a check reads the emulated tools' output
# exactly as the modules read a real node's.
sys.path.insert(0, os.path.join(os.environ['MOLECULE_PROJECT_DIRECTORY'], 'build', 'collections'))

NPU_COUNT = {'atlas_800_a2': 8, 'atlas_800_a3': 16}


def node_type_of(host) -> str:
    groups = host.ansible.get_variables()['group_names']
    return next(group for group in groups if group in NPU_COUNT)


def other_host(name: str):
    """The testinfra host of another node of this scenario's inventory."""
    inventory = os.environ['MOLECULE_INVENTORY_FILE']
    return testinfra.get_host('ansible://%s?ansible_inventory=%s' % (name, inventory))


@pytest.fixture(name='groups')
def fixture_groups(host) -> list:
    return host.ansible.get_variables()['group_names']


@pytest.fixture(name='node_type')
def fixture_node_type(host) -> str:
    return node_type_of(host)


@pytest.fixture(name='node_name')
def fixture_node_name(host) -> str:
    return host.ansible.get_variables()['inventory_hostname']


@pytest.fixture(name='other_host')
def fixture_other_host(host, node_name):
    """The next node of the scenario's inventory after this one, in name order (wrapping round)."""
    names = host.ansible.get_variables()['groups']['all']
    return other_host(names[(names.index(node_name) + 1) % len(names)])
