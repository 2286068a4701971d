# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory checks of rolling changes (topic ``rolling``), registered with ``_validate.check``.

Private to the collection. Pure: no Jinja, no I/O. The types of the
``vllm_serve_*`` settings are the ``types`` topic's; these checks add what a
type cannot say: vLLM's ``--shutdown-timeout`` below the container's stop
timeout (else the engine kills a replica still finishing its requests), the
drain and gate bounds above 0, and upgrade.yml's batch size and failure
budget (play variables that no role declares).
"""

from __future__ import annotations

from typing import Any, List, Optional

from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import (
    Inventory,
    Problem,
    check,
    problem,
)


def _int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip('-').isdigit():
        return int(value.strip())
    return None


def _problem(inventory: Inventory, host: str, variable: str, what: str, accepted: str) -> Problem:
    return problem(variable, what, accepted, host=host, source=inventory.source(host, variable))


@check('rolling')
def check_rolling_settings(inventory: Inventory) -> List[Problem]:
    """Shutdown below stop timeout, drain and gate bounds, upgrade_serial and upgrade_max_fail_percentage."""
    found = []
    for host in inventory.play_hosts:
        shutdown = _int(inventory.value(host, 'vllm_serve_shutdown_timeout'))
        stop = _int(inventory.value(host, 'vllm_serve_stop_timeout'))
        if (inventory.is_set(host, 'vllm_serve_shutdown_timeout') or inventory.is_set(host, 'vllm_serve_stop_timeout')) \
                and shutdown is not None and stop is not None and not 0 <= shutdown < stop:
            variable = 'vllm_serve_shutdown_timeout' if inventory.is_set(host, 'vllm_serve_shutdown_timeout') else 'vllm_serve_stop_timeout'
            found.append(_problem(inventory, host, variable,
                                  'vllm_serve_shutdown_timeout %d is not in [0, vllm_serve_stop_timeout %d): the engine would kill'
                                  ' a replica still finishing its requests' % (shutdown, stop),
                                  'vllm_serve_shutdown_timeout: %d with vllm_serve_stop_timeout: %d' % (max(stop - 5, 0), stop)
                                  if stop > 0 else 'vllm_serve_shutdown_timeout: 25 with vllm_serve_stop_timeout: 30'))
        for variable in ('vllm_serve_drain_timeout', 'vllm_serve_gate_timeout'):
            if inventory.is_set(host, variable):
                value = _int(inventory.hosts[host][variable])
                if value is not None and value <= 0:
                    found.append(_problem(inventory, host, variable, '%d is not a number of seconds above 0' % value,
                                          'a whole number of seconds such as 120'))
        if inventory.is_set(host, 'upgrade_serial'):
            value = _int(inventory.hosts[host]['upgrade_serial'])
            if value is None or value < 1:
                found.append(_problem(inventory, host, 'upgrade_serial', '%r is not a number of nodes of 1 or more'
                                      % (inventory.hosts[host]['upgrade_serial'],), 'upgrade_serial: 1'))
        if inventory.is_set(host, 'upgrade_max_fail_percentage'):
            value = _int(inventory.hosts[host]['upgrade_max_fail_percentage'])
            if value is None or not 0 <= value <= 100:
                found.append(_problem(inventory, host, 'upgrade_max_fail_percentage', '%r is not a percentage from 0 to 100'
                                      % (inventory.hosts[host]['upgrade_max_fail_percentage'],), 'upgrade_max_fail_percentage: 0'))
    return found
