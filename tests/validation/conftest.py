# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the real playbooks against small inventories whose hosts cannot be reached.

Every host is 127.0.0.1 on a closed port over SSH: a task that contacts a host
fails at once with UNREACHABLE. So a refused inventory shows no UNREACHABLE and
no task but the validation's, and a good one gets past validation and then
fails at the first task that needs a host.
"""

from __future__ import annotations

import copy
import json
import os
import re
import socket
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = REPO / 'playbooks'
VALIDATION_TASK = 'Check every host and group of the inventory'

# What a complete site sets (inventories/example): the cluster, one group per node type.
CLUSTER = {'ascend_model': 'qwen3.6-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_image_registry': 'quay.io',
           'ascend_weights_dir': '/data/models'}
HOSTS = {'atlas_800_a2': ['npu-a2-01', 'npu-a2-02'], 'atlas_800_a3': ['npu-a3-01']}


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture(scope='session')
def ansible_env(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, str]:
    """Environment of ansible-playbook: this tree as the collection, no user config, one-line JSON results."""
    home = tmp_path_factory.mktemp('ansible-home')
    collection = home / 'collections' / 'ansible_collections' / 'ascend_ops' / 'vllm'
    collection.parent.mkdir(parents=True)
    collection.symlink_to(REPO)
    config = home / 'ansible.cfg'
    config.write_text('[defaults]\n')
    env = dict(os.environ)
    env.update({
        'ANSIBLE_CONFIG': str(config),
        'ANSIBLE_HOME': str(home),
        'ANSIBLE_LOCAL_TEMP': str(home / 'tmp'),
        'ANSIBLE_COLLECTIONS_PATH': str(home / 'collections'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_STDOUT_CALLBACK': 'ansible.builtin.default',
        'ANSIBLE_CALLBACK_RESULT_FORMAT': 'json',
        'ANSIBLE_HOST_KEY_CHECKING': 'False',
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
    })
    return env


class Run(object):
    """One ansible-playbook run: exit code, output, the tasks it started, the failures it printed."""

    def __init__(self, completed: subprocess.CompletedProcess) -> None:
        self.rc = completed.returncode
        self.output = completed.stdout + '\n' + completed.stderr
        self.tasks = re.findall(r'^TASK \[(.+?)\] \*', self.output, re.M)
        self.failures = [json.loads(line.split(' => ', 1)[1]) for line in self.output.splitlines()
                         if re.match(r'^fatal: \[[^\]]+\]: FAILED! => \{', line)]
        self.unreachable = re.findall(r'^fatal: \[([^\]]+)\]: UNREACHABLE!', self.output, re.M)

    @property
    def message(self) -> str:
        assert self.failures, 'no failure printed:\n' + self.output[-3000:]
        return self.failures[0]['msg']

    @property
    def first_line(self) -> str:
        return self.message.splitlines()[0]

    def assert_refused_before_any_host(self) -> None:
        """Failed in the validation task, no host contacted, no other task started, no Python trace."""
        assert self.rc != 0, self.output[-3000:]
        assert self.tasks == [VALIDATION_TASK], self.tasks
        assert not self.unreachable and 'UNREACHABLE' not in self.output, self.output[-3000:]
        assert not re.search(r'^(ok|changed): \[', self.output, re.M), self.output[-3000:]
        assert 'Traceback' not in self.output, self.output[-3000:]

    def assert_past_validation_then_unreachable(self) -> None:
        assert self.rc != 0, self.output[-3000:]
        assert not self.failures, self.failures
        assert VALIDATION_TASK in self.tasks and self.unreachable, self.output[-3000:]
        assert self.tasks.index(VALIDATION_TASK) == 0


class Site(object):
    """A small inventory in a temporary directory, built like inventories/example."""

    def __init__(self, root: Path, env: Dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.port = _closed_port()
        self.groups = copy.deepcopy(HOSTS)  # type: Dict[str, List[str]]
        self.group_vars = {'all': dict(CLUSTER), 'atlas_800_a2': {'ascend_node_type': 'atlas_800_a2'},
                           'atlas_800_a3': {'ascend_node_type': 'atlas_800_a3'}}  # type: Dict[str, Dict[str, Any]]
        self.host_vars = {}  # type: Dict[str, Dict[str, Any]]

    def set_group(self, group: str, **variables: Any) -> 'Site':
        self.group_vars.setdefault(group, {}).update(variables)
        return self

    def set_host(self, host: str, **variables: Any) -> 'Site':
        self.host_vars.setdefault(host, {}).update(variables)
        return self

    def add_group(self, group: str, hosts: List[str]) -> 'Site':
        self.groups[group] = list(hosts)
        return self

    def write(self) -> Path:
        inventory = self.root / 'inventory'
        connection = {'ansible_connection': 'ssh', 'ansible_host': '127.0.0.1', 'ansible_port': self.port,
                      'ansible_user': 'nobody', 'ansible_python_interpreter': '/usr/bin/python3',
                      'ansible_ssh_common_args': '-o ConnectTimeout=5 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'}
        children = dict((group, {'hosts': dict((host, None) for host in hosts)}) for group, hosts in self.groups.items())
        (inventory / 'group_vars').mkdir(parents=True, exist_ok=True)
        (inventory / 'host_vars').mkdir(exist_ok=True)
        (inventory / 'hosts.yml').write_text(yaml.safe_dump({'all': {'vars': connection, 'children': children}}))
        for group, variables in self.group_vars.items():
            (inventory / 'group_vars' / ('%s.yml' % group)).write_text(yaml.safe_dump(variables))
        for host, variables in self.host_vars.items():
            (inventory / 'host_vars' / ('%s.yml' % host)).write_text(yaml.safe_dump(variables))
        return inventory

    def run(self, playbook: str = 'deploy.yml', *arguments: str) -> Run:
        inventory = self.write()
        completed = subprocess.run(['ansible-playbook', '-i', str(inventory), str(PLAYBOOKS / playbook)] + list(arguments),
                                   cwd=str(self.root), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   universal_newlines=True, timeout=300, check=False)
        return Run(completed)


@pytest.fixture
def site(tmp_path: Path, ansible_env: Dict[str, str]) -> Site:
    return Site(tmp_path, ansible_env)


def first_line_names(run: Run, who: str, variable: str, accepted: str, what: Optional[str] = None) -> None:
    """The first line a user reads: host or group, the variable, what is wrong, an accepted value."""
    line = run.first_line
    assert line.startswith('%s: %s: ' % (who, variable)), line
    assert 'accepted: ' in line and accepted in line.split('accepted: ', 1)[1], line
    if what is not None:
        assert what in line, line
