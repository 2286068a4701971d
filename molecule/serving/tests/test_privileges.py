"""No replica runs with more privilege than roles/vllm_serve asks for (issue #18:
no container runs privileged): not privileged, and no capability added beyond
the `capabilities` of the role's docker_container task (none today). Read from
the node's engine, on every container the collection labelled a replica."""

from __future__ import annotations

import os

import yaml

# The task that starts each replica; the rolling change starts its new
# replicas through the same file.
REPLICA_TASKS = os.path.join(os.environ['MOLECULE_PROJECT_DIRECTORY'], 'roles', 'vllm_serve', 'tasks', 'replica.yml')


def replica_task_options() -> dict:
    """The options of the role's community.docker.docker_container task that starts a replica."""
    with open(REPLICA_TASKS, encoding='utf-8') as stream:
        tasks = yaml.safe_load(stream)
    started = [task['community.docker.docker_container'] for task in tasks if 'community.docker.docker_container' in task]
    assert len(started) == 1, 'expected one docker_container task in %s' % REPLICA_TASKS
    return started[0]


def test_the_role_asks_for_no_privileged_container():
    options = replica_task_options()
    assert 'privileged' not in options
    assert options['network_mode'] == 'host' and options['devices']


def test_no_replica_is_privileged_or_has_capabilities_the_role_did_not_ask_for(replicas):
    asked = set(replica_task_options().get('capabilities') or [])
    assert replicas, 'no container with the replica label on this node'
    for container in replicas:
        name, config = container['Name'], container['HostConfig']
        assert config['Privileged'] is False, name
        assert set(config.get('CapAdd') or []) <= asked, '%s: CapAdd %s' % (name, config.get('CapAdd'))
