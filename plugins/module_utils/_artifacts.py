# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the cluster's artifacts come from: each byte fetched from outside once (issue 16).

Private to the collection. Pure standard library, no I/O.

Images: a pull-through cache (the artifact_cache role, Debian's
``docker-registry``) fetches each blob from upstream once, but only for pulls
that come after the first one finished: it streams a blob still being fetched
from upstream again for every concurrent puller. So one node per image warms
the cache, then the other nodes pull in parallel (:func:`image_pull_waves`).
dockerd's ``registry-mirrors`` applies to Docker Hub only, so a quay.io image
is pulled by the cache's name and tagged as the name the replicas use (it is in
their configuration hash; :func:`cached_image`).

Weights: without shared storage one node per model downloads from the hub and
the others copy from it inside the cluster (:func:`weights_peer_plan`).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping, Optional

# host[:port], as docker reads the first part of a reference.
_CACHE = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$')


class ArtifactError(ValueError):
    """An input the planning cannot use."""


def split_image(image: str) -> Dict[str, str]:
    """``registry``, ``path`` and ``tag`` of an image reference (``registry`` empty for a Docker Hub name).

    The first component is a registry when it has a dot or a colon, or is
    ``localhost`` (docker's rule). A digest is refused: the tag is what the
    replicas are configured with.

    >>> split_image('quay.io/ascend/vllm-ascend:v0.18.0rc1')['path']
    'ascend/vllm-ascend'
    """
    if not isinstance(image, str) or not image.strip() or '@' in image or ' ' in image:
        raise ArtifactError('an image reference name[:tag] is needed, not %r' % (image,))
    name, tag = image, 'latest'
    last = image.rsplit('/', 1)[-1]
    if ':' in last:
        name, tag = image.rsplit(':', 1)
    first, _sep, rest = name.partition('/')
    if rest and ('.' in first or ':' in first or first == 'localhost'):
        return {'registry': first, 'path': rest, 'tag': tag}
    return {'registry': '', 'path': name, 'tag': tag}


def check_cache(cache: Any) -> str:
    """The cache's ``host:port`` as docker names a registry; an empty value stays empty (no cache)."""
    if cache is None or cache == '':
        return ''
    if not isinstance(cache, str) or not _CACHE.match(cache.strip()):
        raise ArtifactError('the image cache must be host[:port] without a scheme or path, such as cache-01:5000, not %r' % (cache,))
    port = cache.strip().rpartition(':')[2] if ':' in cache else ''
    if port and not 1 <= int(port) <= 65535:
        raise ArtifactError('the image cache port must be 1-65535, not %s' % port)
    return cache.strip()


def cached_image(image: str, cache: Any) -> Dict[str, Any]:
    """How a node gets ``image`` through ``cache``: the reference to pull, and whether to tag it as ``image`` afterwards.

    The cache is a pull-through proxy of ``image``'s registry, so the path
    after the registry is the same under the cache's name
    (``quay.io/ascend/vllm-ascend:v0.18.0rc1`` ->
    ``cache-01:5000/ascend/vllm-ascend:v0.18.0rc1``); a mirror given as a path
    prefix (``m.daocloud.io/quay.io``) keeps its prefix after the cache, as the
    upstream expects it. Without a cache the image is pulled as it is.
    """
    parts = split_image(image)
    cache = check_cache(cache)
    pull_name = '%s/%s' % (cache or parts['registry'], parts['path']) if cache or parts['registry'] else parts['path']
    return {'image': image, 'pull_name': pull_name, 'pull_tag': parts['tag'], 'pull': '%s:%s' % (pull_name, parts['tag']),
            'retag': bool(cache), 'upstream': parts['registry'] or 'docker.io'}


def image_pull_waves(nodes: Iterable[Mapping[str, Any]]) -> Dict[str, Any]:
    """Which node pulls in which wave, so that the cache fetches every image from upstream once.

    ``nodes``: in play order, each ``{'host', 'image' (the reference pulled),
    'present' (the node already has the image it needs)}``. A node that has
    its image pulls nothing. For each image some node lacks, the first such
    node warms the cache alone, one image after another (the A2 and A3
    images share layers: warming both at once would fetch those twice); then
    every other node pulls at once, from a warm cache.

    Returns ``{'waves': n, 'hosts': {host: wave or -1 (nothing to pull)},
    'warmers': {image: host}}``.
    """
    hosts = {}  # type: Dict[str, int]
    warmers = {}  # type: Dict[str, str]
    seen = set()
    for node in nodes:
        host, image = node.get('host'), node.get('image')
        if not isinstance(host, str) or not host:
            raise ArtifactError('every node needs a host name, not %r' % (host,))
        if host in seen:
            raise ArtifactError('the node %s is listed twice' % host)
        seen.add(host)
        if node.get('present'):
            hosts[host] = -1
            continue
        if not isinstance(image, str) or not image:
            raise ArtifactError('the node %s needs the image it pulls' % host)
        if image not in warmers:
            warmers[image] = host
            hosts[host] = len(warmers) - 1
        else:
            hosts[host] = None  # the fan-out wave, numbered once the warmers are known
    fan_out = len(warmers)
    hosts = dict((host, fan_out if wave is None else wave) for host, wave in hosts.items())
    used = sorted(set(wave for wave in hosts.values() if wave >= 0))
    return {'waves': (max(used) + 1) if used else 0, 'hosts': hosts, 'warmers': warmers}


def weights_peer_plan(nodes: Iterable[Mapping[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """Which node each node takes the model's weights from, without shared storage.

    ``nodes``: in play order, each ``{'host', 'storage', 'source',
    'endpoint', 'repository', 'revision'}`` (nodes whose :func:`weights_peer_key`
    is the same need the same files; an empty key: the node stages on its
    own, as without peer copy), ``complete`` (its copy matches the record of
    a verified stage) and ``address`` (where the others reach it). The source of a key is its first complete node (a node added to
    a running cluster copies from one that serves), else its first node, which
    downloads from the hub. Every other node of the key copies from the source
    unless it is complete itself.

    Returns host -> ``{'source', 'address' (the source's), 'copy' (this node
    fetches from the source), 'serves' (the nodes that copy from this one)}``.
    """
    listed = []  # type: List[Mapping[str, Any]]
    seen = set()
    for node in nodes:
        host = node.get('host')
        if not isinstance(host, str) or not host:
            raise ArtifactError('every node needs a host name, not %r' % (host,))
        if host in seen:
            raise ArtifactError('the node %s is listed twice' % host)
        seen.add(host)
        listed.append(dict(node, key=weights_peer_key(node.get('repository'), node.get('revision'), node.get('source'),
                                                      node.get('endpoint'), node.get('storage'))))
    sources = {}  # type: Dict[str, Mapping[str, Any]]
    for node in listed:
        key = node.get('key') or ''
        if key and node.get('complete') and key not in sources:
            sources[key] = node
    for node in listed:
        key = node.get('key') or ''
        if key and key not in sources:
            sources[key] = node
    plan = {}  # type: Dict[str, Dict[str, Any]]
    for node in listed:
        key = node.get('key') or ''
        source = sources.get(key, node) if key else node
        copy = source['host'] != node['host'] and not node.get('complete')
        plan[node['host']] = {'source': source['host'], 'address': _address(source), 'copy': copy, 'serves': []}
    for host, entry in plan.items():
        if entry['copy']:
            plan[entry['source']]['serves'].append(host)
    return plan


def _address(node: Mapping[str, Any]) -> str:
    address = node.get('address')
    return address if isinstance(address, str) and address else node['host']


def weights_peer_key(repository: Optional[str], revision: Optional[str], source: Optional[str], endpoint: Optional[str],
                     storage: Optional[str], hub_sources: Iterable[str] = ('modelscope', 'huggingface')) -> str:
    """The files a node needs, as :func:`weights_peer_plan` groups nodes: empty where peer copy does not apply.

    Only hub downloads are copied between nodes (a ``path`` or ``archive``
    source is on each node or the controller already), and only on a local
    cache (on shared storage one node stages for all of them already).
    """
    if storage != 'local' or source not in tuple(hub_sources) or not repository:
        return ''
    return '%s:%s@%s@%s' % (source, endpoint or '', repository, revision or '')
