# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory checks of what a run does when a node fails (topic ``faults``), registered with ``_validate.check``.

Private to the collection. Pure: no Jinja, no I/O. deploy.yml's plays read
``ascend_max_fail_percentage`` (their ``max_fail_percentage``, a play variable
no role declares): a whole percentage from 0 to 100. Stopping every node at
the first failure is Ansible's own ``any_errors_fatal`` setting
(``ANSIBLE_ANY_ERRORS_FATAL``): a play keyword Ansible never templates, so a
variable ``ascend_any_errors_fatal`` would do nothing and is refused, naming
what does it.
"""

from __future__ import annotations

from typing import Any, List, Optional

from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import (
    Inventory,
    Problem,
    check,
    problem,
)

MAX_FAIL_PERCENTAGE = 'ascend_max_fail_percentage'
ANY_ERRORS_FATAL = 'ascend_any_errors_fatal'


def percentage(value: Any) -> Optional[int]:
    """A whole percentage from 0 to 100 (an int, or a string of digits as ``-e`` passes it); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= 100:
        return value
    return None


def _problem(inventory: Inventory, host: str, variable: str, what: str, accepted: str) -> Problem:
    return problem(variable, what, accepted, host=host, source=inventory.source(host, variable))


@check('faults')
def check_fault_settings(inventory: Inventory) -> List[Problem]:
    """``ascend_max_fail_percentage`` a percentage 0-100; ``ascend_any_errors_fatal`` refused for what does its job."""
    found = []
    for host in inventory.run_hosts:
        if inventory.is_set(host, MAX_FAIL_PERCENTAGE):
            value = inventory.hosts[host][MAX_FAIL_PERCENTAGE]
            if percentage(value) is None:
                found.append(_problem(inventory, host, MAX_FAIL_PERCENTAGE,
                                      '%r is not a whole percentage from 0 to 100 (deploy.yml stops a play once more than'
                                      ' that share of its hosts failed)' % (value,),
                                      '%s: 100 (go on without the failed nodes) or 0 (stop at the first failed node)' % MAX_FAIL_PERCENTAGE))
        if inventory.is_set(host, ANY_ERRORS_FATAL):
            found.append(_problem(inventory, host, ANY_ERRORS_FATAL,
                                  'is not read: any_errors_fatal is a play keyword Ansible does not template (a variable there is'
                                  ' always true), so no setting of the collection can turn it on or off',
                                  'ANSIBLE_ANY_ERRORS_FATAL=True ansible-playbook ... (or any_errors_fatal = True under [defaults]'
                                  ' in ansible.cfg) to stop every node at the first node that fails or becomes unreachable;'
                                  ' %s: 0 to stop at the first failed node' % MAX_FAIL_PERCENTAGE))
    return found
