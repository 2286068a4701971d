"""Make the collection's own parsers importable, so the verifier reads the
emulated tools' output exactly as the modules will read a real node's."""

from __future__ import annotations

import os
import sys

import pytest
import testinfra

sys.path.insert(0, os.path.join(os.environ['MOLECULE_PROJECT_DIRECTORY'], 'build', 'collections'))

NPU_COUNT = {'atlas_800_a2': 8, 'atlas_800_a3': 16}


def node_type_of(host) -> str:
    groups = host.ansible.get_variables()['group_names']
    return next(group for group in groups if group in NPU_COUNT)


@pytest.fixture(name='node_type')
def fixture_node_type(host) -> str:
    return node_type_of(host)


@pytest.fixture(name='other_host')
def fixture_other_host(host):
    """The other node of the scenario (there are two)."""
    inventory = os.environ['MOLECULE_INVENTORY_FILE']
    this = host.ansible.get_variables()['inventory_hostname']
    names = [name for name in ('tb-a2', 'tb-a3') if name != this]
    return testinfra.get_host('ansible://%s?ansible_inventory=%s' % (names[0], inventory))
