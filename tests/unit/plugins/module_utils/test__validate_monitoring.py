# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring checks (topic monitoring), on the roles' real argument specs."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate, _validate_monitoring  # noqa: F401 pylint: disable=unused-import
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, validate
from ansible_collections.ascend_ops.vllm.tests.unit.role_specs import role_argument_specs


SPECS = role_argument_specs()
A2 = {'ascend_model': 'qwen3.6-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_image_registry': 'quay.io',
      'ascend_weights_dir': '/data/models', 'ascend_node_type': 'atlas_800_a2'}
GROUPS = {'all': ['a2-0', 'rt-0', 'mon-0'], 'atlas_800_a2': ['a2-0'], 'vllm_router': ['rt-0'], 'monitoring': ['mon-0']}


def _inventory(monitor=None, router=None, node=None):
    return Inventory({'a2-0': dict(A2, **(node or {})), 'rt-0': dict(router or {}), 'mon-0': dict(monitor or {})},
                     groups=GROUPS, specs=SPECS)


def _monitoring(**kwargs):
    return validate(_inventory(**kwargs), ['monitoring'])


def test_the_checks_are_registered_under_their_topic():
    assert 'monitoring' in _validate.topics()


def test_a_monitoring_host_without_a_node_type_serves_nothing():
    inventory = _inventory()
    assert inventory.play_hosts == ['a2-0']
    assert validate(inventory) == []


def test_good_settings_pass():
    assert _monitoring(monitor={'prometheus_alert_replica_down_for': '10s', 'prometheus_alert_kv_cache_percent': 80,
                                'prometheus_alertmanager_webhook_urls': ['http://mon-0:5001/alerts'],
                                'prometheus_alertmanager_email_to': ['ops@example.com'],
                                'prometheus_alertmanager_smtp_smarthost': 'smtp.example.com:587',
                                'prometheus_alertmanager_email_from': 'am@example.com'},
                       router={'vllm_router_metrics_address': '0.0.0.0'}) == []


@pytest.mark.parametrize('variables, variable, what', [
    ({'prometheus_alert_hung_for': '1 minute'}, 'prometheus_alert_hung_for', "'1 minute' is no Prometheus duration"),
    ({'prometheus_alert_hbm_percent': 150}, 'prometheus_alert_hbm_percent', '150 is not a percentage in (0, 100]'),
    ({'prometheus_retention_time': '15 days'}, 'prometheus_retention_time', "'15 days' is no Prometheus duration"),
    ({'prometheus_port': 70000}, 'prometheus_port', '70000 is no port'),
    ({'prometheus_alertmanager_webhook_urls': ['mon-0:5001']}, 'prometheus_alertmanager_webhook_urls',
     "'mon-0:5001' is no http(s) URL"),
    ({'prometheus_alertmanager_email_to': ['ops@example.com'], 'prometheus_alertmanager_email_from': 'a@example.com'},
     'prometheus_alertmanager_smtp_smarthost', 'is not set, but prometheus_alertmanager_email_to sends e-mail'),
])
def test_bad_monitoring_settings_are_refused_with_the_variable(variables, variable, what):
    problems = _monitoring(monitor=variables)
    assert [(found['host'], found['variable']) for found in problems] == [('mon-0', variable)]
    assert what in problems[0]['problem']
    assert problems[0]['accepted']


def test_router_metrics_on_loopback_are_refused_when_prometheus_runs_elsewhere():
    problems = _monitoring(router={'vllm_router_metrics_address': '127.0.0.1'})
    assert [(found['host'], found['variable']) for found in problems] == [('rt-0', 'vllm_router_metrics_address')]
    assert 'Prometheus on mon-0 cannot scrape the router' in problems[0]['problem']


def test_the_exporter_port_is_checked_on_the_nodes():
    problems = _monitoring(node={'npu_exporter_port': 0})
    assert [(found['host'], found['variable']) for found in problems] == [('a2-0', 'npu_exporter_port')]


def test_a_threshold_of_the_wrong_type_is_reported_once_by_the_types_topic():
    problems = validate(_inventory(monitor={'prometheus_alert_waiting_requests': 'lots'}))
    assert [(found['variable'], found['problem']) for found in problems] == [
        ('prometheus_alert_waiting_requests', "'lots' is not an integer")]
