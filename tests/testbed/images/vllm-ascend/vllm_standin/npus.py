# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which NPUs the Ascend runtime in this container would hand to vLLM.

The runtime enumerates the ``/dev/davinciN`` nodes present (a container sees only the ones passed
with ``--device``), in ascending N. ``ASCEND_RT_VISIBLE_DEVICES`` then selects by position in that
enumeration and renumbers the selection 0..n-1, like ``CUDA_VISIBLE_DEVICES``. As CANN does, ids
that are not a valid position are dropped without a word (the failure shows later, when a worker
opens a device that is not there), and a list that is not strictly ascending or not made of
integers leaves no device at all.
"""

from __future__ import annotations

import os
import re
from typing import Dict, List, NamedTuple, Optional

DAVINCI = re.compile(r"^davinci(\d+)$")


class NpuView(NamedTuple):
    present: List[int]  # N of each /dev/davinciN, ascending
    visible: List[int]  # the present NPUs selected, in logical order 0..n-1
    env_value: Optional[str]  # ASCEND_RT_VISIBLE_DEVICES as read, None when unset


def present_npus(dev_root: str) -> List[int]:
    try:
        names = os.listdir(dev_root)
    except OSError:
        return []
    return sorted(int(m.group(1)) for m in (DAVINCI.match(n) for n in names) if m)


def select_visible(present: List[int], env_value: Optional[str]) -> List[int]:
    if env_value is None or env_value.strip() == "":
        return list(present)
    items = [item.strip() for item in env_value.split(",")]
    if not all(re.fullmatch(r"\d+", item) for item in items):
        return []
    ids = [int(item) for item in items]
    if any(later <= earlier for earlier, later in zip(ids, ids[1:])):
        return []
    return [present[i] for i in ids if i < len(present)]


def npu_view(dev_root: str, environ: Dict[str, str]) -> NpuView:
    present = present_npus(dev_root)
    env_value = environ.get("ASCEND_RT_VISIBLE_DEVICES")
    return NpuView(present, select_visible(present, env_value), env_value)


def describe(view: NpuView, dev_root: str) -> str:
    """What the stand-in saw, in one line, for the error a short count causes."""
    nodes = ", ".join("%s/davinci%d" % (dev_root.rstrip("/"), n) for n in view.present) or "none"
    env = "unset" if view.env_value is None else repr(view.env_value)
    chosen = ", ".join("npu:%d=davinci%d" % (i, n) for i, n in enumerate(view.visible)) or "none"
    return "device nodes present: %s; ASCEND_RT_VISIBLE_DEVICES %s; visible to the runtime: %s" % (nodes, env, chosen)


def set_device_error(logical_id: int, view: NpuView) -> str:
    """The runtime's failure when a worker opens a logical device that does not exist."""
    visible_input = view.env_value if view.env_value is not None else ",".join(str(i) for i in range(len(view.present)))
    return (
        "RuntimeError: Initialize:torch_npu/csrc/core/npu/sys_ctrl/npu_sys_ctrl.cpp NPU function error: "
        "c10_npu::SetDevice(device_id_), error code is 107001\n"
        "[ERROR] RUNTIME SetDevice:Set visible device failed, invalid device=%d, input visible devices:%s\n"
        "[ERROR] ASCENDCL aclrtSetDeviceImpl: open device %d failed, runtime result = 107001." % (logical_id, visible_input, logical_id)
    )


class HeldDevices:
    """Keep the NPUs' device files open while serving: that is how the driver (and npu-smi) sees a user."""

    def __init__(self) -> None:
        self._files: List[int] = []

    def open(self, dev_root: str, npus: List[int]) -> List[str]:
        paths = [os.path.join(dev_root, "davinci%d" % n) for n in npus]
        for path in paths:
            self._files.append(os.open(path, os.O_RDWR if os.access(path, os.W_OK) else os.O_RDONLY))
        return paths

    def close(self) -> None:
        for descriptor in self._files:
            try:
                os.close(descriptor)
            except OSError:
                pass
        self._files = []
