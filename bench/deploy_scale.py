# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the wall time of playbooks/deploy.yml grows with the node count, and what a re-run and Ansible itself cost.

Three of issue 16's figures, each a ratio of two ways measured in one run:
scale (deploy.yml on 1, 2, 4 and 8 fresh emulated Atlas 800 A2 nodes, the
stand-in's model load set to 30 s; T(8)/T(1), target <= 2.0), re-run (an
unchanged second deploy.yml on the largest size; T2/T1, target <= 0.35, and
0 changed tasks in the PLAY RECAP) and Ansible's overhead (a deploy's time
minus the tasks that wait on the emulated pull, download and model load,
from the profile_tasks callback, per node; target <= 10 s). Beside them: the
controller's CPU seconds, the nodes' CPU seconds per node, the machine's
cores and load average. Removes the nodes at the end unless --keep.

Run by hand from the repository root, in the project venv, after
`make collection images` (see bench/README.md); not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import tempfile
import time
from typing import Dict, List, Optional, Sequence, Tuple

import _ansible_run
from _ansible_run import REPO, TESTBED_PLAYBOOKS

DEPLOY = os.path.join(REPO, 'playbooks', 'deploy.yml')
# Management addresses from .208, NPU addresses 10.20.81.x and up (nodes_up.yml
# and site_prepare.yml): apart from every molecule scenario's and hccl_pairs.py's.
SUBNET_OFFSET = 80
STARTUP_SECONDS = 30
TARGET_SCALE = 2.0
TARGET_RERUN = 0.35
TARGET_RERUN_CHANGED = 0
TARGET_OVERHEAD_PER_NODE = 10.0

# The tasks that wait on an emulated artifact or replica rather than run
# Ansible: matched on the profile_tasks name after the role (`role : task`,
# the role with or without the collection's prefix). Their names come from
# roles/vllm_image/tasks/pull_attempt.yml (the pull and its back-off),
# roles/model_weights/tasks/download.yml (the client container, run until it
# exits) and roles/vllm_serve/tasks/verify.yml (the model load). A name's
# templated tail (`attempt 1`, `from modelscope`, `at most 120`) is left out;
# `attempt\b` keeps install.yml's include "Pull the image, attempts at most N" out.
WAIT_TASKS = (
    re.compile(r'\bvllm_image : Wait before the attempt\b'),
    re.compile(r'\bvllm_image : Pull the image, attempt\b'),
    re.compile(r'\bmodel_weights : Download with the client of the serving image\b'),
    re.compile(r'\bvllm_serve : Wait until each replica is healthy\b'),
)
ANSI = re.compile(r'\x1b\[[0-9;]*m')
# ansible-core's default callback: `host : ok=N changed=N unreachable=N failed=N skipped=N rescued=N ignored=N`.
RECAP_LINE = re.compile(r'^(?P<host>\S+)\s+:\s+(?P<counts>(?:[a-z]+=\d+\s*)+)$')
# ansible.posix.profile_tasks' summary: `name ------ 12.34s`, the dashes
# filling to the display's width (none when the name is longer).
TASK_TIME_LINE = re.compile(r'^(?P<name>.+?) -* (?P<seconds>\d+\.\d+)s$')


def node_names(count: int) -> List[str]:
    return ['ds-%d' % index for index in range(count)]


def inventory(names: Sequence[str], report_dir: str, startup_seconds: int = STARTUP_SECONDS) -> Dict[str, object]:
    """Emulated A2 nodes reached with docker exec, in the test bed's offline site, serving one model as molecule/serving does."""
    return {'all': {
        'vars': {
            'ansible_connection': 'community.docker.docker',
            # The nodes' Debian Python (as .config/molecule/config.yml).
            'ansible_python_interpreter': '/usr/bin/python3',
            # The depot's registry, driver packages and hub on the test network.
            'ascend_image_registry': 'registry.ascend.test:5000',
            'container_engine_insecure_registries': ['registry.ascend.test:5000'],
            'npu_driver_packages_url': 'http://repo.ascend.test:8081',
            'model_weights_endpoint': 'http://hub.ascend.test:8090',
            'model_weights_ca_url': 'http://hub.ascend.test:8090/_hub/ca.pem',
            'ascend_report_dir': report_dir,
            'model_weights_download_delay': 1,
            'vllm_serve_start_interval': 1,
            'vllm_serve_health_interval': 5,
            'vllm_serve_health_timeout': 120 + startup_seconds,
            'testbed_site_subnet_offset': SUBNET_OFFSET,
            # molecule/serving's A2: one model from the depot, staged with the ModelScope client.
            'ascend_model': 'qwen3.6-27b-w8a8',
            'ascend_vllm_version': 'v0.18.0rc1',
            'ascend_weights_dir': '/srv/models',
            # The stand-in's pretend weight loading, as a real replica's takes its time.
            'vllm_serve_extra_env': {'VLLM_STANDIN_STARTUP_SECONDS': str(startup_seconds)},
        },
        'children': {'atlas_800_a2': {
            'hosts': dict((name, {}) for name in names),
            'vars': {'ascend_node_type': 'atlas_800_a2', 'model_weights_source': 'modelscope'},
        }},
    }}


def play_recap(output: str) -> Dict[str, Dict[str, int]]:
    """The counts of each host in the last PLAY RECAP of an ansible-playbook output."""
    text = ANSI.sub('', output)
    start = text.rfind('PLAY RECAP')
    if start < 0:
        return {}
    recap = {}
    for line in text[start:].splitlines()[1:]:
        match = RECAP_LINE.match(line.strip())
        if match:
            recap[match.group('host')] = dict((key, int(value)) for key, value in re.findall(r'([a-z]+)=(\d+)', match.group('counts')))
        elif recap and not line.strip():
            break
    return recap


def changed_tasks(recap: Dict[str, Dict[str, int]]) -> int:
    return sum(counts.get('changed', 0) for counts in recap.values())


def task_times(output: str) -> List[Tuple[str, float]]:
    """The (name, seconds) lines of the last profile_tasks summary (TASKS RECAP), in the order printed."""
    text = ANSI.sub('', output)
    start = text.rfind('TASKS RECAP')
    if start < 0:
        return []
    section = text[start:]
    end = section.find('PLAY RECAP')
    if end >= 0:
        section = section[:end]
    times = []
    for line in section.splitlines()[1:]:
        match = TASK_TIME_LINE.match(line.rstrip())
        if match:
            times.append((match.group('name'), float(match.group('seconds'))))
    return times


def waiting_seconds(times: Sequence[Tuple[str, float]]) -> float:
    """The seconds of the tasks that wait on the emulated pull, download and model load."""
    return sum(seconds for name, seconds in times if any(pattern.search(name) for pattern in WAIT_TASKS))


def overhead(wall: float, times: Sequence[Tuple[str, float]], nodes: int) -> Dict[str, float]:
    """A deploy's wall time minus its waits, in all and per node."""
    waits = waiting_seconds(times)
    rest = max(0.0, wall - waits)
    return {'waits': waits, 'overhead': rest, 'per_node': rest / nodes if nodes else 0.0}


def cgroup_path(proc_cgroup: str) -> Optional[str]:
    """The container's cgroup v2 path from its /proc/1/cgroup (`0::/path`), or None when it is the namespace's root or v1.

    A systemd PID 1 that can write its cgroup moves itself to an init.scope
    below the container's: the container's is the one above it.
    """
    for line in proc_cgroup.splitlines():
        if line.startswith('0::'):
            path = line[3:].strip()
            if path.endswith('/init.scope'):
                path = path[:-len('/init.scope')]
            return path if path not in ('', '/') else None
    return None


def cpuacct_path(proc_cgroup: str) -> Optional[str]:
    """The container's cgroup v1 cpuacct path from its /proc/1/cgroup (`N:cpuacct:/path` or `N:cpu,cpuacct:/path`), or None."""
    for line in proc_cgroup.splitlines():
        fields = line.strip().split(':', 2)
        if len(fields) == 3 and 'cpuacct' in fields[1].split(','):
            path = fields[2].strip()
            if path.endswith('/init.scope'):
                path = path[:-len('/init.scope')]
            return path if path not in ('', '/') else None
    return None


def cpuacct_usec(usage_ns: str) -> Optional[int]:
    """A cgroup v1 cpuacct.usage (nanoseconds) in microseconds."""
    text = usage_ns.strip()
    return int(text) // 1000 if text.isdigit() else None


def usage_usec(cpu_stat: str) -> Optional[int]:
    """usage_usec of a cgroup v2 cpu.stat."""
    for line in cpu_stat.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == 'usage_usec':
            return int(fields[1])
    return None


def ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def verdict(value: Optional[float], target: float) -> str:
    if value is None:
        return 'n/a'
    return 'met' if value <= target else 'MISSED'


def figures_table(rows: Sequence[Tuple[str, Optional[float], float, str]]) -> List[str]:
    """Lines of (figure, value, target <= ..., verdict), each row's value printed with its format."""
    lines = ['%-40s %9s %9s %7s' % ('figure', 'value', 'target', 'verdict')]
    for label, value, target, fmt in rows:
        shown = '-' if value is None else fmt % value
        lines.append('%-40s %9s %9s %7s' % (label, shown, '<= %g' % target, verdict(value, target)))
    return lines


def runs_table(runs: Sequence[Dict[str, object]]) -> List[str]:
    """Lines of one run each: nodes, wall, waits, overhead, the controller's and nodes' CPU seconds, the load average."""
    lines = ['%-8s %5s %8s %8s %10s %10s %13s %15s %7s' % (
        'run', 'nodes', 'wall s', 'waits s', 'ansible s', 'ans s/node', 'ctrl cpu s', 'node cpu s/node', 'load1')]
    for run in runs:
        node_cpu = run.get('node_cpu_per_node')
        lines.append('%-8s %5d %8.1f %8.1f %10.1f %10.1f %13.1f %15s %7.2f' % (
            run['label'], run['nodes'], run['wall'], run['waits'], run['overhead'], run['per_node'], run['controller_cpu'],
            '-' if node_cpu is None else '%.1f' % node_cpu, run['load1']))
    return lines


# As the molecule scenarios run: 8 nodes at once, one docker exec per task.
ENV_DEFAULTS = {'ANSIBLE_FORKS': '8', 'ANSIBLE_PIPELINING': 'True'}
# Every task in the summary, in the order run: the overhead needs them all, not the 20 longest.
ENV_SETTINGS = {'PROFILE_TASKS_TASK_OUTPUT_LIMIT': 'all', 'PROFILE_TASKS_SORT_ORDER': 'none'}


def playbook(inventory_path: str, path: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return _ansible_run.playbook(inventory_path, path, *args, check=check, env=_ansible_run.ansible_env(ENV_DEFAULTS, ENV_SETTINGS))


def node_cpu_usec(name: str) -> Optional[int]:
    """The CPU time a node's container used so far, from its cgroup's cpu.stat.

    A node is a systemd container that bind-mounts the machine's /sys/fs/cgroup
    (tests/testbed/playbooks/nodes_up.yml), so its own /sys/fs/cgroup/cpu.stat
    is the machine's root, not the node's: the node's cgroup is the path in
    its /proc/1/cgroup under that mount (cgroup namespace of the host). With a
    private cgroup namespace that path reads `/`, and the cgroup is found on
    the controller by the container's id instead. `docker stats` is no help:
    it shows a rate, not the seconds used. The replicas the node's own engine
    runs count only where their cgroups nest under the node's.
    """
    probe = subprocess.run(['docker', 'exec', name, 'cat', '/proc/1/cgroup'], capture_output=True, text=True, check=False)
    path = cgroup_path(probe.stdout) if probe.returncode == 0 else None
    if path:
        stat = subprocess.run(['docker', 'exec', name, 'cat', '/sys/fs/cgroup%s/cpu.stat' % path], capture_output=True, text=True, check=False)
        if stat.returncode == 0:
            return usage_usec(stat.stdout)
    # A machine on cgroup v1 (its /proc/1/cgroup may still name a path in the unified hierarchy).
    v1_path = cpuacct_path(probe.stdout) if probe.returncode == 0 else None
    if v1_path:
        return v1_node_usec(name, v1_path)
    ident = subprocess.run(['docker', 'inspect', '--format', '{{.Id}}', name], capture_output=True, text=True, check=False).stdout.strip()
    for candidate in ('/sys/fs/cgroup/system.slice/docker-%s.scope/cpu.stat' % ident, '/sys/fs/cgroup/docker/%s/cpu.stat' % ident):
        if ident and os.path.exists(candidate):
            with open(candidate, encoding='utf-8') as handle:
                return usage_usec(handle.read())
    return None


def v1_node_usec(name: str, path: str) -> Optional[int]:
    """cgroup v1 (cpuacct): the node's own cgroup, plus those of the containers its engine runs now.

    The node's engine shares the machine's cgroup tree, so its containers'
    cgroups sit beside the node's (`/docker/<id>`), not below it. Containers
    that ended during the run (a download client) are not counted.
    """
    root = next((candidate for candidate in ('/sys/fs/cgroup/cpuacct', '/sys/fs/cgroup/cpu,cpuacct') if os.path.isdir(candidate)), None)
    if root is None:
        return None
    inner = subprocess.run(['docker', 'exec', name, 'docker', 'ps', '--quiet', '--no-trunc'], capture_output=True, text=True, check=False)
    parent = path.rsplit('/', 1)[0]
    total = 0
    for cgroup in [path] + ['%s/%s' % (parent, ident) for ident in inner.stdout.split() if inner.returncode == 0]:
        try:
            with open('%s%s/cpuacct.usage' % (root, cgroup), encoding='utf-8') as handle:
                reading = cpuacct_usec(handle.read())
        except OSError:
            reading = None
        if reading is None and cgroup == path:
            return None
        total += reading or 0
    return total


def nodes_cpu_usec(names: Sequence[str]) -> Optional[int]:
    readings = [node_cpu_usec(name) for name in names]
    return None if any(reading is None for reading in readings) else sum(readings)


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(inventory_path: str, workdir: str, names: List[str], label: str) -> Dict[str, object]:
    """One deploy.yml on the nodes: its wall time, waits, recap and CPU seconds, its output kept in workdir."""
    nodes_before = nodes_cpu_usec(names)
    # Read after the docker exec probes: their CPU is not the run's.
    controller_before = children_cpu_seconds()
    started = time.monotonic()
    done = playbook(inventory_path, DEPLOY, check=False)
    wall = time.monotonic() - started
    controller = children_cpu_seconds() - controller_before
    nodes_after = nodes_cpu_usec(names)
    log = os.path.join(workdir, 'deploy-%d-%s.log' % (len(names), label))
    with open(log, 'w', encoding='utf-8') as handle:
        handle.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise SystemExit('deploy.yml on %s (%s) failed (rc %d): see %s' % (names, label, done.returncode, log))
    recap = play_recap(done.stdout)
    if sorted(recap) != sorted(names):
        raise SystemExit('deploy.yml on %s (%s): its PLAY RECAP names %s: see %s' % (names, label, sorted(recap), log))
    run = {'label': label, 'nodes': len(names), 'wall': wall, 'controller_cpu': controller, 'load1': os.getloadavg()[0],
           'changed': changed_tasks(recap), 'node_cpu_per_node': None}
    run.update(overhead(wall, task_times(done.stdout), len(names)))
    if nodes_before is not None and nodes_after is not None:
        run['node_cpu_per_node'] = (nodes_after - nodes_before) / 1e6 / len(names)
    return run


def report(runs: Sequence[Dict[str, object]], sizes: Sequence[int]) -> List[str]:
    """The runs, then the three figures against their targets."""
    first = dict((run['nodes'], run) for run in runs if run['label'] == 'first')
    rerun = next((run for run in runs if run['label'] == 're-run'), None)
    smallest, largest = min(sizes), max(sizes)
    rows = [('scale: T(%d)/T(%d)' % (largest, smallest), ratio(first[largest]['wall'], first[smallest]['wall']), TARGET_SCALE, '%.2f')]
    if rerun is not None:
        rows.append(('re-run: T2/T1 at %d nodes' % largest, ratio(rerun['wall'], first[largest]['wall']), TARGET_RERUN, '%.2f'))
        rows.append(('re-run: changed tasks at %d nodes' % largest, float(rerun['changed']), TARGET_RERUN_CHANGED, '%d'))
    for size in sorted(first):
        rows.append(('ansible overhead s/node at %d node%s' % (size, '' if size == 1 else 's'), first[size]['per_node'],
                     TARGET_OVERHEAD_PER_NODE, '%.1f'))
    return runs_table(runs) + [''] + figures_table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='1,2,4,8', help='node counts to measure (default 1,2,4,8)')
    parser.add_argument('--startup-seconds', type=int, default=STARTUP_SECONDS,
                        help="the stand-in's model load, VLLM_STANDIN_STARTUP_SECONDS (default %d)" % STARTUP_SECONDS)
    parser.add_argument('--keep', action='store_true', help='leave the nodes of the last size measured running')
    args = parser.parse_args()
    sizes = sorted(set(int(size) for size in args.sizes.split(',')), reverse=True)
    workdir = tempfile.mkdtemp(prefix='deploy-bench-')
    print('%d cores, load average %s; output in %s' % (os.cpu_count() or 0, ' '.join('%.2f' % load for load in os.getloadavg()), workdir))
    runs = []
    # The largest first: whatever a cold first run costs counts against the
    # scale target, not for it; the re-run follows its first deploy.
    for size in sizes:
        names = node_names(size)
        inventory_path = os.path.join(workdir, 'inventory-%d.json' % size)
        with open(inventory_path, 'w', encoding='utf-8') as handle:
            json.dump(inventory(names, os.path.join(workdir, 'reports'), args.startup_seconds), handle)
        nodes_var = os.path.join(workdir, 'nodes-%d.json' % size)
        with open(nodes_var, 'w', encoding='utf-8') as handle:
            json.dump({'testbed_nodes': [{'name': name, 'groups': ['atlas_800_a2']} for name in names]}, handle)
        offset = '-e', 'testbed_site_subnet_offset=%d' % SUBNET_OFFSET
        print('bringing up %d fresh emulated A2 node%s (%s)' % (size, '' if size == 1 else 's', ', '.join(names)), flush=True)
        playbook(inventory_path, os.path.join(TESTBED_PLAYBOOKS, 'world_up.yml'))
        try:
            playbook(inventory_path, os.path.join(TESTBED_PLAYBOOKS, 'nodes_up.yml'), '-e', '@' + nodes_var, *offset)
            playbook(inventory_path, os.path.join(TESTBED_PLAYBOOKS, 'site_prepare.yml'), *offset)
            print('deploying on %d node%s' % (size, '' if size == 1 else 's'), flush=True)
            runs.append(measure(inventory_path, workdir, names, 'first'))
            if size == sizes[0]:
                print('deploying again, unchanged, on %d node%s' % (size, '' if size == 1 else 's'), flush=True)
                runs.append(measure(inventory_path, workdir, names, 're-run'))
        finally:
            if not (args.keep and size == sizes[-1]):
                playbook(inventory_path, os.path.join(TESTBED_PLAYBOOKS, 'nodes_down.yml'), '-e', '@' + nodes_var, check=False)
    print()
    print('%d cores, load average %s at the end' % (os.cpu_count() or 0, ' '.join('%.2f' % load for load in os.getloadavg())))
    print('\n'.join(report(runs, sizes)))


if __name__ == '__main__':
    main()
