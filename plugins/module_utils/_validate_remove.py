# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory checks of the teardown (topic ``remove``), registered with ``_validate.check``.

Private to the collection. Pure: no Jinja, no I/O. playbooks/remove.yml keeps
the images and the weights unless ``ascend_remove_images`` /
``ascend_remove_weights`` (or the roles' ``vllm_image_remove_images`` /
``model_weights_remove_weights``) say otherwise. Their types are the
``types`` topic's: the role options forward the collection-wide names, so a
``"perhaps"`` is refused there as for any boolean, naming the variable. These
checks add what a type cannot say:

- a misspelt ``ascend_remove_*`` name (``ascend_remove_image``) is no variable:
  nothing would read it, and what it meant to remove would silently stay;
  the known names are read from the roles' options, not copied here;
- nodes of the run that share one model directory (``nfs`` or ``shared``
  storage, the same cache, model and subdirectory) but disagree on removing
  the weights: the copy is one, so removing it for one removes it for all.
"""

from __future__ import annotations

import difflib
from typing import Any, Dict, List, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import (
    Inventory,
    Problem,
    check,
    problem,
)

PREFIX = 'ascend_remove_'
WEIGHTS = 'model_weights_remove_weights'
_SHARED_STORAGE = ('nfs', 'shared')


def known_variables(inventory: Inventory) -> List[str]:
    """The ``ascend_remove_*`` names some role option forwards (the ones remove.yml reads)."""
    return sorted(name for name in inventory.collection_options if name.startswith(PREFIX))


@check('remove')
def check_remove_variables(inventory: Inventory) -> List[Problem]:
    """No ``ascend_remove_*`` name that nothing reads."""
    known = known_variables(inventory)
    found = []
    for host in inventory.run_hosts:
        for variable in sorted(inventory.hosts.get(host, {})):
            if not variable.startswith(PREFIX) or variable in known:
                continue
            # The names share their prefix: what tells them apart is the rest.
            close = difflib.get_close_matches(variable[len(PREFIX):], [name[len(PREFIX):] for name in known], 1, 0.6)
            accepted = PREFIX + close[0] if close else ' or '.join(known)
            found.append(problem(variable, 'is no setting of playbooks/remove.yml: nothing reads it, so what it names would be kept',
                                 accepted, host=host, source=inventory.source(host, variable)))
    return found


def _share_key(inventory: Inventory, host: str) -> Tuple[Any, ...]:
    return (inventory.value(host, 'model_weights_storage', 'local'),
            str(inventory.value(host, 'model_weights_dir', '') or '').rstrip('/'),
            inventory.value(host, 'model_weights_model', ''),
            inventory.value(host, 'model_weights_repository', ''),
            inventory.value(host, 'model_weights_subdir', ''))


@check('remove')
def check_shared_weights_agree(inventory: Inventory) -> List[Problem]:
    """Nodes sharing one model directory all remove its weights, or none does."""
    shares = {}  # type: Dict[Tuple[Any, ...], List[Tuple[str, bool]]]
    for host in inventory.play_hosts:
        key = _share_key(inventory, host)
        if key[0] not in _SHARED_STORAGE or not key[1]:
            continue
        remove = inventory.bool_value(host, WEIGHTS, False)
        if remove is None:  # not a boolean: the types topic reports it
            continue
        shares.setdefault(key, []).append((host, remove))
    found = []
    for key, members in sorted(shares.items(), key=lambda entry: entry[1][0][0]):
        removing = [host for host, remove in members if remove]
        keeping = [host for host, remove in members if not remove]
        if not removing or not keeping:
            continue
        for host in removing:
            found.append(problem(inventory.blame(host, WEIGHTS),
                                 'is true, but %s keep the weights of %s storage %s that this node shares with them: removing them'
                                 ' here removes them there' % (', '.join(keeping), key[0], key[1]),
                                 'the same value on every node that shares the path (true on all of them, or false)',
                                 host=host, source=inventory.source(host, inventory.blame(host, WEIGHTS))))
    return found
