# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What remove.yml decides (which files are still a role's) and reports (what went, per host and part)."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._removal import (
    NOTHING,
    RemovalError,
    marked_files,
    removal_rows,
)

# The head of the prometheus role's prometheus.yml as the template renders it,
# and of Debian 12's own /etc/prometheus/prometheus.yml.
OURS = '''# Ansible managed
# Targets: file_sd files written from the deployment's facts, one per job and
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: vllm
    file_sd_configs:
      - files: [/etc/prometheus/ascend_ops/vllm/*.json]
'''
DEBIANS = '''# Sample config for Prometheus.

global:
  scrape_interval:     15s # Set the scrape interval to every 15 seconds. Default is every 1 minute.
scrape_configs:
  - job_name: 'prometheus'
    static_configs:
      - targets: ['localhost:9090']
'''
MARKER = '/etc/prometheus/ascend_ops/'


def _slurped(path, text, marker=MARKER):
    return {'changed': False, 'failed': False, 'encoding': 'base64', 'source': path,
            'content': base64.b64encode(text.encode('utf-8')).decode('ascii'), 'item': {'path': path, 'marker': marker},
            'ansible_loop_var': 'item'}


def _missing(path, marker=MARKER):
    # slurp's result for a missing file, under failed_when: false
    return {'changed': False, 'failed': False, 'failed_when_result': False, 'item': {'path': path, 'marker': marker},
            'msg': 'file not found: %s' % path, 'ansible_loop_var': 'item'}


def test_a_file_the_role_wrote_is_its_own_and_the_packages_is_not():
    results = [_slurped('/etc/prometheus/prometheus.yml', OURS), _slurped('/etc/default/prometheus', DEBIANS, 'Read by Debian')]
    assert marked_files(results) == ['/etc/prometheus/prometheus.yml']


def test_a_missing_file_is_nothing_to_remove():
    assert marked_files([_missing('/etc/prometheus/alertmanager.yml'), _slurped('/etc/prometheus/prometheus.yml', OURS)]) \
        == ['/etc/prometheus/prometheus.yml']
    assert marked_files([]) == []


def test_the_paths_keep_the_order_of_the_results():
    results = [_slurped('/b', 'x ' + MARKER), _slurped('/a', MARKER + ' y')]
    assert marked_files(results) == ['/b', '/a']


def test_each_file_is_judged_by_its_own_marker():
    results = [_slurped('/etc/haproxy/haproxy.cfg', '# The front (ascend_ops.vllm.vllm_router): one', '(ascend_ops.vllm.vllm_router)'),
               _slurped('/etc/prometheus/alertmanager.yml', 'receiver: ascend_ops\n', '(ascend_ops.vllm.vllm_router)')]
    assert marked_files(results) == ['/etc/haproxy/haproxy.cfg']


def test_results_without_their_item_or_with_bad_content_are_refused():
    with pytest.raises(RemovalError, match='loop item'):
        marked_files([{'content': 'eA=='}])
    with pytest.raises(RemovalError, match='not base64'):
        marked_files([dict(_slurped('/x', OURS), content='not base64 at all!')])
    with pytest.raises(RemovalError, match='mapping'):
        marked_files(['/etc/prometheus/prometheus.yml'])


NODE = {'inventory_hostname': 'npu-a2-01',
        'vllm_serve_removed': {'removed': ['vllm-qwen3.6-r0', 'vllm-qwen3.6-r1-previous', '/etc/ascend_ops/vllm/vllm-qwen3.6-r0.sh'],
                               'kept': [], 'images': ['quay.io/ascend/vllm-ascend:v0.18.0rc1']},
        'npu_exporter_removed': {'removed': ['npu-exporter'], 'kept': ['package unzip']},
        'vllm_image_removed': {'removed': [], 'kept': ['quay.io/ascend/vllm-ascend:v0.18.0rc1']},
        'model_weights_removed': {'removed': [], 'kept': ['/data/models/Eco-Tech/Qwen3.6-27B-w8a8']}}
ROUTER = {'inventory_hostname': 'router-01',
          'vllm_router_removed': {'removed': ['vllm-router@qwen3.6', 'haproxy', '/opt/vllm-router'], 'kept': ['package haproxy']}}


def test_one_row_per_host_and_part_in_the_order_of_the_teardown():
    rows = removal_rows([NODE, ROUTER, {'inventory_hostname': 'localhost'}])
    assert [(row['host'], row['part']) for row in rows] == [
        ('npu-a2-01', 'replicas'), ('npu-a2-01', 'NPU exporter'), ('npu-a2-01', 'image'), ('npu-a2-01', 'weights'),
        ('router-01', 'router')]
    assert rows[0] == {'host': 'npu-a2-01', 'part': 'replicas', 'removed': 'vllm-qwen3.6-r0, vllm-qwen3.6-r1-previous,'
                       ' /etc/ascend_ops/vllm/vllm-qwen3.6-r0.sh', 'kept': NOTHING}
    assert rows[2]['removed'] == NOTHING and rows[2]['kept'] == 'quay.io/ascend/vllm-ascend:v0.18.0rc1'
    assert rows[4]['removed'] == 'vllm-router@qwen3.6, haproxy, /opt/vllm-router'


def test_a_second_run_still_lists_every_part_it_looked_at():
    again = {'inventory_hostname': 'n', 'vllm_serve_removed': {'removed': [], 'kept': [], 'images': []}}
    assert removal_rows([again]) == [{'host': 'n', 'part': 'replicas', 'removed': NOTHING, 'kept': NOTHING}]


def test_records_of_the_wrong_shape_are_refused_naming_the_host_and_fact():
    with pytest.raises(RemovalError, match='vllm_serve_removed of n: removed must be a list'):
        removal_rows([{'inventory_hostname': 'n', 'vllm_serve_removed': {'removed': 'vllm-x-r0'}}])
    with pytest.raises(RemovalError, match='vllm_router_removed of r must be a mapping'):
        removal_rows([{'inventory_hostname': 'r', 'vllm_router_removed': ['x']}])
    with pytest.raises(RemovalError, match='inventory_hostname'):
        removal_rows([{'vllm_serve_removed': {}}])
