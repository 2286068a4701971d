# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of ascend_ops.vllm.bench_chart: draws the benchmark chart (PNG) on the controller with matplotlib.
The series come from module_utils/_bench.py (chart_series); this file only draws. It connects to no host."""

from __future__ import annotations

import os
import textwrap
from typing import Any, Dict, Optional

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bench import chart_series

try:
    import matplotlib
    matplotlib.use('Agg')  # headless: the controller may have no display
    from matplotlib import pyplot
except ImportError:  # pragma: no cover - the controller's requirements.txt installs it
    matplotlib = None
    pyplot = None

CLUSTER_COLOUR = '#444444'
NODE_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf']


def colours(groups):
    """One colour per node (in order of appearance), grey for the cluster endpoint."""
    assigned = {}  # type: Dict[str, str]
    for group in groups:
        if group != 'cluster' and group not in assigned:
            assigned[group] = NODE_COLOURS[len(assigned) % len(NODE_COLOURS)]
    return [CLUSTER_COLOUR if group == 'cluster' else assigned[group] for group in groups]


def draw(series: Dict[str, Any], path: str, title: str) -> None:
    count = len(series['labels'])
    width = max(6.0, 0.45 * count + 2)
    figure, (throughput, ttft) = pyplot.subplots(2, 1, figsize=(width, 7.5), sharex=True)
    positions = list(range(count))
    colour = colours(series['groups'])
    bars = throughput.bar(positions, series['output_throughput'], color=colour)
    for patch, slow in zip(bars, series['slow']):
        if slow:  # named slow in the summary
            patch.set_hatch('//')
            patch.set_edgecolor('black')
    throughput.set_ylabel('output throughput (tok/s)\nhatched: slow')
    # Wrapped to the figure's width: a title wider than the chart is cut at its edges.
    throughput.set_title(textwrap.fill(title, width=max(40, int(width * 9))), fontsize=10)
    ttft.bar(positions, series['ttft_mean'], color=colour, label='mean')
    ttft.scatter(positions, series['ttft_p99'], color='black', marker='_', s=200, label='p99', zorder=3)
    ttft.set_ylabel('TTFT (ms)')
    ttft.legend(loc='upper right')
    ttft.set_xticks(positions)
    ttft.set_xticklabels(series['labels'], rotation=60, ha='right', fontsize=8)
    for axis in (throughput, ttft):
        axis.grid(axis='y', alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)


class ActionModule(ActionBase):
    """Write the chart of a benchmark run's rows as a PNG on the controller."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(('rows', 'path', 'title'))

    def run(self, tmp: Any = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args
        rows = args.get('rows')
        path = args.get('path')
        title = str(args.get('title') or 'vllm bench serve')
        if not isinstance(rows, list):
            raise AnsibleActionFail('bench_chart: rows must be the rows of ascend_ops.vllm.bench_rows, got %r' % (rows,))
        if not isinstance(path, str) or not path.endswith('.png') or not os.path.isabs(path):
            raise AnsibleActionFail('bench_chart: path must be an absolute path ending in .png, got %r' % (path,))
        series = chart_series(rows)
        result.update(changed=False, path=path, targets=len(series['labels']))
        if not series['labels']:
            result['msg'] = 'no target has a result: no chart written'
            return result
        if self._task.check_mode:
            result['msg'] = 'check mode: %s not written' % path
            return result
        if pyplot is None:
            raise AnsibleActionFail('bench_chart: matplotlib is not installed on the controller; install the collection\'s '
                                    'requirements.txt (pip install -r requirements.txt) into the Python that runs ansible')
        if not os.path.isdir(os.path.dirname(path)):
            raise AnsibleActionFail('bench_chart: the directory of %s does not exist' % path)
        draw(series, path, title)
        result['msg'] = 'wrote %s (%d targets)' % (path, len(series['labels']))
        return result
