"""Fixtures for the serving scenario: the node's type, its replica containers
as the node's engine reports them, and the stand-in hub's request log."""

from __future__ import annotations

import datetime
import json
import os
import sys
import urllib.request
from typing import Any, Dict, List

import docker  # the controller's Docker SDK, as molecule's driver uses
import pytest

sys.path.insert(0, os.path.join(os.environ['MOLECULE_PROJECT_DIRECTORY'], 'molecule', 'shared', 'tests'))
# pylint: disable-next=unused-import
from node_fixtures import NPU_COUNT, fixture_groups, fixture_node_name, fixture_node_type, fixture_other_host  # noqa: F401

# The depot's address on the management network (tests/testbed/playbooks/vars/world.yml).
HUB = 'http://172.31.240.2:8090'
REPLICA_LABEL = 'ascend_ops.vllm.replica'


@pytest.fixture(name='replicas')
def fixture_replicas(host) -> List[Dict[str, Any]]:
    """`docker inspect` of this node's replica containers, by replica index."""
    names = host.check_output("docker ps -a --filter label=%s --format '{{.Names}}'" % REPLICA_LABEL).split()
    inspected = json.loads(host.check_output('docker inspect %s' % ' '.join(names))) if names else []
    return sorted(inspected, key=lambda container: int(container['Config']['Labels'][REPLICA_LABEL]))


@pytest.fixture(name='node_container')
def fixture_node_container(node_name):
    """The emulated node itself, on the outer engine."""
    return docker.from_env().containers.get(node_name)


def docker_epoch(stamp: str) -> float:
    """Seconds since the epoch of a Docker time stamp (RFC 3339 in UTC, nanoseconds)."""
    whole, fraction = (stamp.rstrip('Z').split('.', 1) + [''])[:2]
    moment = datetime.datetime.strptime(whole, '%Y-%m-%dT%H:%M:%S').replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp() + float('0.' + (fraction or '0'))


def created_epoch(container) -> float:
    return docker_epoch(container.attrs['Created'])


def started_epoch(container) -> float:
    return docker_epoch(container.attrs['State']['StartedAt'])


def mgmt_address(container) -> str:
    return container.attrs['NetworkSettings']['Networks']['ascend-mgmt']['IPAddress']


def hub_json(path: str) -> Any:
    with urllib.request.urlopen(HUB + path, timeout=10) as response:  # nosec B310 - the test bed's own hub
        return json.load(response)
