# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: listen_ports
short_description: Every port the replicas of a plan will listen on
author: ascend_ops.vllm contributors
description:
  - Lists, for the replicas of a plan (the C(replicas) of P(ascend_ops.vllm.serving_layout#filter), or the vllm_serve role's
    containers of a data-parallel node), each replica's API port (none on a headless data-parallel node), the 32 ports HCCL
    listens on from its C(HCCL_IF_BASE_PORT), and a data-parallel head's rpc port; each port once, in order.
  - Extra serve options and environment override the plan's, as they do in the serve script, so a user's C(port) or
    C(HCCL_IF_BASE_PORT) is the one checked.
options:
  _input:
    description: The replicas, each with C(serve_options), C(env) and, on a data-parallel node, C(data_parallel).
    type: list
    elements: dict
    required: true
  extra_options:
    description: Serve options applied on top of every replica's.
    type: dict
    default: {}
  extra_env:
    description: Environment applied on top of every replica's.
    type: dict
    default: {}
seealso:
  - plugin: ascend_ops.vllm.serving_layout
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Find other processes listening on the planned ports
  ascend_ops.vllm.proc_holders:
    ports: "{{ ascend_serving_layout.replicas | ascend_ops.vllm.listen_ports(extra_env=vllm_serve_extra_env) }}"
"""

RETURN = r"""
_value:
  description: The ports, each once.
  type: list
  elements: int
  sample: [8000, 60000, 60001, 60031, 8001, 60100]
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import listen_ports as _listen_ports

FILTER_NAME = 'ascend_ops.vllm.listen_ports'


def listen_ports(replicas, extra_options=None, extra_env=None):
    """The ports the replicas' containers listen on."""
    try:
        return _listen_ports(replicas, extra_options or {}, extra_env or {})
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError('%s: a replica without %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Listen ports filter."""

    def filters(self):
        return {'listen_ports': listen_ports}
