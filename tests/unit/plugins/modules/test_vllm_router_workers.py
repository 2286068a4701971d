# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The router's worker list made the desired one, against a fake of vllm-router 0.1.17's run-time API."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.ascend_ops.vllm.plugins.modules import vllm_router_workers

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'module_utils', 'fixtures', 'router')


class FakeRouter(object):
    """Answers as vllm-router 0.1.17 does (texts seen from it), and records what was sent."""

    def __init__(self, urls):
        self.urls = list(urls)
        self.sent = []

    def __call__(self, method, url):
        self.sent.append((method, url))
        if url.endswith('/list_workers'):
            return 200, json.dumps({'urls': self.urls})
        route, worker = url.rsplit('/', 1)[1].split('?url=')
        worker = worker.replace('%3A', ':').replace('%2F', '/')
        if route == 'add_worker':
            if worker in self.urls:
                return 400, 'Worker %s already exists' % worker
            self.urls.append(worker)
            return 200, 'Successfully added worker: %s' % worker
        self.urls.remove(worker)
        return 200, 'Successfully removed worker: %s' % worker


def listed():
    with open(os.path.join(FIXTURES, 'list_workers_vllm-router-0.1.17_this-host.json')) as handle:
        return json.load(handle)['urls']


def test_adds_first_then_removes_and_a_second_run_changes_nothing():
    router = FakeRouter(listed())
    workers = vllm_router_workers.RouterWorkers('http://127.0.0.1:30000/', router)
    result = workers.sync(['http://127.0.0.1:18001', 'http://127.0.0.1:18002'], check_mode=False)
    assert result['changed'] and result['added'] == ['http://127.0.0.1:18002'] and result['removed'] == ['http://127.0.0.1:18999']
    posts = [url for method, url in router.sent if method == 'POST']
    assert posts == ['http://127.0.0.1:30000/add_worker?url=http%3A%2F%2F127.0.0.1%3A18002',
                     'http://127.0.0.1:30000/remove_worker?url=http%3A%2F%2F127.0.0.1%3A18999']
    assert sorted(router.urls) == sorted(result['workers'])
    again = workers.sync(['http://127.0.0.1:18001', 'http://127.0.0.1:18002'], check_mode=False)
    assert not again['changed'] and again['added'] == [] and again['removed'] == []


def test_check_mode_reports_the_change_without_posting():
    router = FakeRouter(listed())
    result = vllm_router_workers.RouterWorkers('http://127.0.0.1:30000', router).sync(['http://127.0.0.1:18001'], True)
    assert result['changed'] and result['removed'] == ['http://127.0.0.1:18999']
    assert result['workers'] == ['http://127.0.0.1:18001']
    assert [method for method, url in router.sent] == ['GET'] and router.urls == listed()
    assert result['diff']['before']['workers'] == listed()


def test_a_refused_add_names_the_worker_and_the_answer():
    def request(method, url):
        if method == 'GET':
            return 200, '{"urls": []}'
        return 500, 'Worker http://10.0.0.9:8000 failed to become healthy after 600 seconds'
    with pytest.raises(vllm_router_workers.RouterAPIError, match='add_worker.url=http://10.0.0.9:8000 answered 500: Worker'):
        vllm_router_workers.RouterWorkers('http://127.0.0.1:30000', request).sync(['http://10.0.0.9:8000'], False)


def test_a_list_that_is_no_list_is_an_error():
    with pytest.raises(vllm_router_workers.RouterAPIError, match='not {"urls"'):
        vllm_router_workers.RouterWorkers('http://127.0.0.1:30000', lambda m, u: (403, 'Forbidden')).current()
