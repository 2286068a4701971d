# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""NPU ids to ``/dev/davinciN`` device paths. Private to the collection; pure standard library."""

from __future__ import annotations

from typing import Any, List, Optional

DEVICE_PATH_PREFIX = '/dev/davinci'


class DeviceListError(ValueError):
    """The NPU ids are not usable; ``setting`` names the input at fault."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__('%s: %s' % (setting, message))
        self.setting = setting


def npu_id(value: Any, setting: str = 'npus') -> int:
    """One NPU id as an int; digit strings are accepted because ``-e`` extra vars arrive as text."""
    if isinstance(value, bool):
        raise DeviceListError(setting, 'NPU ids are integers >= 0, got the boolean %r' % (value,))
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise DeviceListError(setting, 'NPU ids are integers >= 0, got %r' % (value,))
    if number < 0:
        raise DeviceListError(setting, 'NPU ids are integers >= 0, got %r' % (value,))
    return number


def npu_ids(value: Any, setting: str = 'npus', limit: Optional[int] = None) -> List[int]:
    """A list of distinct NPU ids in input order; ``limit`` is the node's NPU count (ids below it)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise DeviceListError(setting, 'expected a list of NPU ids such as [0, 1], got %r' % (value,))
    ids = [npu_id(item, setting) for item in value]
    seen = set()
    for number in ids:
        if number in seen:
            raise DeviceListError(setting, 'NPU id %d is listed twice' % number)
        seen.add(number)
        if limit is not None and number >= limit:
            raise DeviceListError(setting, 'NPU id %d does not exist; this node type has ids 0-%d' % (number, limit - 1))
    return ids


def davinci_devices(ids_or_count: Any, limit: Optional[int] = None) -> List[str]:
    """``[0, 1]`` -> ``['/dev/davinci0', '/dev/davinci1']``; a count ``n`` means ids ``0..n-1``."""
    if isinstance(ids_or_count, int) and not isinstance(ids_or_count, bool):
        if ids_or_count < 0:
            raise DeviceListError('_input', 'an NPU count must be >= 0, got %d' % ids_or_count)
        if limit is not None and ids_or_count > limit:
            raise DeviceListError('_input', 'an NPU count of %d is more than the node has (%d)' % (ids_or_count, limit))
        ids = list(range(ids_or_count))
    else:
        ids = npu_ids(ids_or_count, '_input', limit)
    return ['%s%d' % (DEVICE_PATH_PREFIX, number) for number in ids]
