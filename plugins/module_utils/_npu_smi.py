# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers for the text that Huawei's ``npu-smi`` prints, and the collection of NPU facts.

Private to the ascend_ops.vllm collection: the interface may change without notice.

Everything here is a function from text to data, except ``collect_npu_facts`` which
takes a command runner so that modules and tests can both drive it.

NPU ids: the ``id`` of a device is its index in ``/dev/davinciN`` and ``hccn_tool -i N``.
On Atlas 800 A2 that is the NPU column of ``npu-smi info``; on Atlas 800 A3 (two chips
per NPU module) it is the Phy-ID column.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

NODE_TYPE_A2 = 'atlas_800_a2'
NODE_TYPE_A3 = 'atlas_800_a3'

_VERSION_LINE = re.compile(r'npu-smi\s+(?P<tool>\S+)\s+Version:\s*(?P<version>\S+)')
_BUS_ID = re.compile(r'^(?:[0-9A-Fa-f]{4,8}:)?[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]$')
_PAIR = r'(\d+)\s*/\s*(\d+)'
# "Power(W)  Temp(C)  Hugepages-Usage(page)"; power is "-" on the second chip of an A3 module.
_DEVICE_METRICS = re.compile(r'^(?P<power>\S+)\s+(?P<temp>\S+)\s+' + _PAIR + r'$')
# "AICore(%)  Memory-Usage(MB)  HBM-Usage(MB)"; cards without HBM print only one pair.
_CHIP_METRICS = re.compile(r'^(?P<aicore>\S+)\s+' + _PAIR + r'(?:\s+' + _PAIR + r')?$')
# "No running processes found in NPU 3" and the wordings other releases and boards use: per
# chip ("... NPU 0 Chip 1"), singular, without "running" or "found". Only words may stand
# between "process" and the NPU: a number there could be a pid.
_NO_PROCESS = re.compile(r'^no\s+(?:running\s+)?process(?:es)?(?:\s+[a-z]+)*?\s+NPU\s*(?:ID\s*)?\d+'
                         r'(?:\s*[,/]?\s*chip\s*(?:ID\s*)?\d+)?\s*\.?$', re.IGNORECASE)
# A word that is a number: a process row carries its pid as one.
_NUMBER = re.compile(r'^\d+$')
# What npu-smi prints where it has no reading.
_PLACEHOLDERS = ('NA', 'N/A', '-')
_KEY_VALUE = re.compile(r'^\s*(?P<key>[^:]+?)\s*:\s*(?P<value>.*?)\s*$')

CommandRunner = Callable[[List[str]], Tuple[int, str, str]]


class NpuSmiParseError(ValueError):
    """The text does not look like the output of the npu-smi command it is said to come from."""


class NpuSmiCommandError(RuntimeError):
    """npu-smi ran but reported a failure."""


def _table_cells(line: str) -> Optional[List[str]]:
    """Cells of a ``| a | b |`` table row, or None for rules, blank lines and other text.

    Rules drawn between bars (``|=====|``, ``|----+----|``) and rows of empty cells are
    separators too: they carry nothing to read.
    """
    stripped = line.strip()
    if len(stripped) < 2 or not (stripped.startswith('|') and stripped.endswith('|')):
        return None
    cells = [cell.strip() for cell in stripped[1:-1].split('|')]
    if all(not cell.strip('-=+: ') for cell in cells):
        return None
    return cells


def _number(text: str) -> Optional[float]:
    """A reading, or None where npu-smi prints a placeholder such as ``-`` or ``NA``."""
    try:
        return float(text)
    except ValueError:
        return None


def _integer(text: str) -> Optional[int]:
    value = _number(text)
    return None if value is None else int(value)


def _is_chip_row(cells: List[str]) -> bool:
    # The chip row starts with numbers only ("0" on A2, "1     15" on A3) and carries a bus id.
    return all(token.isdigit() for token in cells[0].split()) and (
        _BUS_ID.match(cells[1]) is not None or cells[1] in ('NA', '-'))


def _parse_device_row(cells: List[str], line_number: int, line: str) -> Dict[str, Any]:
    head = cells[0].split(None, 1)
    metrics = _DEVICE_METRICS.match(cells[2]) if len(cells) >= 3 else None
    if len(head) != 2 or not head[0].isdigit() or metrics is None:
        raise NpuSmiParseError(
            'npu-smi info: line %d is not an NPU row ("| <npu> <name> | <health> | <power> <temp> <used> / <total> |"): %r'
            % (line_number, line.strip()))
    return {
        'npu_id': int(head[0]),
        'name': head[1],
        'health': cells[1],
        'power_w': _number(metrics.group('power')),
        'temp_c': _integer(metrics.group('temp')),
    }


def _parse_chip_row(cells: List[str], device: Dict[str, Any], has_phy_id: bool,
                    line_number: int, line: str) -> Dict[str, Any]:
    numbers = [int(token) for token in cells[0].split()]
    metrics = _CHIP_METRICS.match(cells[2]) if len(cells) >= 3 else None
    expected_numbers = 2 if has_phy_id else 1
    if len(numbers) != expected_numbers or metrics is None:
        raise NpuSmiParseError(
            'npu-smi info: line %d is not a chip row ("| <chip>%s | <bus id> | <aicore> <used> / <total> <hbm used> / <hbm total> |"): %r'
            % (line_number, ' <phy id>' if has_phy_id else '', line.strip()))
    phy_id = numbers[1] if has_phy_id else None
    hbm_used, hbm_total = metrics.group(4), metrics.group(5)
    chip = dict(device)
    chip.update({
        'id': phy_id if has_phy_id else device['npu_id'],
        'chip_id': numbers[0],
        'phy_id': phy_id,
        'bus_id': None if cells[1] in ('NA', '-') else cells[1],
        'aicore_percent': _integer(metrics.group('aicore')),
        'memory_used_mb': int(metrics.group(2)),
        'memory_total_mb': int(metrics.group(3)),
        'hbm_used_mb': None if hbm_used is None else int(hbm_used),
        'hbm_total_mb': None if hbm_total is None else int(hbm_total),
    })
    return chip


def _is_process_row(cells: List[str]) -> bool:
    head = cells[0].split()
    return len(cells) >= 4 and len(head) == 2 and all(token.isdigit() for token in head) \
        and cells[1].isdigit() and (cells[3].isdigit() or cells[3] in _PLACEHOLDERS)


def _carries_a_number(cells: List[str]) -> bool:
    return any(_NUMBER.match(word) for cell in cells for word in cell.split())


def _parse_process_row(cells: List[str], line_number: int, line: str) -> Optional[Dict[str, Any]]:
    """A process, or None for a line that only informs ("No running processes found in NPU 3").

    An informational line is one saying that no process runs, or one without any number;
    every other line may be a process that must not be missed, so it is refused by number.
    """
    if not _is_process_row(cells):
        text = ' '.join(cell for cell in cells if cell)
        if (len([cell for cell in cells if cell]) == 1 and _NO_PROCESS.match(text)) or not _carries_a_number(cells):
            return None
        raise NpuSmiParseError(
            'npu-smi info: line %d may name a process but is not a process row '
            '("| <npu> <chip> | <pid> | <name> | <memory MB> |"); refusing rather than missing a process '
            'on an NPU: %r' % (line_number, line.strip()))
    head = cells[0].split()
    process = {
        'npu_id': int(head[0]),
        'chip_id': int(head[1]),
        'pid': int(cells[1]),
        'name': cells[2],
        'memory_mb': _integer(cells[3]),
    }
    if len(cells) >= 5:
        process['container_pid'] = _integer(cells[4])
    return process


def parse_npu_smi_info(text: str) -> Dict[str, Any]:
    """Parse ``npu-smi info`` (the summary table) into versions, devices and processes.

    Tolerates the different column widths of npu-smi releases: rows are split on ``|``
    and the numbers are read by position within each cell, not by character column.
    Separator rows are skipped everywhere, and so are the informational lines of the
    process table (the "no running processes" line in its wordings, lines without a
    number); a process-table line with a number that is not a process row is refused,
    by line, because a process holding an NPU must never be missed.
    Returns ``{'npu_smi_version', 'driver_version', 'has_phy_id', 'npus', 'processes'}``;
    ``npus`` has one entry per chip (per device index), ``processes`` one per process and chip.
    """
    result = {'npu_smi_version': None, 'driver_version': None, 'has_phy_id': False,
              'npus': [], 'processes': []}  # type: Dict[str, Any]
    section = 'preamble'
    pending_device = None  # type: Optional[Dict[str, Any]]
    saw_device_header = False
    for line_number, line in enumerate(text.splitlines(), 1):
        version = _VERSION_LINE.search(line)
        if version:
            result['npu_smi_version'] = version.group('tool')
            result['driver_version'] = version.group('version')
            continue
        cells = _table_cells(line)
        if cells is None:
            continue
        first = cells[0]
        if first.startswith('NPU') and len(cells) >= 3 and cells[1].startswith('Health'):
            section, saw_device_header = 'devices', True
            continue
        if first.startswith('Chip') and len(cells) >= 2 and cells[1].startswith('Bus-Id'):
            result['has_phy_id'] = 'Phy-ID' in first
            continue
        if first.startswith('NPU') and len(cells) >= 2 and cells[1].startswith('Process id'):
            section = 'processes'
            continue
        if section == 'devices':
            if _is_chip_row(cells):
                if pending_device is None:
                    raise NpuSmiParseError(
                        'npu-smi info: line %d is a chip row without the NPU row before it: %r'
                        % (line_number, line.strip()))
                result['npus'].append(
                    _parse_chip_row(cells, pending_device, result['has_phy_id'], line_number, line))
                pending_device = None
            else:
                pending_device = _parse_device_row(cells, line_number, line)
        elif section == 'processes':
            process = _parse_process_row(cells, line_number, line)
            if process is not None:
                result['processes'].append(process)
        else:
            raise NpuSmiParseError('npu-smi info: table row before the NPU header at line %d: %r'
                                   % (line_number, line.strip()))
    if not saw_device_header:
        first_line = next((line for line in text.splitlines() if line.strip()), '')
        raise NpuSmiParseError('npu-smi info: no NPU table found (expected a "| NPU   Name | Health | ..." header); '
                               'output starts with %r' % first_line[:200])
    if pending_device is not None:
        raise NpuSmiParseError('npu-smi info: NPU %d (%s) has no chip row after it'
                               % (pending_device['npu_id'], pending_device['name']))
    device_index = dict(((npu['npu_id'], npu['chip_id']), npu['id']) for npu in result['npus'])
    for process in result['processes']:
        process['id'] = device_index.get((process['npu_id'], process['chip_id']))
    return result


def parse_key_value_block(text: str) -> List[Dict[str, str]]:
    """Split ``Key : Value`` output (``npu-smi info -l``, ``-t board``) into blocks.

    A new block starts at every ``NPU ID`` key, so the same function reads both the
    list of NPUs and a single board. Lines without a colon are ignored.
    """
    blocks = []  # type: List[Dict[str, str]]
    current = {}  # type: Dict[str, str]
    for line in text.splitlines():
        match = _KEY_VALUE.match(line)
        if not match:
            continue
        key, value = match.group('key'), match.group('value')
        if key == 'NPU ID' and current:
            blocks.append(current)
            current = {}
        current[key] = value
    if current:
        blocks.append(current)
    return blocks


def parse_npu_list(text: str) -> Dict[str, Any]:
    """Parse ``npu-smi info -l``: ``{'total_count': int or None, 'npus': [{'npu_id', 'chip_count'}]}``.

    On Atlas 800 A3 an NPU id is a module with ``Chip Count : 2``; its device indexes are
    the Phy-IDs of ``npu-smi info``.
    """
    blocks = parse_key_value_block(text)
    total = None  # type: Optional[int]
    npus = []  # type: List[Dict[str, Any]]
    for block in blocks:
        if 'Total Count' in block or 'Card Count' in block:
            total = _integer(block.get('Total Count', block.get('Card Count', '')))
        if 'NPU ID' in block:
            npu_id = _integer(block['NPU ID'])
            if npu_id is None:
                raise NpuSmiParseError('npu-smi info -l: NPU ID is not a number: %r' % block['NPU ID'])
            npus.append({'npu_id': npu_id, 'chip_count': _integer(block.get('Chip Count', ''))})
    if total is None and not npus:
        raise NpuSmiParseError('npu-smi info -l: no "Total Count" and no "NPU ID" lines found in %r' % text.strip()[:200])
    return {'total_count': total, 'npus': npus}


def parse_board_info(text: str) -> Dict[str, Any]:
    """Parse ``npu-smi info -t board -i N``: every key, plus ``software_version`` (the driver)
    and ``firmware_version`` (None where npu-smi prints NA)."""
    blocks = parse_key_value_block(text)
    board = blocks[0] if blocks else {}
    if 'Software Version' not in board and 'Firmware Version' not in board:
        raise NpuSmiParseError('npu-smi info -t board: no "Software Version" or "Firmware Version" line in %r'
                               % text.strip()[:200])

    def known(key: str) -> Optional[str]:
        value = board.get(key)
        return None if value in (None, '', 'NA') else value

    return {
        'npu_id': _integer(board.get('NPU ID', '')),
        'software_version': known('Software Version'),
        'firmware_version': known('Firmware Version'),
        'chip_count': _integer(board.get('Chip Count', '')),
        'fields': board,
    }


def guess_node_type(npus: Sequence[Dict[str, Any]], has_phy_id: bool) -> Optional[str]:
    """The Atlas server the NPU table looks like, or None.

    A3 prints chips named ``Ascend910*`` with a Phy-ID column; A2 prints one chip per
    NPU named ``910B*``. The count is not required: inside a container that was given
    only some devices, npu-smi shows only those.
    """
    names = set(npu['name'] for npu in npus)
    if not names:
        return None
    if has_phy_id and all(name.startswith('Ascend910') for name in names):
        return NODE_TYPE_A3
    if not has_phy_id and all(name.startswith('910B') for name in names):
        return NODE_TYPE_A2
    return None


def _run(runner: CommandRunner, argv: List[str]) -> str:
    rc, out, err = runner(argv)
    if rc != 0:
        raise NpuSmiCommandError('%s failed (rc=%d): %s' % (' '.join(argv), rc, (err or out).strip()[:500]))
    return out


def _single_or_all(values: Sequence[Optional[str]]) -> Any:
    distinct = sorted(set(value for value in values if value))
    if not distinct:
        return None
    return distinct[0] if len(distinct) == 1 else distinct


def collect_npu_facts(runner: CommandRunner, npu_smi: str, board_info: bool = True) -> Dict[str, Any]:
    """Run npu-smi and return the facts the npu_info module reports.

    ``runner`` takes an argv list and returns ``(rc, stdout, stderr)``. Raises
    NpuSmiCommandError when npu-smi fails and NpuSmiParseError when its output is not
    understood.
    """
    info = parse_npu_smi_info(_run(runner, [npu_smi, 'info']))
    npus = sorted(info['npus'], key=lambda npu: npu['id'])
    boards = []  # type: List[Dict[str, Any]]
    if board_info:
        for npu_id in sorted(set(npu['npu_id'] for npu in npus)):
            board = parse_board_info(_run(runner, [npu_smi, 'info', '-t', 'board', '-i', str(npu_id)]))
            board['npu_id'] = npu_id
            boards.append(board)
    by_npu = dict((board['npu_id'], board) for board in boards)
    for npu in npus:
        board = by_npu.get(npu['npu_id'], {})
        npu['software_version'] = board.get('software_version')
        npu['firmware_version'] = board.get('firmware_version')
    driver = _single_or_all([board['software_version'] for board in boards]) or info['driver_version']
    return {
        'npus': npus,
        'npu_ids': [npu['id'] for npu in npus],
        'npu_count': len(npus),
        'processes': info['processes'],
        'npu_smi_version': info['npu_smi_version'],
        'driver_version': driver,
        'firmware_version': _single_or_all([board['firmware_version'] for board in boards]),
        'node_type': guess_node_type(npus, info['has_phy_id']),
        'healthy': all(npu['health'] == 'OK' for npu in npus),
        'unhealthy_npu_ids': [npu['id'] for npu in npus if npu['health'] != 'OK'],
    }
