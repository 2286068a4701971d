# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hccl_last_run
short_description: Find the record of the last NPU network check among the hosts
author: ascend_ops.vllm contributors
description:
  - The main entry point of the C(hccl_check) role leaves the fact C(hccl_check_run) on every node it checks (C(nodes),
    C(checks), C(ping_pattern), C(ping_hops), C(started)).
  - Takes hosts and the variables of every host (C(hostvars)) and returns the newest of those records, by C(started), or
    V(null) when no host has one; so a report run in a later play, on the controller or on the nodes, knows which nodes the
    last check covered.
options:
  _input:
    description: The hosts to look at, usually C(groups['all']).
    type: list
    elements: str
    required: true
  hostvars:
    description: The variables of every host, C(hostvars).
    type: dict
    required: true
seealso:
  - plugin: ascend_ops.vllm.hccl_report
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Report on the nodes of the last check
  ansible.builtin.debug:
    msg: "{{ (groups['all'] | ascend_ops.vllm.hccl_last_run(hostvars)).nodes | default(ansible_play_hosts_all) }}"
"""

RETURN = r"""
_value:
  description: The newest record, V(null) when there is none.
  type: dict
  contains:
    nodes:
      description: The nodes of the check's play.
      type: list
      elements: str
    checks:
      description: The per-NPU checks it ran.
      type: list
      elements: str
    ping_pattern:
      description: V(ring), V(all_pairs) or V(none) (no pings).
      type: str
    ping_hops:
      description: The ring distances pinged (empty unless V(ring)).
      type: list
      elements: int
    started:
      description: When the check started, UTC, C(YYYY-MM-DDTHH:MM:SS.ffffffZ).
      type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccl import last_run

FILTER_NAME = 'ascend_ops.vllm.hccl_last_run'


def hccl_last_run(hosts, hostvars):
    """The newest hccl_check_run record of the hosts."""
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError('%s: hostvars must be the variables of every host (hostvars), got %r' % (FILTER_NAME, hostvars))
    if isinstance(hosts, str):
        hosts = [hosts]
    return last_run(hostvars[host].get('hccl_check_run') for host in hosts if host in hostvars)


class FilterModule(object):
    """Last run filter."""

    def filters(self):
        return {'hccl_last_run': hccl_last_run}
