"""How the wall time of playbooks/verify_hccl.yml grows with the node count.

Brings up emulated Atlas 800 A2 nodes (the test bed's nodes_up.yml and
site_prepare.yml), moves their NPUs to a range of their own with the role's
configure step, then runs verify_hccl.yml on the first 1, 2 and 4 of them
(--limit), with the ring the role uses by default and pinging all pairs,
each --repeat times (the fastest run counts), and prints the wall time of
each, the time of its ping step, the pairs pinged (in all, and by the
busiest node), and the ratios. Removes the nodes at the end unless --keep.

Run by hand from the repository root, in the project venv, after
`make collection images` (see bench/README.md); not part of CI.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import tempfile
import time
from typing import Dict, List, Optional

from _ansible_run import REPO, TESTBED_PLAYBOOKS, playbook

PATTERNS = ('ring', 'all_pairs')
NPUS_PER_A2 = 8
# Third octet of node i's NPU addresses: a range no molecule scenario uses, so
# the bench can run while they do.
ADDRESS_OCTET_BASE = 71
PING_STEP = re.compile(r'hccl_check : Ping the pairs[^\n]*?-+\s+([\d.]+)s')


def node_names(count: int) -> List[str]:
    return ['hb-%d' % index for index in range(count)]


def inventory(names: List[str], report_dir: str) -> Dict[str, object]:
    """An inventory of emulated A2 nodes reached with docker exec, each with its NPU addresses."""
    hosts = {}
    for index, name in enumerate(names):
        octet = ADDRESS_OCTET_BASE + index
        hosts[name] = {'hccl_check_npu_addresses': ['10.20.%d.%d' % (octet, npu + 1) for npu in range(NPUS_PER_A2)]}
    return {'all': {
        'vars': {
            'ansible_connection': 'community.docker.docker',
            'ansible_python_interpreter': '/usr/bin/python3',
            'ascend_report_dir': report_dir,
            'hccl_check_npu_netmask': '255.255.0.0',
            'hccl_check_npu_netdetect': '10.20.0.1',
            'hccl_check_npu_gateway': '10.20.0.1',
        },
        'children': {'atlas_800_a2': {'hosts': hosts, 'vars': {'ascend_node_type': 'atlas_800_a2'}}},
    }}


def newest_report(report_dir: str) -> Dict[str, object]:
    paths = sorted(glob.glob(os.path.join(report_dir, 'verify_hccl-*', 'summary.json')), key=os.path.getmtime)
    with open(paths[-1]) as handle:
        return json.load(handle)


def ping_step_seconds(output: str) -> Optional[float]:
    match = PING_STEP.search(output)
    return float(match.group(1)) if match else None


def measure(inventory_path: str, report_dir: str, names: List[str], pattern: str) -> Dict[str, object]:
    started = time.monotonic()
    done = playbook(inventory_path, os.path.join(REPO, 'playbooks', 'verify_hccl.yml'),
                    '--limit', ','.join(names), '-e', 'hccl_check_ping_pattern=%s' % pattern, check=False)
    wall = time.monotonic() - started
    log = os.path.join(os.path.dirname(report_dir), 'verify-%d-%s.log' % (len(names), pattern))
    with open(log, 'w') as handle:
        handle.write(done.stdout + done.stderr)
    report = newest_report(report_dir)
    data = report['data']
    if done.returncode != 0 or not data['healthy'] or data['nodes'] != names:
        raise SystemExit('verify_hccl.yml on %s (%s) did not pass on the healthy cluster: see %s' % (names, pattern, log))
    per_node = data.get('pairs_per_node') or {}
    return {'nodes': len(names), 'pattern': pattern, 'pairs': data['pairs_checked'],
            'per_node': max(per_node.values()) if per_node else 0, 'wall': wall, 'ping': ping_step_seconds(done.stdout)}


def fastest(runs: List[Dict[str, object]]) -> Dict[str, object]:
    """The run least slowed by other jobs on the machine, with the shortest ping step seen."""
    best = dict(min(runs, key=lambda run: run['wall']))
    pings = [run['ping'] for run in runs if run['ping'] is not None]
    # Without pairs the ping step is skipped; its few milliseconds are not a measurement.
    best['ping'] = min(pings) if pings and best['pairs'] else None
    return best


def ratio(numerator: float, denominator: float) -> str:
    return '%.1fx' % (numerator / denominator) if denominator else 'n/a'


def print_results(results: List[Dict[str, object]], sizes: List[int]) -> None:
    print('%-6s %-10s %7s %10s %9s %9s' % ('nodes', 'pattern', 'pairs', 'pings/node', 'wall s', 'ping s'))
    for row in results:
        ping = '-' if row['ping'] is None else '%.1f' % row['ping']
        print('%-6d %-10s %7d %10d %9.1f %9s' % (row['nodes'], row['pattern'], row['pairs'], row['per_node'], row['wall'], ping))
    by_key = dict(((row['nodes'], row['pattern']), row) for row in results)
    smallest, largest = sizes[0], sizes[-1]
    print()
    for pattern in PATTERNS:
        base = by_key[(smallest, pattern)]
        steps = ', '.join('%d nodes %s' % (size, ratio(by_key[(size, pattern)]['wall'], base['wall'])) for size in sizes[1:])
        print('%-10s wall time relative to %d node%s: %s' % (pattern, smallest, '' if smallest == 1 else 's', steps))
        if len(sizes) > 2:
            before = by_key[(sizes[-2], pattern)]
            print('%-10s %d nodes / %d nodes: wall %s, ping step %s, pairs %d -> %d' % (
                pattern, largest, sizes[-2], ratio(by_key[(largest, pattern)]['wall'], before['wall']),
                ratio(by_key[(largest, pattern)]['ping'] or 0, before['ping'] or 0), before['pairs'],
                by_key[(largest, pattern)]['pairs']))
    ring, everything = by_key[(largest, 'ring')], by_key[(largest, 'all_pairs')]
    print('all_pairs / ring at %d nodes: pairs %s, wall %s, ping step %s' % (
        largest, ratio(everything['pairs'], ring['pairs']), ratio(everything['wall'], ring['wall']),
        ratio(everything['ping'] or 0, ring['ping'] or 0)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='1,2,4', help='node counts to measure (default 1,2,4)')
    parser.add_argument('--repeat', type=int, default=3,
                        help='runs of each measurement; the fastest counts, the one other jobs disturbed least (default 3)')
    parser.add_argument('--keep', action='store_true', help='leave the emulated nodes running')
    args = parser.parse_args()
    sizes = sorted(set(int(size) for size in args.sizes.split(',')))
    names = node_names(max(sizes))
    workdir = tempfile.mkdtemp(prefix='hccl-bench-')
    report_dir = os.path.join(workdir, 'reports')
    inventory_path = os.path.join(workdir, 'inventory.json')
    with open(inventory_path, 'w') as handle:
        json.dump(inventory(names, report_dir), handle)
    nodes_var = os.path.join(workdir, 'nodes.json')
    with open(nodes_var, 'w') as handle:
        json.dump({'testbed_nodes': [{'name': name, 'groups': ['atlas_800_a2']} for name in names]}, handle)

    print('bringing up %d emulated A2 nodes (%s)' % (len(names), ', '.join(names)), flush=True)
    playbook(inventory_path, os.path.join(TESTBED_PLAYBOOKS, 'world_up.yml'))
    try:
        # Management addresses from .198, NPU addresses 10.20.71.x and up: apart from any scenario's nodes.
        playbook(inventory_path, os.path.join(TESTBED_PLAYBOOKS, 'nodes_up.yml'), '-e', '@' + nodes_var,
                 '-e', 'testbed_site_subnet_offset=70')
        # Addresses 10.20.71.x and up from the start: apart from any scenario's nodes.
        playbook(inventory_path, os.path.join(TESTBED_PLAYBOOKS, 'site_prepare.yml'), '-e', 'testbed_site_subnet_offset=70')
        # Unmeasured: moves the NPUs to their own range and warms the caches.
        playbook(inventory_path, os.path.join(REPO, 'playbooks', 'verify_hccl.yml'), '-e', 'hccl_check_configure=true')
        results = []
        for size in sizes:
            for pattern in PATTERNS:
                print('measuring %d node%s, %s' % (size, '' if size == 1 else 's', pattern), flush=True)
                runs = [measure(inventory_path, report_dir, names[:size], pattern) for _attempt in range(max(1, args.repeat))]
                results.append(fastest(runs))
        print()
        print_results(results, sizes)
    finally:
        if not args.keep:
            playbook(inventory_path, os.path.join(TESTBED_PLAYBOOKS, 'nodes_down.yml'), '-e', '@' + nodes_var, check=False)


if __name__ == '__main__':
    main()
