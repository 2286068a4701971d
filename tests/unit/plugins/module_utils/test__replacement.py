# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which replicas a serve step keeps, removes and starts, and what each new one replaces."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._replacement import ReplacementError, replacement_plan


def running(index, npus, config_hash, port=None):
    """A container as docker_host_info lists it with verbose_output."""
    return {'Id': 'c%d' % index, 'Names': ['/vllm-qwen3.6-r%d' % index],
            'Labels': {'ascend_ops.vllm.replica': str(index), 'ascend_ops.vllm.npus': ','.join(map(str, npus)),
                       'ascend_ops.vllm.port': str(8000 + index if port is None else port),
                       'ascend_ops.vllm.config_hash': config_hash}}


def unit(index, npus, config_hash, port=None):
    return {'name': 'vllm-qwen3.6-r%d' % index, 'npus': npus, 'port': 8000 + index if port is None else port,
            'config_hash': config_hash}


TP2 = [[0, 1], [2, 3], [4, 5], [6, 7]]


def test_unchanged_replicas_are_kept_and_nothing_starts():
    plan = replacement_plan([running(i, npus, 'h%d' % i) for i, npus in enumerate(TP2)],
                            [unit(i, npus, 'h%d' % i) for i, npus in enumerate(TP2)])
    assert plan['keep'] == ['vllm-qwen3.6-r%d' % i for i in range(4)]
    assert (plan['remove'], plan['start'], plan['steps']) == ([], [], [])
    assert plan['summary'] == 'keep vllm-qwen3.6-r0, vllm-qwen3.6-r1, vllm-qwen3.6-r2, vllm-qwen3.6-r3'


def test_a_fresh_node_starts_every_replica_replacing_nothing():
    plan = replacement_plan([], [unit(i, npus, 'h') for i, npus in enumerate(TP2)])
    assert plan['start'] == ['vllm-qwen3.6-r%d' % i for i in range(4)]
    assert [step['replaces'] for step in plan['steps']] == [[], [], [], []]
    assert plan['summary'].startswith('keep none; start vllm-qwen3.6-r0; ')


def test_a_changed_setting_replaces_each_replica_by_itself():
    plan = replacement_plan([running(i, npus, 'old') for i, npus in enumerate(TP2)],
                            [unit(i, npus, 'new') for i, npus in enumerate(TP2)])
    assert plan['keep'] == []
    assert plan['remove'] == ['vllm-qwen3.6-r%d' % i for i in range(4)]
    assert [step['replaces'] for step in plan['steps']] == [['vllm-qwen3.6-r%d' % i] for i in range(4)]


def test_tp2_to_tp4_replaces_two_old_replicas_with_each_new_one():
    plan = replacement_plan([running(i, npus, 'tp2') for i, npus in enumerate(TP2)],
                            [unit(0, [0, 1, 2, 3], 'tp4'), unit(1, [4, 5, 6, 7], 'tp4')])
    assert plan['steps'] == [{'name': 'vllm-qwen3.6-r0', 'replaces': ['vllm-qwen3.6-r0', 'vllm-qwen3.6-r1']},
                             {'name': 'vllm-qwen3.6-r1', 'replaces': ['vllm-qwen3.6-r1', 'vllm-qwen3.6-r2', 'vllm-qwen3.6-r3']}]
    assert plan['remove'] == ['vllm-qwen3.6-r0', 'vllm-qwen3.6-r1', 'vllm-qwen3.6-r2', 'vllm-qwen3.6-r3']
    assert plan['unplanned'] == ['vllm-qwen3.6-r2', 'vllm-qwen3.6-r3']


def test_fewer_replicas_remove_only_the_unplanned_one():
    plan = replacement_plan([running(i, npus, 'h') for i, npus in enumerate(TP2)],
                            [unit(i, npus, 'h') for i, npus in enumerate(TP2[:3])])
    assert plan['keep'] == ['vllm-qwen3.6-r0', 'vllm-qwen3.6-r1', 'vllm-qwen3.6-r2']
    assert (plan['remove'], plan['start']) == (['vllm-qwen3.6-r3'], [])
    assert plan['summary'].endswith('; remove vllm-qwen3.6-r3')


def test_unplanned_replicas_stay_when_told_to():
    plan = replacement_plan([running(i, npus, 'h') for i, npus in enumerate(TP2)], [unit(0, [0, 1], 'h')],
                            remove_unplanned=False)
    assert plan['remove'] == []
    assert plan['unplanned'] == ['vllm-qwen3.6-r1', 'vllm-qwen3.6-r2', 'vllm-qwen3.6-r3']


def test_a_new_replica_on_the_api_port_of_an_old_one_replaces_it():
    plan = replacement_plan([running(0, [0, 1], 'h', port=9000)], [unit(5, [6, 7], 'h', port=9000)])
    assert plan['steps'] == [{'name': 'vllm-qwen3.6-r5', 'replaces': ['vllm-qwen3.6-r0']}]


def test_a_headless_container_has_no_api_port():
    labels = {'ascend_ops.vllm.npus': '0,1,2,3', 'ascend_ops.vllm.port': 'none', 'ascend_ops.vllm.config_hash': 'old'}
    existing = [dict(running(0, [0, 1, 2, 3], 'old'), Labels=labels)]
    plan = replacement_plan(existing, [dict(unit(0, [0, 1, 2, 3], 'new'), port=None)])
    assert plan['steps'] == [{'name': 'vllm-qwen3.6-r0', 'replaces': ['vllm-qwen3.6-r0']}]


def test_labels_that_contradict_the_plan_are_refused():
    # r1 keeps its hash but its labels claim NPU 0, which the started r0 needs;
    # in either order of the plan.
    for planned in ([unit(0, [0, 1], 'new'), unit(1, [2, 3], 'same')], [unit(1, [2, 3], 'same'), unit(0, [0, 1], 'new')]):
        with pytest.raises(ReplacementError, match='kept containers vllm-qwen3.6-r1'):
            replacement_plan([running(0, [0, 1], 'old'), running(1, [0, 3], 'same')], planned)


def test_a_plan_naming_one_container_twice_is_refused():
    with pytest.raises(ReplacementError, match='names a container twice'):
        replacement_plan([], [unit(0, [0, 1], 'h'), unit(0, [2, 3], 'h')])
