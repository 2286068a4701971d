# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory check of an offline bundle (topic ``bundle``), registered with ``_validate.check``.

Private to the collection. Pure: no Jinja, no I/O. With ``ascend_offline_bundle``
set (``offline_bundle_dir``), the ``validate_inventory`` action reads the
bundle's manifest and hashes its files on the controller
(``inventory.controller['bundles']``); this check compares them with what the
inventory needs (:func:`inventory_needs`, the same needs ``playbooks/bundle.yml``
fetches) and refuses a bundle that lacks an artifact, holds another version of
it or a file unlike its manifest, naming the artifact and the host and
variable that need it, before any host is touched.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _bundle
from ansible_collections.ascend_ops.vllm.plugins.module_utils._catalog import CatalogError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import (
    MONITORING_GROUP,
    Inventory,
    Problem,
    check,
    problem,
)

BUNDLE_VARIABLE = 'offline_bundle_dir'
# The role variables a host's needs are computed from (_bundle.host_needs).
SETTINGS = (
    'vllm_image_node_type', 'vllm_image_model', 'vllm_image_version', 'vllm_image_registry', 'vllm_image_repository',
    'vllm_image_os_variant',
    'model_weights_node_type', 'model_weights_model', 'model_weights_repository', 'model_weights_revision',
    'model_weights_storage', 'model_weights_cache_nfs_packages',
    'npu_driver_node_type', 'npu_driver_version', 'npu_driver_firmware_version', 'npu_driver_firmware',
    'npu_driver_driver_package', 'npu_driver_firmware_package',
    'container_engine_packages', 'npu_exporter_package', 'npu_exporter_packages',
    'vllm_router_packages', 'vllm_router_package',
    'prometheus_packages', 'prometheus_alertmanager', 'prometheus_alertmanager_packages',
)
DEFAULT_ARCH_TAGS = {'x86_64': 'x86-64', 'aarch64': 'aarch64'}


def host_roles(inventory: Inventory, host: str) -> List[str]:
    """What deploy.yml runs on the host, in _bundle's words."""
    roles = []
    monitoring = inventory.groups.get(MONITORING_GROUP, [])
    if host in inventory.play_hosts:
        roles.append(_bundle.SERVING)
        if monitoring:
            roles.append(_bundle.MONITORED)
    if host in inventory.router_hosts:
        roles.append(_bundle.ROUTER)
    if host in monitoring:
        roles.append(_bundle.MONITORING)
    return roles


def host_settings(inventory: Inventory, host: str) -> Dict[str, Any]:
    settings = dict((name, inventory.value(host, name)) for name in SETTINGS)
    settings['catalog_extra'] = {'node_types': inventory.value(host, 'ascend_node_types_extra', {}) or {},
                                 'models': inventory.value(host, 'ascend_models_extra', {}) or {}}
    return settings


def inventory_needs(inventory: Inventory) -> Tuple[List[Dict[str, Any]], List[Problem]]:
    """What a bundle must hold for the hosts of the run, and the hosts whose needs cannot be computed (and why)."""
    stems = inventory.controller.get('driver_stems') or {}
    arch_tags = inventory.controller.get('driver_arch_tags') or DEFAULT_ARCH_TAGS
    needs = []  # type: List[Dict[str, Any]]
    problems = []  # type: List[Problem]
    for host in inventory.run_hosts:
        roles = host_roles(inventory, host)
        if not roles:
            continue
        arch = str(inventory.value(host, 'offline_bundle_arch', 'aarch64'))
        try:
            needs += _bundle.host_needs(host, roles, host_settings(inventory, host), stems, arch_tags.get(arch, arch))
        except CatalogError:
            continue  # the model and node type checks report it, in the user's words
        except _bundle.BundleError as error:
            variable, _sep, what = str(error).partition(': ')
            problems.append(problem(inventory.blame(host, variable), what, 'a value a bundle can be made for', host=host,
                                    source=inventory.source(host, variable)))
    return _bundle.merge_needs(needs), problems


def _bundle_hosts(inventory: Inventory) -> Dict[str, List[str]]:
    """Bundle directory -> the hosts of the run that deploy from it."""
    found = {}  # type: Dict[str, List[str]]
    for host in inventory.run_hosts:
        directory = inventory.value(host, BUNDLE_VARIABLE, '')
        if isinstance(directory, str) and directory:
            found.setdefault(directory, []).append(host)
    return found


def _who(need_problem: Mapping[str, Any], hosts: List[str]) -> List[Tuple[str, str]]:
    who = [(item['host'], item['variable']) for item in need_problem['needed_by'] if item['host'] in hosts]
    return who or [(hosts[0], BUNDLE_VARIABLE)]


@check('bundle')
def check_offline_bundle(inventory: Inventory) -> List[Problem]:
    """The bundle of ``ascend_offline_bundle`` holds every artifact the inventory needs, each as its manifest says."""
    bundles = _bundle_hosts(inventory)
    if not bundles:
        return []
    needs, found = inventory_needs(inventory)
    read = inventory.controller.get('bundles') or {}
    for directory, hosts in bundles.items():
        if not directory.startswith('/'):
            found += [problem(inventory.blame(host, BUNDLE_VARIABLE), '%r is not an absolute path' % directory,
                              'the absolute path of a bundle directory on the controller', host=host,
                              source=inventory.source(host, BUNDLE_VARIABLE)) for host in hosts]
            continue
        bundle = read.get(directory)
        if bundle is None:
            continue  # not read (the topic was not asked for)
        if bundle.get('error'):
            found += [problem(inventory.blame(host, BUNDLE_VARIABLE), bundle['error'],
                              'a directory written by playbooks/bundle.yml, with its manifest.json', host=host,
                              source=inventory.source(host, BUNDLE_VARIABLE)) for host in hosts]
            continue
        wanted = [dict(need, needed_by=[who for who in need['needed_by'] if who['host'] in hosts]) for need in needs]
        wanted = [need for need in wanted if need['needed_by']]
        for verdict in _bundle.verdict(wanted, bundle['manifest'], bundle['files']):
            what = '%s (%s)' % (verdict['problem'], directory)
            for host, variable in _who(verdict, hosts):
                found.append(problem(inventory.blame(host, variable), what, verdict['accepted'], host=host,
                                     source=inventory.source(host, variable)))
    return found
