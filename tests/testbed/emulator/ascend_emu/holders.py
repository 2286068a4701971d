"""The processes that use the NPUs: those injected in state.json and the real holders of /dev/davinciN."""

from __future__ import annotations

import os
from typing import Any, Dict, List

from .board import DAVINCI, devices, npu_state
from .paths import dev_dir

DEFAULT_GPU_MEMORY_UTILIZATION = 0.9


def gpu_memory_utilization(cmdline: List[str]) -> float:
    for index, arg in enumerate(cmdline):
        value = None
        if arg == '--gpu-memory-utilization' and index + 1 < len(cmdline):
            value = cmdline[index + 1]
        elif arg.startswith('--gpu-memory-utilization='):
            value = arg.split('=', 1)[1]
        if value is not None:
            try:
                return float(value)
            except ValueError:
                break
    return DEFAULT_GPU_MEMORY_UTILIZATION


def device_holders(directory: str) -> Dict[int, List[int]]:
    """Device index -> pids holding ``<directory>/davinciN`` open, as the driver sees its users."""
    directory = os.path.realpath(directory)
    holders = {}  # type: Dict[int, List[int]]
    for pid in (entry for entry in os.listdir('/proc') if entry.isdigit()):
        fd_dir = '/proc/%s/fd' % pid
        try:
            targets = set(os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir))
        except OSError:
            continue
        for target in targets:
            match = DAVINCI.match(os.path.basename(target))
            if match and os.path.dirname(target) in (directory, dev_dir()):
                holders.setdefault(int(match.group(1)), []).append(int(pid))
    return holders


def _process_name(pid: int) -> str:
    try:
        with open('/proc/%d/comm' % pid) as handle:
            return handle.read().strip()
    except OSError:
        return ''


def _process_cmdline(pid: int) -> List[str]:
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            return [arg.decode('utf-8', 'replace') for arg in handle.read().split(b'\0') if arg]
    except OSError:
        return []


def processes(board: Dict[str, Any], state: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Processes per device: those injected in state.json, then real holders of /dev/davinciN.

    A real holder is charged hbm_total_mb times the --gpu-memory-utilization of its command line (0.9).
    """
    present = set(devices(board))
    found = []  # type: List[Dict[str, Any]]
    for device in sorted(present):
        for process in npu_state(state, device).get('processes', []):
            found.append({'device': device, 'pid': int(process['pid']), 'name': process.get('name', ''),
                          'memory_mb': int(process['memory_mb'])})
    for device, pids in sorted(device_holders(dev_dir()).items()):
        if device not in present:
            continue
        for pid in sorted(set(pids)):
            share = gpu_memory_utilization(_process_cmdline(pid))
            found.append({'device': device, 'pid': pid, 'name': _process_name(pid),
                          'memory_mb': int(board['hbm_total_mb'] * share)})
    return found
