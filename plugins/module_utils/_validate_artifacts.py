# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory checks of where the cluster's artifacts come from (topic ``artifacts``), registered with ``_validate.check``.

Private to the collection. Pure: no Jinja, no I/O. The image cache
(``ascend_image_cache`` / ``vllm_image_cache``, the hosts of the
``artifact_cache`` group) and the weights' peer copy
(``model_weights_peer_*``), docs/artifacts.md. A cache the nodes pull through
must be a ``host:port`` the nodes' engine trusts; where it is a host of the
``artifact_cache`` group, its port and its upstream must be those the nodes'
image names expect (a cache of quay.io cannot serve an image of
m.daocloud.io/quay.io under the same path).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from ansible_collections.ascend_ops.vllm.plugins.module_utils._artifacts import ArtifactError, check_cache
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import (
    ARTIFACT_CACHE_GROUP,
    Inventory,
    Problem,
    check,
    problem,
)

CACHE = 'vllm_image_cache'
ENGINE_CACHE = 'container_engine_image_cache'
_UPSTREAM = re.compile(r'^https?://([^/\s]+)/?$')
DEFAULT_CACHE_PORT = 5000


def _problem(inventory: Inventory, host: str, variable: str, what: str, accepted: str) -> Problem:
    return problem(variable, what, accepted, host=host, source=inventory.source(host, variable))


def _port(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 1 <= value <= 65535 else None


def _registry_host(registry: Any) -> str:
    return registry.split('/', 1)[0] if isinstance(registry, str) else ''


def cache_upstream(inventory: Inventory, host: str) -> Any:
    """The upstream URL of the cache on ``host``: its ``artifact_cache_upstream``, else the host of its image registry."""
    if inventory.is_set(host, 'artifact_cache_upstream'):
        return inventory.hosts[host]['artifact_cache_upstream']
    return 'https://%s' % _registry_host(inventory.value(host, 'ascend_image_registry', 'quay.io') or 'quay.io')


def _cache_hosts(inventory: Inventory) -> Dict[str, str]:
    """Name or address (``ansible_host``) -> the artifact_cache host it names."""
    names = {}
    for host in inventory.groups.get(ARTIFACT_CACHE_GROUP, []):
        names[host] = host
        address = inventory.hosts.get(host, {}).get('ansible_host')
        if isinstance(address, str) and address:
            names.setdefault(address, host)
    return names


def _check_cache_host(inventory: Inventory, host: str) -> List[Problem]:
    found = []
    upstream = cache_upstream(inventory, host)
    if not isinstance(upstream, str) or not _UPSTREAM.match(upstream):
        found.append(_problem(inventory, host, 'artifact_cache_upstream',
                              '%r is not an http(s)://host[:port] URL without a path (a cache has one upstream registry)' % (upstream,),
                              'artifact_cache_upstream: https://quay.io (the registry the image names, such as ascend_image_registry, start with)'))
    if inventory.is_set(host, 'artifact_cache_port') and _port(inventory.hosts[host]['artifact_cache_port']) is None:
        found.append(_problem(inventory, host, 'artifact_cache_port',
                              '%r is not a port from 1 to 65535' % (inventory.hosts[host]['artifact_cache_port'],),
                              'artifact_cache_port: %d' % DEFAULT_CACHE_PORT))
    storage = inventory.value(host, 'artifact_cache_storage_dir', '/var/lib/docker-registry')
    if not isinstance(storage, str) or not storage.startswith('/') or storage.strip('/') == '':
        found.append(_problem(inventory, host, 'artifact_cache_storage_dir', '%r is not an absolute path other than /' % (storage,),
                              'a directory with room for the images, such as /var/lib/docker-registry'))
    return found


def _check_node_cache(inventory: Inventory, host: str, cache_hosts: Dict[str, str]) -> List[Problem]:
    value = inventory.value(host, CACHE, '')
    blamed = inventory.blame(host, CACHE)
    try:
        cache = check_cache(value)
    except ArtifactError as error:
        return [_problem(inventory, host, blamed, '%r: %s' % (value, str(error).replace('the image cache ', '')),
                         '%s: cache-01:5000 (a host of the %s group and its artifact_cache_port), or "" to pull from the registry'
                         % (blamed, ARTIFACT_CACHE_GROUP))]
    if not cache:
        return []
    found = []
    engine_cache = inventory.value(host, ENGINE_CACHE, '')
    insecure = inventory.value(host, 'container_engine_insecure_registries', []) or []
    if engine_cache != cache and cache not in insecure:
        found.append(_problem(inventory, host, inventory.blame(host, ENGINE_CACHE),
                              '%r is not the cache the node pulls through (%s: %s): its engine would not trust it'
                              % (engine_cache, blamed, cache),
                              'set the cache once, as ascend_image_cache: %s (both roles read it), or list it in'
                              ' container_engine_insecure_registries' % cache))
    name, _sep, port = cache.partition(':')
    cache_host = cache_hosts.get(name)
    if cache_host is None:
        return found  # a mirror of the site's own: its port and upstream are the site's business
    cache_port = _port(inventory.value(cache_host, 'artifact_cache_port', DEFAULT_CACHE_PORT))
    if cache_port is not None and int(port or 80) != cache_port:
        found.append(_problem(inventory, host, blamed,
                              'names %s port %s, but the cache on %s listens on %d (artifact_cache_port)'
                              % (name, port or '80 (no port given)', cache_host, cache_port),
                              '%s: %s:%d' % (blamed, name, cache_port)))
    upstream = cache_upstream(inventory, cache_host)
    match = _UPSTREAM.match(upstream) if isinstance(upstream, str) else None
    registry = inventory.value(host, 'vllm_image_registry', 'quay.io')
    if match and _registry_host(registry) != match.group(1):
        found.append(_problem(inventory, host, inventory.blame(host, 'vllm_image_registry'),
                              'is %r but the cache %s fetches from %s (artifact_cache_upstream of %s): the image would not be found'
                              ' under the same path' % (registry, cache, upstream, cache_host),
                              'an image registry on %s, or artifact_cache_upstream: https://%s on %s'
                              % (match.group(1), _registry_host(registry), cache_host)))
    return found


def _check_peer_copy(inventory: Inventory, host: str) -> List[Problem]:
    if not inventory.bool_value(host, 'model_weights_peer_copy'):
        return []
    found = []
    port = inventory.value(host, 'model_weights_peer_port', 18765)
    if _port(port) is None or _port(port) < 1024:
        found.append(_problem(inventory, host, 'model_weights_peer_port', '%r is not a port from 1024 to 65535' % (port,),
                              'model_weights_peer_port: 18765 (reachable from the other nodes while the copies run)'))
    timeout = inventory.value(host, 'model_weights_peer_timeout', 21600)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 60:
        found.append(_problem(inventory, host, 'model_weights_peer_timeout', '%r is not a number of seconds of 60 or more' % (timeout,),
                              'model_weights_peer_timeout: 21600 (longer than copying the model takes)'))
    if inventory.is_set(host, 'model_weights_peer_address'):
        address = inventory.hosts[host]['model_weights_peer_address']
        if not isinstance(address, str) or not address.strip() or re.search(r'[\s/]', address):
            found.append(_problem(inventory, host, 'model_weights_peer_address', '%r is not a host name or address' % (address,),
                                  'the address the other nodes reach this node at, such as 10.0.0.11'))
    return found


@check('artifacts')
def check_artifact_sources(inventory: Inventory) -> List[Problem]:
    """The image cache: well-formed, trusted by the nodes, on the port and upstream its users expect; the weights' peer copy."""
    found = []
    cache_hosts = _cache_hosts(inventory)
    used = set()
    for host in inventory.run_hosts:
        if host in inventory.groups.get(ARTIFACT_CACHE_GROUP, []):
            found.extend(_check_cache_host(inventory, host))
    for host in inventory.play_hosts:
        found.extend(_check_node_cache(inventory, host, cache_hosts))
        cache = inventory.value(host, CACHE, '')
        if isinstance(cache, str) and cache.partition(':')[0] in cache_hosts:
            used.add(cache_hosts[cache.partition(':')[0]])
        found.extend(_check_peer_copy(inventory, host))
    unused = [host for host in inventory.groups.get(ARTIFACT_CACHE_GROUP, []) if host in inventory.run_hosts and host not in used]
    if unused and inventory.play_hosts:
        found.append(problem('ascend_image_cache', 'names none of the hosts of the %s group (%s): the cache would run but no node'
                             ' pulls through it' % (ARTIFACT_CACHE_GROUP, ', '.join(unused)),
                             'ascend_image_cache: %s:%s in group_vars/all, or no %s group'
                             % (unused[0], inventory.value(unused[0], 'artifact_cache_port', DEFAULT_CACHE_PORT), ARTIFACT_CACHE_GROUP),
                             group=ARTIFACT_CACHE_GROUP))
    return found
