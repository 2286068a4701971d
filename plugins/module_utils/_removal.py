# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What playbooks/remove.yml decides and reports: which files are still a role's, and what went per host.

Private to the collection. Pure: no Jinja, no I/O.

- ``marked_files``: a role that writes over a package's file (Prometheus's
  configuration, HAProxy's) removes it only while it is still the role's own:
  the file holds a text of the role's template that the package's file has
  not. The input is ``ansible.builtin.slurp``'s looped results, each with the
  loop item ``{path, marker}`` and the base64 ``content`` of a file that was
  read.
- ``removal_rows``: one report row per host and part (router, monitoring,
  replicas, NPU exporter, image, weights) from the facts each role's remove
  entry point sets (``<role>_removed``: ``removed`` and ``kept``, lists of
  names).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Dict, List, Mapping, Sequence

# The facts of the roles' remove entry points, in the order remove.yml runs
# them, and the part of the report each one is.
PARTS = (
    ('prometheus_removed', 'monitoring'),
    ('vllm_router_removed', 'router'),
    ('vllm_serve_removed', 'replicas'),
    ('npu_exporter_removed', 'NPU exporter'),
    ('vllm_image_removed', 'image'),
    ('model_weights_removed', 'weights'),
)
NOTHING = '-'


class RemovalError(ValueError):
    """The inputs are not what the remove entry points give."""


def _text_of(result: Mapping[str, Any]) -> str:
    try:
        return base64.b64decode(str(result['content']), validate=True).decode('utf-8', 'replace')
    except (binascii.Error, ValueError) as error:
        raise RemovalError('the content read from %s is not base64: %s' % (_path_of(result), error))


def _path_of(result: Mapping[str, Any]) -> str:
    item = result.get('item')
    if not isinstance(item, Mapping) or not item.get('path') or not item.get('marker'):
        raise RemovalError('a result without its loop item {path, marker}: %r' % (dict(result),))
    return str(item['path'])


def marked_files(results: Sequence[Mapping[str, Any]]) -> List[str]:
    """The paths of the files read whose text holds their item's marker, in input order.

    A result without ``content`` is a file that could not be read (missing):
    nothing to remove.
    """
    found = []
    for result in results:
        if not isinstance(result, Mapping):
            raise RemovalError('a slurp result must be a mapping, got %r' % (result,))
        path = _path_of(result)
        if 'content' not in result or result.get('failed'):
            continue
        if str(result['item']['marker']) in _text_of(result):
            found.append(path)
    return found


def _names(record: Mapping[str, Any], key: str, fact: str, host: str) -> List[str]:
    value = record.get(key, [])
    if not isinstance(value, (list, tuple)):
        raise RemovalError('%s of %s: %s must be a list, got %r' % (fact, host, key, value))
    return [str(name) for name in value]


def removal_rows(hosts: Sequence[Mapping[str, Any]]) -> List[Dict[str, str]]:
    """Rows ``{host, part, removed, kept}`` for every host and part whose remove entry point ran.

    ``hosts``: the hosts' variables (``hostvars``), in inventory order. A part
    with nothing removed and nothing kept says so (``-``), so that a second
    run's report shows every part it looked at.
    """
    rows = []
    for variables in hosts:
        if not isinstance(variables, Mapping) or 'inventory_hostname' not in variables:
            raise RemovalError('each host must be its variables with inventory_hostname, got %r' % (variables,))
        host = str(variables['inventory_hostname'])
        for fact, part in PARTS:
            record = variables.get(fact)
            if record is None:
                continue
            if not isinstance(record, Mapping):
                raise RemovalError('%s of %s must be a mapping {removed, kept}, got %r' % (fact, host, record))
            removed, kept = _names(record, 'removed', fact, host), _names(record, 'kept', fact, host)
            rows.append({'host': host, 'part': part, 'removed': ', '.join(removed) or NOTHING, 'kept': ', '.join(kept) or NOTHING})
    return rows
