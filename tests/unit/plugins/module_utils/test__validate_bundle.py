# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The validation topic bundle: the inventory's needs, and a bundle that does not match them refused in the user's words."""

from __future__ import annotations

import hashlib
import os

import yaml

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _bundle, _validate, _validate_bundle
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, validate
from ansible_collections.ascend_ops.vllm.tests.unit.role_specs import ROLES, role_argument_specs


def _driver_vars():
    with open(os.path.join(ROLES, 'npu_driver', 'vars', 'main.yml'), encoding='utf-8') as stream:
        return yaml.safe_load(stream)


SPECS = role_argument_specs()
DRIVER_VARS = _driver_vars()
CLUSTER = {'ascend_model': 'qwen3.6-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_weights_dir': '/data/models',
           'ascend_offline_bundle': '/srv/bundle'}
GROUPS = {'all': ['a2-0', 'a3-0', 'rt-0'], 'atlas_800_a2': ['a2-0'], 'atlas_800_a3': ['a3-0'], 'vllm_router': ['rt-0']}


def _inventory(a3=None, bundles=None):
    hosts = {'a2-0': dict(CLUSTER, ascend_node_type='atlas_800_a2'), 'a3-0': dict(CLUSTER, ascend_node_type='atlas_800_a3', **(a3 or {})),
             'rt-0': dict(CLUSTER)}
    controller = {'driver_stems': DRIVER_VARS['_npu_driver_package_stems'], 'driver_arch_tags': DRIVER_VARS['_npu_driver_arch_tags'],
                  'bundles': bundles or {}}
    return Inventory(hosts, groups=GROUPS, specs=SPECS, controller=controller)


def _complete(inventory):
    """A bundle read as the action reads one: an entry and a file for every need."""
    entries, files = [], {}
    for need in _validate_bundle.inventory_needs(inventory)[0]:
        path = need['path'] if need['kind'] in ('image', 'driver') else '%s/%s' % (need['path'], need['name'].replace('/', '_'))
        data = path.encode()
        entries.append(_bundle.manifest_entry(need['name'], need['kind'], need['version'], path, len(data),
                                              hashlib.sha256(data).hexdigest()))
        files[path] = {'size': len(data), 'sha256': hashlib.sha256(data).hexdigest()}
    return {'manifest': entries, 'files': files, 'error': ''}


def test_the_check_is_registered_under_its_topic():
    assert [function for topic, function in _validate.CHECKS if topic == 'bundle'] == [_validate_bundle.check_offline_bundle]


def test_the_needs_follow_the_roles_defaults_and_the_hosts_roles():
    needs, problems = _validate_bundle.inventory_needs(_inventory())
    assert problems == []
    kinds = dict(((need['kind'], need['name']), sorted(set(who['host'] for who in need['needed_by']))) for need in needs)
    assert kinds[('image', 'quay.io/ascend/vllm-ascend:v0.18.0rc1-a3')] == ['a3-0']
    assert kinds[('driver', 'Atlas-A3-hdk-npu-driver')] == ['a3-0']
    assert kinds[('weights', 'Eco-Tech/Qwen3.6-27B-w8a8')] == ['a2-0', 'a3-0']
    assert kinds[('wheel', 'vllm-router')] == ['rt-0']
    assert kinds[('deb', 'haproxy')] == ['rt-0'] and kinds[('deb', 'docker.io')] == ['a2-0', 'a3-0']
    driver = [need for need in needs if need['name'] == 'Atlas-A3-hdk-npu-driver'][0]
    assert driver['path'] == 'drivers/Atlas-A3-hdk-npu-driver_25.0.rc1.1_linux-aarch64.run'
    x86 = _validate_bundle.inventory_needs(_inventory(a3={'ascend_offline_bundle_arch': 'x86_64'}))[0]
    assert 'drivers/Atlas-A3-hdk-npu-driver_25.0.rc1.1_linux-x86-64.run' in [need['path'] for need in x86]


def test_no_bundle_set_means_no_check():
    inventory = _inventory()
    for host in inventory.hosts.values():
        del host['ascend_offline_bundle']
    assert validate(inventory, ['bundle']) == []


def test_a_complete_bundle_passes_and_a_missing_image_is_refused_for_the_host_in_the_users_words():
    read = _complete(_inventory())
    assert validate(_inventory(bundles={'/srv/bundle': read}), ['bundle']) == []
    newer = validate(_inventory(a3={'vllm_image_version': 'v0.18.0'}, bundles={'/srv/bundle': read}), ['bundle'])
    assert [(found['host'], found['variable']) for found in newer] == [('a3-0', 'vllm_image_version')]
    assert newer[0]['problem'] == ('the bundle has image quay.io/ascend/vllm-ascend:v0.18.0rc1-a3, not '
                                   'quay.io/ascend/vllm-ascend:v0.18.0-a3 (/srv/bundle)')


def test_an_unreadable_manifest_is_refused_against_ascend_offline_bundle():
    found = validate(_inventory(bundles={'/srv/bundle': {'manifest': [], 'files': {}, 'error': 'cannot read /srv/bundle/manifest.json'}}),
                     ['bundle'])
    assert sorted(set(item['variable'] for item in found)) == ['ascend_offline_bundle']
    assert sorted(item['host'] for item in found) == ['a2-0', 'a3-0', 'rt-0']


def test_a_relative_bundle_path_is_refused():
    inventory = _inventory()
    for host in inventory.hosts.values():
        host['ascend_offline_bundle'] = 'bundle'
    found = validate(inventory, ['bundle'])
    assert found and found[0]['problem'] == "'bundle' is not an absolute path"
