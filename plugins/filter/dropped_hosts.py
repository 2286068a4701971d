# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: dropped_hosts
short_description: The hosts a run lost on the way, failed or unreachable
author: ascend_ops.vllm contributors
description:
  - Ansible leaves a host out of every later play once a task failed on it or it could not be reached. In a late play
    (deploy.yml's report), the hosts of C(ansible_play_hosts_all) that are not in C(ansible_play_hosts) are those.
  - Each is C(unreachable) when reaching it again failed (O(probes)), else C(failed).
options:
  _input:
    description: The play's hosts, C(ansible_play_hosts_all).
    type: list
    elements: str
    required: true
  active:
    description: The hosts still in the run, C(ansible_play_hosts).
    type: list
    elements: str
    required: true
  probes:
    description:
      - The loop results of reaching each lost host again (M(ansible.builtin.ping) delegated to it, with
        C(ignore_unreachable), each C(item) the host's name).
    type: list
    elements: dict
    default: []
"""

EXAMPLES = r"""
- name: Name the hosts this run lost
  ansible.builtin.set_fact:
    lost: "{{ ansible_play_hosts_all | ascend_ops.vllm.dropped_hosts(active=ansible_play_hosts, probes=probe.results) }}"
"""

RETURN = r"""
_value:
  description: Host -> C(failed) or C(unreachable); empty when the run lost none.
  type: dict
  sample: {sv-a3: unreachable}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _endpoints

FILTER_NAME = 'ascend_ops.vllm.dropped_hosts'


def dropped_hosts(all_hosts, active, probes=None):
    """Host -> failed or unreachable."""
    try:
        return _endpoints.dropped_hosts(list(all_hosts), list(active), list(probes or []))
    except (AttributeError, TypeError) as error:
        raise AnsibleFilterError('%s: unexpected input: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """The hosts a run lost on the way."""

    def filters(self):
        return {'dropped_hosts': dropped_hosts}
