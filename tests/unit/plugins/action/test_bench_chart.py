# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bench_chart draws on the controller: its arguments, check mode, and a PNG when matplotlib is there."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.ascend_ops.vllm.plugins.action import bench_chart
from ansible_collections.ascend_ops.vllm.plugins.action.bench_chart import ActionModule

ROWS = [{'target': 'cluster-qwen3.6', 'node': 'cluster', 'replica': 'http://r:8080', 'out tok/s': 400.0, 'TTFT mean': 60.0,
         'TTFT p99': 90.0, 'note': ''},
        {'target': 'a2-0-vllm-qwen3.6-r0', 'node': 'a2-0', 'replica': 'vllm-qwen3.6-r0', 'out tok/s': 110.0, 'TTFT mean': 50.0,
         'TTFT p99': 80.0, 'note': 'slow: 110.00 tok/s is below 0.7 of the atlas_800_a2 median 200.00'}]


def action(args, check_mode=False):
    task = MagicMock()
    task.args = args
    task.check_mode = check_mode
    task.async_val = 0
    module = ActionModule(task, MagicMock(), MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    return module


@pytest.mark.parametrize('args, message', [({'rows': 'x', 'path': '/tmp/c.png'}, 'rows must be'),
                                           ({'rows': ROWS, 'path': 'chart.png'}, 'absolute path ending in .png'),
                                           ({'rows': ROWS, 'path': '/tmp/chart.svg'}, 'absolute path ending in .png')])
def test_wrong_arguments_are_refused(args, message):
    with pytest.raises(AnsibleActionFail, match=message):
        action(args).run(task_vars={})


def test_check_mode_writes_nothing(tmp_path):
    path = tmp_path / 'chart.png'
    result = action({'rows': ROWS, 'path': str(path)}, check_mode=True).run(task_vars={})
    assert not path.exists() and result['targets'] == 2 and not result['changed']


def test_no_result_no_chart(tmp_path):
    result = action({'rows': [dict(ROWS[0], **{'out tok/s': ''})], 'path': str(tmp_path / 'chart.png')}).run(task_vars={})
    assert result['targets'] == 0 and not (tmp_path / 'chart.png').exists()


def test_without_matplotlib_the_message_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_chart, 'pyplot', None)
    with pytest.raises(AnsibleActionFail, match='requirements.txt'):
        action({'rows': ROWS, 'path': str(tmp_path / 'chart.png')}).run(task_vars={})


def test_the_chart_is_a_png(tmp_path):
    if bench_chart.pyplot is None:
        pytest.skip('matplotlib is not installed here')
    path = tmp_path / 'chart.png'
    result = action({'rows': ROWS, 'path': str(path)}).run(task_vars={})
    assert result['targets'] == 2 and path.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_each_node_has_its_colour_and_the_cluster_grey():
    assert bench_chart.colours(['cluster', 'a2-0', 'a2-0', 'a3-0']) == [
        bench_chart.CLUSTER_COLOUR, bench_chart.NODE_COLOURS[0], bench_chart.NODE_COLOURS[0], bench_chart.NODE_COLOURS[1]]
