# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The prometheus role's alert rules, rendered with its defaults, pass promtool's check and unit tests.

promtool comes with Debian's prometheus package (the Makefile's HOST_PACKAGES).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import jinja2
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
ROLE = ROOT / 'roles' / 'prometheus'
PROMTOOL = shutil.which('promtool')
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason='promtool (Debian prometheus) is not installed')


def render(template: str, **overrides) -> str:
    variables = yaml.safe_load((ROLE / 'defaults' / 'main.yml').read_text(encoding='utf-8'))
    variables.update(ansible_managed='Ansible managed', inventory_hostname='mon-0')
    variables.update(overrides)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROLE / 'templates')), undefined=jinja2.StrictUndefined,
                                     keep_trailing_newline=True)
    environment.filters['comment'] = lambda text: '\n'.join('# ' + line for line in str(text).splitlines())
    environment.filters['bool'] = bool
    # The role's vars are templates too (as Ansible resolves them, in order).
    for name, value in yaml.safe_load((ROLE / 'vars' / 'main.yml').read_text(encoding='utf-8')).items():
        variables[name] = environment.from_string(value).render(**variables) if isinstance(value, str) else value
    return environment.get_template(template).render(**variables)


def test_rules_carry_the_settings():
    rules = yaml.safe_load(render('alerts.yml.j2', prometheus_alert_waiting_requests=7, prometheus_alert_hung_window='30s'))
    by_name = {rule['alert']: rule for rule in rules['groups'][0]['rules']}
    assert set(by_name) == {'VllmReplicaDown', 'VllmRouterNoHealthyWorker', 'VllmRequestsWaiting', 'VllmKvCacheNearFull',
                            'VllmEngineHung', 'NpuUnhealthy', 'NpuHbmNearFull', 'NpuTemperatureHigh', 'NpuExporterDown'}
    assert by_name['VllmRequestsWaiting']['expr'].endswith('> 7')
    assert '[30s]' in by_name['VllmEngineHung']['expr']
    assert by_name['VllmReplicaDown']['for'] == '1m'


@needs_promtool
def test_promtool_checks_the_rules(tmp_path: Path):
    rules = tmp_path / 'alerts.yml'
    rules.write_text(render('alerts.yml.j2', prometheus_alert_replica_down_for='5s'), encoding='utf-8')
    result = subprocess.run([PROMTOOL, 'check', 'rules', str(rules)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'SUCCESS: 9 rules found' in result.stdout


@needs_promtool
def test_promtool_refuses_a_broken_window(tmp_path: Path):
    rules = tmp_path / 'alerts.yml'
    rules.write_text(render('alerts.yml.j2', prometheus_alert_hung_window='two minutes'), encoding='utf-8')
    result = subprocess.run([PROMTOOL, 'check', 'rules', str(rules)], capture_output=True, text=True, check=False)
    assert result.returncode != 0


@needs_promtool
def test_promtool_unit_tests_of_the_rules(tmp_path: Path):
    rules = tmp_path / 'alerts.yml'
    rules.write_text(render('alerts.yml.j2'), encoding='utf-8')
    tests = tmp_path / 'alerts_test.yml'
    tests.write_text((Path(__file__).parent / 'files' / 'prometheus_alerts_test.yml').read_text(encoding='utf-8')
                     .replace('rule_files: [RULES]', 'rule_files: [%s]' % rules), encoding='utf-8')
    result = subprocess.run([PROMTOOL, 'test', 'rules', str(tests)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_checks_the_configuration(tmp_path: Path):
    config = tmp_path / 'prometheus.yml'
    config.write_text(render('prometheus.yml.j2'), encoding='utf-8')
    result = subprocess.run([PROMTOOL, 'check', 'config', '--syntax-only', str(config)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    scrape = yaml.safe_load(config.read_text(encoding='utf-8'))['scrape_configs']
    assert [job['job_name'] for job in scrape] == ['prometheus', 'vllm', 'vllm_router', 'npu_exporter']
    assert scrape[1]['file_sd_configs'][0]['files'] == ['/etc/prometheus/ascend_ops/vllm/*.json']


def test_alertmanager_receivers_from_the_settings():
    config = yaml.safe_load(render('alertmanager.yml.j2', prometheus_alertmanager_webhook_urls=['http://hook:5001/alerts'],
                                   prometheus_alertmanager_email_to=['ops@example.com'],
                                   prometheus_alertmanager_email_from='am@example.com',
                                   prometheus_alertmanager_smtp_smarthost='smtp.example.com:587'))
    receiver = config['receivers'][0]
    assert receiver['webhook_configs'] == [{'url': 'http://hook:5001/alerts', 'send_resolved': True}]
    assert receiver['email_configs'][0]['to'] == 'ops@example.com'
    assert config['global']['smtp_smarthost'] == 'smtp.example.com:587'
    assert 'smtp_auth_password' not in config['global']
