# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bench/deploy_scale.py's pure parts: the recap and profile_tasks parsers, the inventory, the tables."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# bench/ is no package and not in the collection's import path: load the script from its file.
# Its sibling bench/_ansible_run.py is imported as a script run from bench/ finds it.
SCRIPT = Path(__file__).resolve().parents[3] / 'bench' / 'deploy_scale.py'
sys.path.insert(0, str(SCRIPT.parent))
SPEC = importlib.util.spec_from_file_location('deploy_scale', SCRIPT)
deploy_scale = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(deploy_scale)

# The end of an ansible-playbook run as ansible-core 2.19 prints it without
# colour, profile_tasks' summary (every task, in the order run) after the
# default callback's recap; 79 columns, as when the output is not a terminal.
TASK_LINES = """\
ascend_ops.vllm.npu_driver : Look at the installed driver --------------- 0.84s
ascend_ops.vllm.vllm_image : Look for the image in the engine ----------- 0.41s
ascend_ops.vllm.vllm_image : Pull the image, attempts at most 4 --------- 0.12s
ascend_ops.vllm.vllm_image : Wait before the attempt, in seconds 0 ------ 0.05s
ascend_ops.vllm.vllm_image : Pull the image, attempt 1 ----------------- 21.37s
ascend_ops.vllm.vllm_image : Note the attempt's outcome ----------------- 0.08s
ascend_ops.vllm.model_weights : Download with the client of the serving image, from modelscope -- 12.50s
ascend_ops.vllm.vllm_serve : Start the replicas ------------------------- 3.91s
ascend_ops.vllm.vllm_serve : Wait until each replica is healthy, in seconds at most 150 - 104.62s
ascend_ops.vllm.vllm_serve : Ask each replica's /health ----------------- 1.02s
Put the serving nodes in ascend_serving_nodes --------------------------- 0.03s
"""
RECAP = """\
PLAY RECAP *********************************************************************
ds-0                       : ok=212  changed=31   unreachable=0    failed=0    skipped=97   rescued=0    ignored=0
ds-1                       : ok=209  changed=29   unreachable=0    failed=0    skipped=99   rescued=0    ignored=1

"""
PROFILE = """\
TASKS RECAP ********************************************************************
Wednesday 02 December 2026  13:40:12 +0000 (0:00:01.020)       0:02:25.734 ****
===============================================================================
""" + TASK_LINES
RUN_START = """\
PLAY [Validate the inventory] **************************************************

TASK [Put the serving nodes in ascend_serving_nodes] ***************************
Wednesday 02 December 2026  13:37:46 +0000 (0:00:00.031)       0:00:00.031 ****
changed: [ds-0]
changed: [ds-1]

"""
OUTPUT = RUN_START + RECAP + PROFILE
WAITS = 0.05 + 21.37 + 12.50 + 104.62


def test_node_names():
    assert deploy_scale.node_names(3) == ['ds-0', 'ds-1', 'ds-2']


def test_inventory_is_the_site_and_model_of_the_serving_scenario():
    inventory = deploy_scale.inventory(['ds-0', 'ds-1'], '/tmp/reports', startup_seconds=30)
    top = inventory['all']['vars']
    assert top['ansible_connection'] == 'community.docker.docker'
    assert top['ascend_image_registry'] == 'registry.ascend.test:5000'
    assert top['container_engine_insecure_registries'] == ['registry.ascend.test:5000']
    assert top['npu_driver_packages_url'] == 'http://repo.ascend.test:8081'
    assert top['model_weights_endpoint'] == 'http://hub.ascend.test:8090'
    assert top['ascend_report_dir'] == '/tmp/reports'
    assert top['ascend_model'] == 'qwen3.6-27b-w8a8'
    assert top['testbed_site_subnet_offset'] == 80
    # A string, as the container's environment takes it.
    assert top['vllm_serve_extra_env'] == {'VLLM_STANDIN_STARTUP_SECONDS': '30'}
    assert top['vllm_serve_health_timeout'] > 30
    a2 = inventory['all']['children']['atlas_800_a2']
    assert list(a2['hosts']) == ['ds-0', 'ds-1']
    assert a2['vars'] == {'ascend_node_type': 'atlas_800_a2', 'model_weights_source': 'modelscope'}


def test_inventory_startup_seconds():
    assert deploy_scale.inventory(['ds-0'], '/r', startup_seconds=5)['all']['vars']['vllm_serve_extra_env'] == {
        'VLLM_STANDIN_STARTUP_SECONDS': '5'}


def test_play_recap_counts_each_host():
    recap = deploy_scale.play_recap(OUTPUT)
    assert sorted(recap) == ['ds-0', 'ds-1']
    assert recap['ds-0'] == {'ok': 212, 'changed': 31, 'unreachable': 0, 'failed': 0, 'skipped': 97, 'rescued': 0, 'ignored': 0}
    assert recap['ds-1']['ignored'] == 1
    assert deploy_scale.changed_tasks(recap) == 60


def test_play_recap_with_colour_codes():
    coloured = RECAP.replace('ds-0 ', '\x1b[0;33mds-0\x1b[0m ').replace('changed=31  ', '\x1b[0;33mchanged=31  \x1b[0m')
    assert deploy_scale.play_recap(coloured)['ds-0']['changed'] == 31


def test_play_recap_of_an_unchanged_rerun_is_zero():
    rerun = RECAP.replace('changed=31', 'changed=0 ').replace('changed=29', 'changed=0 ')
    assert deploy_scale.changed_tasks(deploy_scale.play_recap(rerun)) == 0


def test_play_recap_takes_the_last_one():
    earlier = RECAP.replace('changed=31', 'changed=7 ')
    assert deploy_scale.play_recap(earlier + RUN_START + RECAP)['ds-0']['changed'] == 31


def test_play_recap_missing():
    assert not deploy_scale.play_recap(RUN_START)


def test_task_times_reads_every_summary_line():
    times = deploy_scale.task_times(OUTPUT)
    assert len(times) == 11
    assert times[0] == ('ascend_ops.vllm.npu_driver : Look at the installed driver', 0.84)
    # Names longer than the display's width, with a time of three digits.
    assert times[6] == ('ascend_ops.vllm.model_weights : Download with the client of the serving image, from modelscope', 12.5)
    assert times[8] == ('ascend_ops.vllm.vllm_serve : Wait until each replica is healthy, in seconds at most 150', 104.62)


def test_task_times_ignores_task_banners_and_timestamps():
    # The per-task timestamps of the run above the summary are not durations.
    assert deploy_scale.task_times(RUN_START) == []


def test_task_times_before_the_play_recap():
    times = deploy_scale.task_times(RUN_START + PROFILE + '\n' + RECAP)
    assert len(times) == 11
    assert sum(seconds for name, seconds in times) == pytest.approx(144.95)


def test_waiting_seconds_are_the_pull_download_and_model_load():
    assert deploy_scale.waiting_seconds(deploy_scale.task_times(OUTPUT)) == pytest.approx(WAITS)


def test_waiting_seconds_leaves_the_include_of_the_attempts_out():
    assert deploy_scale.waiting_seconds([('ascend_ops.vllm.vllm_image : Pull the image, attempts at most 4', 9.0)]) == 0
    assert deploy_scale.waiting_seconds([('vllm_image : Pull the image, attempt 2', 9.0)]) == 9.0


def test_waiting_seconds_needs_the_role():
    # A play-level task of the same words is not the role's wait.
    assert deploy_scale.waiting_seconds([('Wait until each replica is healthy', 5.0)]) == 0


def test_overhead_per_node():
    result = deploy_scale.overhead(160.0, deploy_scale.task_times(OUTPUT), 2)
    assert result['waits'] == pytest.approx(WAITS)
    assert result['overhead'] == pytest.approx(160.0 - WAITS)
    assert result['per_node'] == pytest.approx((160.0 - WAITS) / 2)


def test_overhead_never_negative():
    assert deploy_scale.overhead(100.0, deploy_scale.task_times(OUTPUT), 1)['overhead'] == 0.0


def test_cgroup_path():
    assert deploy_scale.cgroup_path('0::/system.slice/docker-0123abcd.scope\n') == '/system.slice/docker-0123abcd.scope'
    assert deploy_scale.cgroup_path('0::/\n') is None
    # systemd in the container moved itself below the container's cgroup.
    assert deploy_scale.cgroup_path('0::/system.slice/docker-0123abcd.scope/init.scope\n') == '/system.slice/docker-0123abcd.scope'
    assert deploy_scale.cgroup_path('0::/init.scope\n') is None
    assert deploy_scale.cgroup_path('12:cpu,cpuacct:/docker/0123\n') is None


def test_cpuacct_path():
    proc = '2:cpuacct:/docker/1bde67\n1:cpu:/docker/1bde67/init.scope\n0::/docker/1bde67/init.scope\n'
    assert deploy_scale.cpuacct_path(proc) == '/docker/1bde67'
    assert deploy_scale.cpuacct_path('12:cpu,cpuacct:/docker/0123/init.scope\n') == '/docker/0123'
    assert deploy_scale.cpuacct_path('2:cpuacct:/\n') is None
    assert deploy_scale.cpuacct_path('0::/system.slice/docker-0123abcd.scope\n') is None


def test_cpuacct_usec():
    assert deploy_scale.cpuacct_usec('48211934567\n') == 48211934
    assert deploy_scale.cpuacct_usec('') is None


def test_usage_usec():
    stat = 'usage_usec 48211934\nuser_usec 30110022\nsystem_usec 18101912\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n'
    assert deploy_scale.usage_usec(stat) == 48211934
    assert deploy_scale.usage_usec('user_usec 3\n') is None


def test_ratio():
    assert deploy_scale.ratio(3.0, 2.0) == 1.5
    assert deploy_scale.ratio(3.0, 0.0) is None
    assert deploy_scale.ratio(None, 2.0) is None


@pytest.mark.parametrize('value, target, expected', [(2.0, 2.0, 'met'), (2.01, 2.0, 'MISSED'), (0, 0, 'met'), (1, 0, 'MISSED'), (None, 1, 'n/a')])
def test_verdict(value, target, expected):
    assert deploy_scale.verdict(value, target) == expected


def test_figures_table():
    lines = deploy_scale.figures_table([('scale: T(8)/T(1)', 2.345, 2.0, '%.2f'), ('re-run: changed tasks at 8 nodes', 0.0, 0, '%d'),
                                        ('re-run: T2/T1 at 8 nodes', None, 0.35, '%.2f')])
    assert lines[0].split() == ['figure', 'value', 'target', 'verdict']
    assert lines[1].split()[-4:] == ['2.35', '<=', '2', 'MISSED']
    assert lines[2].split()[-4:] == ['0', '<=', '0', 'met']
    assert lines[3].split()[-4:] == ['-', '<=', '0.35', 'n/a']


def run(label, nodes, wall, **extra):
    row = {'label': label, 'nodes': nodes, 'wall': wall, 'waits': 40.0, 'overhead': wall - 40.0, 'per_node': (wall - 40.0) / nodes,
           'controller_cpu': 12.0, 'node_cpu_per_node': 20.0, 'load1': 3.5, 'changed': 0}
    row.update(extra)
    return row


def test_runs_table_without_node_cpu():
    lines = deploy_scale.runs_table([run('first', 8, 100.0, node_cpu_per_node=None)])
    assert lines[1].split() == ['first', '8', '100.0', '40.0', '60.0', '7.5', '12.0', '-', '3.50']


def test_report_ratios_and_verdicts():
    runs = [run('first', 2, 90.0), run('re-run', 2, 27.0, changed=3), run('first', 1, 50.0)]
    lines = deploy_scale.report(runs, [2, 1])
    figures = dict((line.rsplit(None, 4)[0], line.split()[-4:]) for line in lines[lines.index('') + 2:])
    assert figures['scale: T(2)/T(1)'] == ['1.80', '<=', '2', 'met']
    assert figures['re-run: T2/T1 at 2 nodes'] == ['0.30', '<=', '0.35', 'met']
    assert figures['re-run: changed tasks at 2 nodes'] == ['3', '<=', '0', 'MISSED']
    assert figures['ansible overhead s/node at 1 node'] == ['10.0', '<=', '10', 'met']
    assert figures['ansible overhead s/node at 2 nodes'] == ['25.0', '<=', '10', 'MISSED']


def test_report_without_a_rerun():
    lines = deploy_scale.report([run('first', 1, 50.0)], [1])
    assert not any(line.startswith('re-run:') for line in lines)
