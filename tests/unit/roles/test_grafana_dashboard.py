# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/grafana/ascend-vllm-cluster.json: importable, every query valid PromQL over the jobs the prometheus role scrapes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / 'docs' / 'grafana' / 'ascend-vllm-cluster.json'
PROMTOOL = shutil.which('promtool')
JOBS = {'vllm', 'vllm_router', 'npu_exporter'}


def queries():
    dashboard = json.loads(DASHBOARD.read_text(encoding='utf-8'))
    return [(panel['title'], target['expr']) for panel in dashboard['panels'] if panel['type'] != 'row'
            for target in panel['targets']]


def test_the_dashboard_is_provisioning_ready():
    dashboard = json.loads(DASHBOARD.read_text(encoding='utf-8'))
    assert dashboard['uid'] == 'ascend-ops-vllm' and 'id' not in dashboard
    variables = {variable['name']: variable for variable in dashboard['templating']['list']}
    assert variables['datasource']['type'] == 'datasource' and variables['datasource']['query'] == 'prometheus'
    assert {'model', 'node'} <= set(variables)
    ids = [panel['id'] for panel in dashboard['panels']]
    assert len(ids) == len(set(ids))
    for panel in dashboard['panels']:
        if panel['type'] != 'row':
            assert panel['datasource']['uid'] == '${datasource}', panel['title']


def test_every_query_reads_a_job_the_role_scrapes():
    for title, expr in queries():
        jobs = set(re.findall(r'job=~?"([^"]+)"', expr))
        assert jobs and jobs <= JOBS, (title, expr)


@pytest.mark.skipif(PROMTOOL is None, reason='promtool (Debian prometheus) is not installed')
def test_every_query_is_valid_promql(tmp_path: Path):
    # Grafana's variables replaced by what they expand to, each query a recording rule for promtool to parse.
    rules = [{'record': 'dashboard:query_%d' % index,
              'expr': expr.replace('$__rate_interval', '1m').replace('$model', '.*').replace('$node', '.*')}
             for index, (_title, expr) in enumerate(queries())]
    path = tmp_path / 'dashboard_rules.yml'
    path.write_text(yaml.safe_dump({'groups': [{'name': 'dashboard', 'rules': rules}]}), encoding='utf-8')
    result = subprocess.run([PROMTOOL, 'check', 'rules', str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'SUCCESS: %d rules found' % len(rules) in result.stdout
