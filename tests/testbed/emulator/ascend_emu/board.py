"""The emulated board: its node type from hardware.json, the NPUs present, device index to NPU and chip."""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Tuple

from .paths import LIB_DIR, dev_dir, hardware_path, load_json

A2, A3 = 'atlas_800_a2', 'atlas_800_a3'
# PCI bus ids in the order npu-smi lists them on the real servers (captures of issues 5876 and 3548).
BUS_IDS = {
    A2: ['C1', 'C2', '81', '82', '01', '02', '41', '42'],
    A3: ['9D', '9F', '99', '9B', '95', '97', '91', '93', '8D', '8F', '89', '8B', '85', '87', '81', '83'],
}
# HBM a chip shows in use with no process on it, as in the idle captures (A3: even chip, odd chip).
IDLE_HBM_MB = {A2: (3400, 3400), A3: (3150, 2890)}
DAVINCI = re.compile(r'^davinci(\d+)$')


def present_ids() -> List[int]:
    try:
        names = os.listdir(dev_dir())
    except FileNotFoundError:
        return []
    return sorted(int(m.group(1)) for m in (DAVINCI.match(name) for name in names) if m)


def hardware() -> Dict[str, Any]:
    """hardware.json with defaults; without it (inside a container) the board is guessed from the devices.

    The emulator directory may hold a copy of hardware.json (``<lib>/hardware.json``): the driver's
    lib64/ is mounted into serving containers, so the copy tells them which board they run on.
    """
    board = load_json(hardware_path()) or load_json(os.path.join(LIB_DIR, 'hardware.json'))
    ids = present_ids()
    node_type = board.get('node_type') or (A3 if ids and max(ids) >= 8 else A2)
    a3 = node_type == A3
    board.setdefault('node_type', node_type)
    board.setdefault('npu_count', 16 if a3 else 8)
    board.setdefault('chip_name', 'Ascend910' if a3 else '910B3')
    board.setdefault('hbm_total_mb', 65536)
    board.setdefault('npu_subnet', '10.20.0.0/16')
    board.setdefault('node_index', 0)
    board.setdefault('physical', True)
    return board


def is_a3(board: Dict[str, Any]) -> bool:
    return board['node_type'] == A3


def npu_of(board: Dict[str, Any], device: int) -> Tuple[int, int]:
    """(NPU id, chip id) of a device index: A3 module k holds devices 2k and 2k+1."""
    return (device // 2, device % 2) if is_a3(board) else (device, 0)


def devices(board: Dict[str, Any]) -> List[int]:
    return [device for device in present_ids() if device < board['npu_count']]


def npu_ids(board: Dict[str, Any]) -> List[int]:
    return sorted(set(npu_of(board, device)[0] for device in devices(board)))


def npu_state(state: Dict[str, Any], device: int) -> Dict[str, Any]:
    return state.get('npus', {}).get(str(device), {})
