#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proc_holders
short_description: Find which processes hold TCP ports or run as given pids, and in which container
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Reads C(/proc) on the node, namely C(/proc/net/tcp) and C(/proc/net/tcp6) for the sockets listening on O(ports),
    C(/proc/<pid>/fd) for the processes holding them, and C(/proc/<pid>/comm) and C(/proc/<pid>/cgroup) for the name of
    each process and the container it runs in.
  - A process's control groups name its container whichever cgroup version (v1 or v2) and driver the engine uses
    (Docker's C(/docker/<id>) and C(docker-<id>.scope), containerd, CRI-O, Podman), also for a container inside a
    container.
  - Where a process runs in one of O(containers), RV(listeners[].container) and RV(processes[].container) name it,
    so a task can tell this collection's containers from everything else.
  - Only the node's own network namespace is seen, the one that containers started with C(--net=host) share.
  - Read-only. Fails when C(/proc) has no TCP table at all, or an entry of O(containers) has no C(Id).
options:
  ports:
    description:
      - TCP ports (IPv4 and IPv6) to find the listening processes of.
      - The process table is only walked when something listens on one of them.
    type: list
    elements: int
    default: []
  pids:
    description:
      - Process ids to describe, for example the ones C(npu-smi) shows holding NPUs.
    type: list
    elements: int
    default: []
  containers:
    description:
      - Containers to name the processes by, each with its C(Id) and its C(Names) (or C(Name)), as
        M(community.docker.docker_host_info) lists them in its RV(community.docker.docker_host_info#module:containers).
      - A short id (its first 12 or more digits) matches too.
    type: list
    elements: dict
    default: []
  proc_path:
    description:
      - Where the proc file system is mounted.
    type: path
    default: /proc
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads; the same files are read in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
    details: Linux only (C(/proc)).
  idempotent:
    description: Running the module twice in a row changes nothing; what it finds is what runs at that moment.
    support: full
notes:
  - Run it as root (C(become)) to see the sockets of every user's processes; a socket whose holder cannot be seen
    is still reported in RV(unowned_ports).
seealso:
  - module: ascend_ops.vllm.npu_info
  - module: community.docker.docker_host_info
"""

EXAMPLES = r"""
- name: List this collection's containers
  community.docker.docker_host_info:
    containers: true
    containers_all: true
    containers_filters:
      label: ascend_ops.vllm.replica
  register: __replicas

- name: Find who listens on the ports the replicas are about to take
  ascend_ops.vllm.proc_holders:
    ports: [8000, 8001, 60000]
    containers: "{{ __replicas.containers }}"
  register: __holders

- name: Refuse ports held outside those containers
  ansible.builtin.assert:
    that:
      - __holders.listeners | rejectattr('container') | list == []
      - __holders.unowned_ports == []

- name: Find the containers of the processes holding NPUs
  ascend_ops.vllm.proc_holders:
    pids: "{{ __npu.processes | map(attribute='pid') | list }}"
    containers: "{{ __replicas.containers }}"
  register: __npu_users
"""

RETURN = r"""
listeners:
  description: One entry per port of O(ports) and process listening on it, sorted by port and pid.
  returned: success
  type: list
  elements: dict
  contains:
    port:
      description: The TCP port.
      type: int
      sample: 9002
    pid:
      description: Id of a process holding the listening socket (a forked server shows one entry per process).
      type: int
      sample: 21132
    name:
      description: The process's name (C(/proc/<pid>/comm), at most 15 characters).
      type: str
      sample: python3
    container_id:
      description: Full id of the container the process runs in (the innermost one), V('') for none.
      type: str
      sample: ""
    container:
      description: Name of the entry of O(containers) the process runs in, V('') when it runs in none of them.
      type: str
      sample: ""
    addresses:
      description: Local addresses it listens on (V(0.0.0.0) and V(::) for all).
      type: list
      elements: str
      sample: [127.0.0.1]
  sample:
    - {port: 9002, pid: 21132, name: python3, container_id: "", container: "", addresses: [127.0.0.1]}
unowned_ports:
  description:
    - Ports of O(ports) with a listening socket no process visible here holds (a process in another pid namespace,
      a socket the kernel holds, or a process of another user when not run as root).
  returned: success
  type: list
  elements: int
  sample: []
processes:
  description: One entry per element of O(pids), in the same order.
  returned: success
  type: list
  elements: dict
  contains:
    pid:
      description: The process id asked about.
      type: int
      sample: 71867
    running:
      description: Whether a process with this id is visible here.
      type: bool
      sample: true
    name:
      description: The process's name, V('') when it is not running.
      type: str
      sample: python3
    container_id:
      description: Full id of the container the process runs in (the innermost one), V('') for none.
      type: str
      sample: 9d3f0b6c2a8e4f1d7c5b3a2e1f0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d
    container:
      description: Name of the entry of O(containers) the process runs in, V('') when it runs in none of them.
      type: str
      sample: vllm-qwen3.6-r0
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ascend_ops.vllm.plugins.module_utils._procfs import ProcfsError, find_holders


class LiveProc(object):
    """The reader ``find_holders`` takes, over the proc file system mounted at ``root``."""

    def __init__(self, root: str):
        self.root = root

    def _path(self, path: str) -> str:
        return os.path.join(self.root, path) if path else self.root

    def read(self, path: str) -> str:
        with open(self._path(path), 'rb') as handle:
            return handle.read().decode('utf-8', 'replace')

    def listdir(self, path: str) -> list:
        return os.listdir(self._path(path))

    def readlink(self, path: str) -> str:
        return os.readlink(self._path(path))


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            ports=dict(type='list', elements='int', default=[]),
            pids=dict(type='list', elements='int', default=[]),
            containers=dict(type='list', elements='dict', default=[]),
            proc_path=dict(type='path', default='/proc'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        found = find_holders(LiveProc(params['proc_path']), params['ports'], params['pids'], params['containers'])
    except (ProcfsError, ValueError) as error:
        module.fail_json(msg='proc_holders: %s' % error)
    module.exit_json(changed=False, **found)


if __name__ == '__main__':
    main()
