#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: vllm_router_workers
short_description: Make a running vLLM router's worker list the given one, through its run-time API
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Reads the router's workers (C(GET /list_workers)), then adds the missing ones (C(POST /add_worker?url=URL)) and removes
    the others (C(POST /remove_worker?url=URL)), so a replica added or removed by a deploy joins or leaves the router
    without restarting it. Adds come first, so the router never has fewer workers than it needs on the way.
  - The router answers an add only once the worker's health check passes, or fails it after its
    C(--worker-startup-timeout-secs); O(timeout) bounds each request.
  - URLs are compared without a trailing slash.
options:
  url:
    description: The router's base URL, where only the collection reaches it (the router listens on 127.0.0.1).
    type: str
    required: true
  workers:
    description: The worker URLs the router should have (C(http://ADDRESS:PORT), no C(/v1)).
    type: list
    elements: str
    required: true
  timeout:
    description: Seconds each request to the router may take (an add waits for the worker's health).
    type: int
    default: 630
  keep_hosts:
    description:
      - Addresses of serving nodes the run has no facts of (left out by C(--limit)); the router keeps its workers on them.
      - The filter C(ascend_ops.vllm.router_unplanned_hosts) names them.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads the router's list and reports what it would add and remove, without sending them.
  diff_mode:
    support: full
    details: The worker list before and after.
  platform:
    platforms: posix
  idempotent:
    description: A second run with the same O(workers) finds nothing to add or remove and changes nothing.
    support: full
notes:
  - The router's admin routes take no key; run this on the router host against its loopback address.
seealso:
  - module: ansible.builtin.uri
"""

EXAMPLES = r"""
- name: Give the router every replica of the deployment
  ascend_ops.vllm.vllm_router_workers:
    url: http://127.0.0.1:30000
    workers:
      - http://10.0.0.11:8000
      - http://10.0.0.11:8001
    timeout: 630
"""

RETURN = r"""
added:
  description: The workers added (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [http://10.0.0.11:8001]
removed:
  description: The workers removed (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [http://10.0.0.12:8000]
workers:
  description: The router's workers afterwards (in check mode, what they would be).
  returned: always
  type: list
  elements: str
  sample: [http://10.0.0.11:8000, http://10.0.0.11:8001]
"""

import json
from urllib.error import HTTPError, URLError
from urllib.parse import quote

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url

from ansible_collections.ascend_ops.vllm.plugins.module_utils._router import workers_diff


class RouterAPIError(Exception):
    """The router did not do what was asked."""


class RouterWorkers(object):
    """The worker list of one router; ``request(method, url)`` returns (status, body text)."""

    def __init__(self, url, request):
        self.url = url.rstrip('/')
        self.request = request

    def current(self):
        status, body = self.request('GET', self.url + '/list_workers')
        try:
            urls = json.loads(body)['urls']
        except (ValueError, KeyError, TypeError):
            raise RouterAPIError('GET %s/list_workers answered %s %r, not {"urls": [...]}' % (self.url, status, body[:200]))
        return [str(url) for url in urls]

    def _post(self, route, worker):
        status, body = self.request('POST', '%s/%s?url=%s' % (self.url, route, quote(worker, safe='')))
        if status != 200:
            raise RouterAPIError('POST %s/%s?url=%s answered %s: %s' % (self.url, route, worker, status, body[:300]))

    def sync(self, desired, check_mode, keep_hosts=()):
        before = self.current()
        diff = workers_diff(before, desired, keep_hosts)
        if not check_mode:
            for worker in diff['add']:
                self._post('add_worker', worker)
            for worker in diff['remove']:
                self._post('remove_worker', worker)
        after = [url.rstrip('/') for url in before if url.rstrip('/') not in diff['remove']] + diff['add']
        return {'changed': bool(diff['add'] or diff['remove']), 'added': diff['add'], 'removed': diff['remove'],
                'workers': after, 'diff': {'before': {'workers': before}, 'after': {'workers': after}}}


def http_request(timeout):
    """A ``request`` over open_url: HTTP errors are answers too (status and body), a dead router an error."""
    def request(method, url):
        try:
            response = open_url(url, method=method, timeout=timeout, validate_certs=False)
            return response.getcode(), response.read().decode('utf-8', 'replace')
        except HTTPError as error:
            return error.code, error.read().decode('utf-8', 'replace') if error.fp else ''
        except (URLError, OSError) as error:
            raise RouterAPIError('%s %s failed: %s' % (method, url.split('?')[0], error))
    return request


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type='str', required=True),
            workers=dict(type='list', elements='str', required=True),
            timeout=dict(type='int', default=630),
            keep_hosts=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        router = RouterWorkers(params['url'], http_request(params['timeout']))
        result = router.sync(params['workers'], module.check_mode, params['keep_hosts'])
    except RouterAPIError as error:
        module.fail_json(msg='vllm_router_workers: %s' % error)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
