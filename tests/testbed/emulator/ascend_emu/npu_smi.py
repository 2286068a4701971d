"""``npu-smi info``, ``info -l`` and ``info -t board -i N`` in the layout of npu-smi 25.x."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .board import A2, A3, BUS_IDS, IDLE_HBM_MB, devices, hardware, is_a3, npu_ids, npu_of, npu_state, present_ids
from .errors import ToolError
from .holders import processes
from .paths import ascend_home, dev_dir, load_json, read_version, state_path

MSG_DCMI_INIT = 'dcmi module initialize failed. ret is -8005'


@dataclass
class Chip:
    device: int
    npu_id: int
    chip_id: int
    phy_id: Optional[int]
    name: str
    health: str
    power: str
    temp: int
    bus_id: str
    aicore: int
    hbm_used: int
    hbm_total: int


def chips(board: Dict[str, Any], state: Dict[str, Any], users: List[Dict[str, Any]]) -> List[Chip]:
    a3 = is_a3(board)
    idle = IDLE_HBM_MB[board['node_type']] if board['node_type'] in IDLE_HBM_MB else IDLE_HBM_MB[A2]
    bus_ids = BUS_IDS[A3 if a3 else A2]
    result = []
    for device in devices(board):
        npu_id, chip_id = npu_of(board, device)
        fault = npu_state(state, device)
        used = int(board.get('hbm_idle_mb', idle[chip_id])) + sum(p['memory_mb'] for p in users if p['device'] == device)
        total = int(board['hbm_total_mb'])
        # Power is per module: the second chip of an A3 module prints "-".
        power = '-' if chip_id == 1 else '%.1f' % ((160.0 if a3 else 85.0) + (device * 37 % 17) * 0.9)
        result.append(Chip(
            device=device, npu_id=npu_id, chip_id=chip_id, phy_id=device if a3 else None,
            name=board['chip_name'], health=fault.get('health', 'OK'), power=power, temp=int(fault.get('temperature_c', 33 + device % 7)),
            bus_id='0000:%s:00.0' % (bus_ids[device] if device < len(bus_ids) else '%02X' % device),
            aicore=int(fault.get('aicore_percent', 0)), hbm_used=min(used, total), hbm_total=total))
    return result


_RULE = '+' + '-' * 96 + '+'
_COLUMN_RULE = '+' + '-' * 27 + '+' + '-' * 15 + '+' + '-' * 52 + '+'
_DOUBLE_RULE = '+' + '=' * 27 + '+' + '=' * 15 + '+' + '=' * 52 + '+'


def _row(first: str, second: str, third: str) -> str:
    return '| %-26s| %-14s| %-51s|' % (first, second, third)


def _pair(used: int, total: int) -> str:
    return '%-5s/ %s' % (used, total)


def render_info(version: str, table: List[Chip], users: List[Dict[str, Any]], has_phy_id: bool) -> str:
    """``npu-smi info`` in the layout of npu-smi 25.x (98 columns)."""
    lines = [_RULE, '| %-33s%-62s|' % ('npu-smi ' + version, 'Version: ' + version), _COLUMN_RULE,
             '| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|',
             _row('Chip  Phy-ID' if has_phy_id else 'Chip', 'Bus-Id',
                  'AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)'),
             _DOUBLE_RULE]
    for index, chip in enumerate(table):
        lines.append(_row('%-6s%s' % (chip.npu_id, chip.name), chip.health,
                          '%-12s%-18s%s' % (chip.power, chip.temp, _pair(0, 0))))
        first = '%-6s%s' % (chip.chip_id, chip.phy_id) if has_phy_id else str(chip.chip_id)
        lines.append(_row(first, chip.bus_id, '%-12s%-18s%s' % (chip.aicore, _pair(0, 0), _pair(chip.hbm_used, chip.hbm_total))))
        following = table[index + 1] if index + 1 < len(table) else None
        lines.append(_RULE if following is not None and following.npu_id == chip.npu_id else _DOUBLE_RULE)
    lines.extend([_COLUMN_RULE, '| NPU     Chip              | Process id    | Process name             | Process memory(MB)      |',
                  _DOUBLE_RULE])
    for npu_id in sorted(set(chip.npu_id for chip in table)):
        rows = [user for user in users if user['npu_id'] == npu_id]
        if not rows:
            lines.append('| %-95s|' % ('No running processes found in NPU %d' % npu_id))
        for user in sorted(rows, key=lambda user: user['chip_id']):
            lines.append('| %-8s%-18s| %-14s| %-25s| %-24s|'
                         % (user['npu_id'], user['chip_id'], user['pid'], user['name'][:24], user['memory_mb']))
        lines.append(_DOUBLE_RULE)
    return '\n'.join(lines) + '\n'


def _key_value(fields: Iterable[Tuple[str, Any]]) -> str:
    return ''.join('        %-31s: %s\n' % (key, value) for key, value in fields)


def render_list(counts: List[Tuple[int, int]]) -> str:
    """``npu-smi info -l``: (NPU id, chip count) pairs."""
    text = _key_value([('Total Count', len(counts))])
    for npu_id, chip_count in counts:
        text += '\n' + _key_value([('NPU ID', npu_id), ('Chip Count', chip_count)])
    return text


def render_board(board: Dict[str, Any], npu_id: int, chip_count: int, bus_id: str,
                 software: Optional[str], firmware: Optional[str]) -> str:
    """``npu-smi info -t board -i N`` in the layout of a 910B capture (product and serial are ours)."""
    a3 = is_a3(board)
    return _key_value([
        ('NPU ID', npu_id),
        ('Product Name', 'IT21PDDA01' if a3 else 'IT21HMDC_Bin5'),
        ('Model', 'NA'),
        ('Manufacturer', 'Huawei'),
        ('Serial Number', '1025C9%02d%04d' % (int(board['node_index']) % 100, npu_id)),
        ('Software Version', software or 'NA'),
        ('Firmware Version', firmware or 'NA'),
        ('Compatibility', 'OK' if software and firmware else 'NA'),
        ('Board ID', '0x60'),
        ('PCB ID', 'A'),
        ('BOM ID', '1'),
        ('PCIe Bus Info', bus_id),
        ('Slot ID', npu_id),
        ('Class ID', 'NA'),
        ('PCI Vendor ID', '0x19E5'),
        ('PCI Device ID', '0xD803' if a3 else '0xD802'),
        ('Subsystem Vendor ID', '0x19E5'),
        ('Subsystem Device ID', '0x3003'),
        ('Chip Count', chip_count),
    ])


NPU_SMI_USAGE = 'Usage: npu-smi info [-l | -t board -i NPU_ID]'


def run(args: List[str]) -> str:
    if not present_ids() or not os.path.exists(os.path.join(dev_dir(), 'davinci_manager')):
        raise ToolError(MSG_DCMI_INIT)
    board, state = hardware(), load_json(state_path())
    home = ascend_home()
    software = read_version(os.path.join(home, 'driver', 'version.info'))
    if args == ['info']:
        users = processes(board, state)
        for user in users:
            user['npu_id'], user['chip_id'] = npu_of(board, user['device'])
        return render_info(software or 'NA', chips(board, state, users), users, is_a3(board))
    if args == ['info', '-l']:
        counts = {}  # type: Dict[int, int]
        for device in devices(board):
            npu_id = npu_of(board, device)[0]
            counts[npu_id] = counts.get(npu_id, 0) + 1
        return render_list(sorted(counts.items()))
    if len(args) == 5 and args[:3] == ['info', '-t', 'board'] and args[3] == '-i':
        if not args[4].isdigit() or int(args[4]) not in npu_ids(board):
            raise ToolError('Error: NPU ID %s is invalid.' % args[4])
        npu_id = int(args[4])
        table = [chip for chip in chips(board, state, []) if chip.npu_id == npu_id]
        firmware = read_version(os.path.join(home, 'firmware', 'version.info'))
        return render_board(board, npu_id, len(table), table[0].bus_id, software, firmware)
    raise ToolError(NPU_SMI_USAGE)
