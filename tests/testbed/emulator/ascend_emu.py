"""Emulated Huawei npu-smi and hccn_tool for the Atlas test bed (Python 3.11 standard library only).

Installed by the emulated driver as /usr/local/Ascend/driver/lib64/emulator/ascend_emu.py and run by
the /usr/local/bin/npu-smi and driver/tools/hccn_tool launchers as
``python3 ascend_emu.py npu-smi|hccn_tool ARGS``.

The board comes from /etc/ascend-emulator/hardware.json, faults from /var/lib/ascend-emulator/state.json,
NPU network settings from /var/lib/ascend-emulator/npu-net.json (all described in tests/testbed/README.md).
An NPU exists only while /dev/davinciN exists. The text layouts are those of the real tools' captures in
tests/unit/plugins/module_utils/fixtures/ (npu-smi 25.3.rc1 widths).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple

A2, A3 = 'atlas_800_a2', 'atlas_800_a3'
# PCI bus ids in the order npu-smi lists them on the real servers (captures of issues 5876 and 3548).
BUS_IDS = {
    A2: ['C1', 'C2', '81', '82', '01', '02', '41', '42'],
    A3: ['9D', '9F', '99', '9B', '95', '97', '91', '93', '8D', '8F', '89', '8B', '85', '87', '81', '83'],
}
# HBM a chip shows in use with no process on it, as in the idle captures (A3: even chip, odd chip).
IDLE_HBM_MB = {A2: (3400, 3400), A3: (3150, 2890)}
DEFAULT_GPU_MEMORY_UTILIZATION = 0.9
DAVINCI = re.compile(r'^davinci(\d+)$')

MSG_DCMI_INIT = 'dcmi module initialize failed. ret is -8005'
MSG_DONE = 'Cmd executed successfully!'
MSG_INVALID_DEVICE = 'Get invalid device id.'
MSG_INVALID_TYPE = 'Get invalid major cmd type. The valid major cmd type should be "-a" or "-i".\nEnter [ hccn_tool -h ] for more details.'
MSG_INVALID_CMD = 'Get invalid major cmd.\nEnter [ hccn_tool -h ] for more details.'
MSG_BAD_PARAMS = 'Get invalid parameters!'
MSG_BAD_COUNT = 'The total count of input parameters is wrong!'
MSG_BAD_IP = 'The ip address you configured is invalid!'
MSG_IP_CONFLICT = 'The ip address configured is conflicted!'
MSG_NO_IP = 'Get ipconf failed, because no ip was preset there!'
MSG_NO_GATEWAY = 'Get gateway failed, because no gateway was preset there!'
MSG_NOT_PRESET = 'The confuguraion does not exist! Please preset firstly!'  # sic: hccn_tool's spelling
MSG_GATEWAY_NO_IP = 'Unable to configure gateway, because ip is not configured!'
MSG_GATEWAY_SEGMENT = "The segment of configured gateway doesn't match that of the configured ip adress!"  # sic
MSG_LINK_DOWN = 'Execute failed: Link status is down.'
MSG_FAILED = 'Cmd execute failed!'


class ToolError(Exception):
    """A refusal the real tool prints, with its exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- where things are

def _location(env: str, default: str) -> str:
    return os.environ.get(env) or os.environ.get('ASCEND_EMULATOR_ROOT', '') + default


def hardware_path() -> str:
    return _location('ASCEND_EMULATOR_HARDWARE', '/etc/ascend-emulator/hardware.json')


def state_path() -> str:
    return _location('ASCEND_EMULATOR_STATE', '/var/lib/ascend-emulator/state.json')


def net_path() -> str:
    return _location('ASCEND_EMULATOR_NET', '/var/lib/ascend-emulator/npu-net.json')


def hccn_conf_path() -> str:
    return _location('ASCEND_EMULATOR_HCCN_CONF', '/etc/hccn.conf')


def dev_dir() -> str:
    return _location('ASCEND_EMULATOR_DEV', '/dev')


def ascend_home() -> str:
    return _location('ASCEND_EMULATOR_ASCEND_HOME', '/usr/local/Ascend')


def load_json(path: str) -> Dict[str, Any]:
    try:
        with open(path) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}


def save_json(path: str, data: Dict[str, Any]) -> None:
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path) or '.', prefix='.npu-net.')
    with os.fdopen(fd, 'w') as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write('\n')
    os.replace(temporary, path)


def read_version(path: str) -> Optional[str]:
    """``Version=`` of a driver or firmware version.info, None when the file is absent."""
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith('Version='):
                    return line.split('=', 1)[1].strip()
    except FileNotFoundError:
        return None
    return None


# ---------------------------------------------------------------- the board

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
    board = load_json(hardware_path()) or load_json(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hardware.json'))
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


# ---------------------------------------------------------------- processes holding devices

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


# ---------------------------------------------------------------- npu-smi

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
            name=board['chip_name'], health=fault.get('health', 'OK'), power=power, temp=33 + device % 7,
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


def npu_smi(args: List[str]) -> str:
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


# ---------------------------------------------------------------- hccn_tool: network settings

def link_is_up(device: int, state: Dict[str, Any], net: Dict[str, Any]) -> bool:
    cut = npu_state(state, device).get('link', 'UP').upper() == 'DOWN'
    return not cut and net_settings(net, device).get('link_admin', 'up') != 'down'


def net_settings(net: Dict[str, Any], device: int) -> Dict[str, Any]:
    return net.setdefault('npus', {}).setdefault(str(device), {})


def prefix_of(netmask: str) -> int:
    return ipaddress.IPv4Network('0.0.0.0/' + netmask).prefixlen


def write_hccn_conf(net: Dict[str, Any]) -> None:
    """Rewrite the ``<key>_<N>=`` lines of /etc/hccn.conf from npu-net.json, keeping other lines."""
    path = hccn_conf_path()
    try:
        with open(path) as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        lines = []
    managed = ('address', 'netmask', 'netdetect', 'gateway', 'send_arp_status')
    pattern = re.compile(r'^(%s)_(\d+)=' % '|'.join(managed))
    kept = [line for line in lines if not pattern.match(line)]
    for device in sorted(net.get('npus', {}), key=int):
        settings = net['npus'][device]
        if 'address' not in settings:
            continue
        kept.append('address_%s=%s' % (device, settings['address']))
        kept.append('netmask_%s=%s' % (device, settings['netmask']))
        for key in ('netdetect', 'gateway'):
            if key in settings:
                kept.append('%s_%s=%s' % (key, device, settings[key]))
        kept.append('send_arp_status_%s=1' % device)
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as handle:
        handle.write('\n'.join(kept) + ('\n' if kept else ''))


def read_hccn_conf() -> Dict[str, Dict[str, str]]:
    conf = {}  # type: Dict[str, Dict[str, str]]
    try:
        with open(hccn_conf_path()) as handle:
            for line in handle:
                match = re.match(r'^\s*([A-Za-z_]+?)_(\d+)\s*=\s*(\S*)\s*$', line)
                if match:
                    conf.setdefault(match.group(2), {})[match.group(1)] = match.group(3)
    except FileNotFoundError:
        pass
    return conf


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(['ip'] + list(args), capture_output=True, text=True, check=False)


def reconcile_addresses(board: Dict[str, Any], state: Dict[str, Any], net: Dict[str, Any]) -> Optional[str]:
    """Keep every configured NPU address with its link up applied to the node NIC inside npu_subnet.

    Idempotent, run on every hccn_tool invocation, so a reconnected interface or an edited state.json
    is healed on the next call. Returns a warning when the addresses cannot be applied. Without
    hardware.json (not an emulated node: a container, a developer's machine) interfaces are left alone.
    """
    if not os.path.exists(hardware_path()):
        return 'no %s: not an emulated node, interfaces left alone' % hardware_path()
    try:
        listing = _ip('-j', '-4', 'addr', 'show')
    except OSError as error:
        return 'cannot run ip: %s' % error
    if listing.returncode != 0:
        return 'ip addr show failed: %s' % listing.stderr.strip()
    subnet = ipaddress.IPv4Network(board['npu_subnet'], strict=False)
    present = set(devices(board))
    desired = {}  # type: Dict[str, str]
    for device, settings in net.get('npus', {}).items():
        if 'address' in settings and int(device) in present and link_is_up(int(device), state, net):
            desired[settings['address']] = '%s/%d' % (settings['address'], prefix_of(settings['netmask']))
    all_npu_addresses = set(settings['address'] for settings in net.get('npus', {}).values() if 'address' in settings)
    all_npu_addresses.update(net.get('applied', []))
    interface, current = None, {}  # type: Optional[str], Dict[str, int]
    for link in json.loads(listing.stdout or '[]'):
        addresses = dict((info['local'], int(info.get('prefixlen', 32))) for info in link.get('addr_info', []) if 'local' in info)
        if any(ipaddress.IPv4Address(address) in subnet and address not in all_npu_addresses for address in addresses):
            interface, current = link['ifname'], addresses
            break
    if interface is None:
        return 'no interface with an address in %s' % subnet
    problems = []
    for address, cidr in sorted(desired.items()):
        if address not in current:
            done = _ip('addr', 'replace', cidr, 'dev', interface)
            if done.returncode != 0:
                problems.append('ip addr replace %s dev %s: %s' % (cidr, interface, done.stderr.strip()))
    for address in sorted((set(current) & all_npu_addresses) - set(desired)):
        _ip('addr', 'del', '%s/%d' % (address, current[address]), 'dev', interface)
    net['applied'] = sorted(desired)
    return '; '.join(problems) or None


# ---------------------------------------------------------------- hccn_tool: commands

def _lldp(board: Dict[str, Any], device: int) -> str:
    """lldptool's layout, as hccn_tool prints it; the switch port is derived from node and NPU."""
    node = int(board['node_index'])
    return ('Chassis ID TLV\n\tMAC: 52:54:00:14:%02x:01\n'
            'Port ID TLV\n\tIfname: 400GE1/%d/%d:%d\n'
            'Time to Live TLV\n\t120\n'
            'System Name TLV\n\troce-leaf-1\n'
            'System Description TLV\n\tVersatile Routing Platform Software\n'
            'System Capabilities TLV\n\tEnabled capabilities: Bridge, Router\n'
            'Maximum Frame Size TLV\n\t9216\n'
            'End of LLDPDU TLV\n') % (node % 256, node + 1, device // 2 + 1, device % 2 + 1)


def _ping(device: int, source: str, target: str) -> str:
    """Real ICMP from the NPU address, printed the way hccn_tool prints its ping."""
    try:
        done = subprocess.run(['ping', '-c', '3', '-W', '1', '-i', '0.2', '-I', source, target],
                              capture_output=True, text=True, check=False)
    except OSError:
        raise ToolError(MSG_FAILED)
    replies = re.findall(r'icmp_seq=(\d+)\b.*?time=([\d.]+)\s*ms', done.stdout)
    summary = re.search(r'(\d+) packets transmitted, (\d+) received', done.stdout)
    transmitted = int(summary.group(1)) if summary else 3
    received = int(summary.group(2)) if summary else 0
    lines = ['device %d PING %s' % (device, target)]
    lines.extend('recv seq=%d,time=%.6fms' % (int(seq) - 1, float(time_ms)) for seq, time_ms in replies)
    loss = 100.0 * (transmitted - received) / transmitted if transmitted else 100.0
    lines.append('%d packets transmitted, %d received, %.2f%% packet loss' % (transmitted, received, loss))
    return '\n'.join(lines) + '\n'


def _valid_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _valid_netmask(text: str) -> bool:
    if not _valid_ipv4(text):
        return False
    try:
        prefix_of(text)
    except ValueError:
        return False
    return True


def _options(args: List[str], allowed: Tuple[str, ...]) -> Dict[str, str]:
    """``key value`` pairs after ``-s``; anything else is the tool's parameter error."""
    if len(args) % 2:
        raise ToolError(MSG_BAD_COUNT)
    options = dict(zip(args[0::2], args[1::2]))
    if not options or any(key not in allowed for key in options):
        raise ToolError(MSG_BAD_PARAMS)
    return options


def hccn_device_command(device: int, args: List[str], board: Dict[str, Any], state: Dict[str, Any],
                        net: Dict[str, Any]) -> Tuple[str, bool]:
    """Run one ``-i N ...`` command; returns (output, whether npu-net.json changed)."""
    settings = net_settings(net, device)
    command, rest = args[0], args[1:]
    if command == '-link' and rest == ['-g']:
        return 'link status: %s\n' % ('UP' if link_is_up(device, state, net) else 'DOWN'), False
    if command == '-link' and len(rest) == 2 and rest[0] == '-s' and rest[1] in ('up', 'down'):
        settings['link_admin'] = rest[1]
        return MSG_DONE + '\n', True
    if command == '-net_health' and rest == ['-g']:
        status = npu_state(state, device).get('net_health')
        if status is None:
            if not link_is_up(device, state, net):
                status = 'Fault'
            elif 'address' not in settings or 'netdetect' not in settings:
                status = 'Init'
            else:
                status = 'Success'
        return 'net health status: %s\n' % status, False
    if command == '-ip' and rest == ['-g']:
        if 'address' not in settings:
            raise ToolError(MSG_NO_IP)
        return 'ipaddr:%s\nnetmask:%s\n' % (settings['address'], settings['netmask']), False
    if command == '-ip' and rest[:1] == ['-s']:
        options = _options(rest[1:], ('address', 'netmask'))
        if set(options) != {'address', 'netmask'}:
            raise ToolError(MSG_BAD_COUNT)
        if not _valid_ipv4(options['address']) or not _valid_netmask(options['netmask']):
            raise ToolError(MSG_BAD_IP)
        for other, other_settings in net.get('npus', {}).items():
            if int(other) != device and other_settings.get('address') == options['address']:
                raise ToolError(MSG_IP_CONFLICT)
        settings.update(options)
        return MSG_DONE + '\n', True
    if command == '-netdetect' and rest == ['-g']:
        if 'netdetect' not in settings:
            raise ToolError(MSG_NOT_PRESET)
        return 'netdetect address: %s\n' % settings['netdetect'], False
    if command == '-netdetect' and rest[:1] == ['-s']:
        address = _options(rest[1:], ('address',))['address']
        if not _valid_ipv4(address):
            raise ToolError(MSG_BAD_IP)
        settings['netdetect'] = address
        return MSG_DONE + '\n', True
    if command == '-gateway' and rest == ['-g']:
        if 'gateway' not in settings:
            raise ToolError(MSG_NO_GATEWAY)
        return 'default gateway:%s, Iface:eth%d\n' % (settings['gateway'], device), False
    if command == '-gateway' and rest[:1] == ['-s']:
        options = _options(rest[1:], ('gateway', 'address'))
        gateway = options.get('gateway', options.get('address'))
        if not _valid_ipv4(gateway):
            raise ToolError(MSG_BAD_IP)
        if 'address' not in settings:
            raise ToolError(MSG_GATEWAY_NO_IP)
        network = ipaddress.IPv4Network('%s/%s' % (settings['address'], settings['netmask']), strict=False)
        if ipaddress.IPv4Address(gateway) not in network:
            raise ToolError(MSG_GATEWAY_SEGMENT)
        settings['gateway'] = gateway
        return MSG_DONE + '\n', True
    if command == '-lldp' and rest == ['-g']:
        if not link_is_up(device, state, net):
            raise ToolError(MSG_LINK_DOWN)
        return _lldp(board, device), False
    if command == '-ping' and len(rest) in (3, 5) and rest[:2] == ['-g', 'address']:
        if not _valid_ipv4(rest[2]):
            raise ToolError(MSG_BAD_IP)
        if not link_is_up(device, state, net):
            raise ToolError(MSG_LINK_DOWN)
        if 'address' not in settings:
            raise ToolError(MSG_NO_IP)
        return _ping(device, settings['address'], rest[2]), False
    if command == '-cfg' and rest == ['recovery']:
        recover(device, net)
        return MSG_DONE + '\n', True
    if command in ('-link', '-net_health', '-ip', '-netdetect', '-gateway', '-lldp', '-ping', '-cfg'):
        raise ToolError(MSG_BAD_PARAMS)
    raise ToolError(MSG_INVALID_CMD)


def recover(device: int, net: Dict[str, Any]) -> None:
    """``-cfg recovery``: bring the port up and reload its settings from hccn.conf."""
    settings = net_settings(net, device)
    settings.pop('link_admin', None)
    saved = read_hccn_conf().get(str(device), {})
    for key in ('address', 'netmask', 'netdetect', 'gateway'):
        if key in saved:
            settings[key] = saved[key]


HCCN_USAGE = ('hccn_tool -i devid -ip [-s address %s netmask %s] [-g]\n'
              'hccn_tool -i devid -gateway [-s gateway %s] [-g]\n'
              'hccn_tool -i devid -netdetect [-s address %s] [-g]\n'
              'hccn_tool -i devid -lldp -g\n'
              'hccn_tool -i devid -link [-s up|down] [-g]\n'
              'hccn_tool -i devid -net_health -g\n'
              'hccn_tool -i devid -ping -g address %s\n'
              'hccn_tool -i devid -cfg recovery\n'
              'hccn_tool -a -cfg recovery\n')


def hccn_tool(args: List[str]) -> str:
    if args in (['-h'], ['--help']):
        return HCCN_USAGE
    if not args or args[0] not in ('-i', '-a'):
        raise ToolError(MSG_INVALID_TYPE)
    board, state = hardware(), load_json(state_path())
    net = load_json(net_path())
    present = devices(board)
    if args[0] == '-a':
        if args[1:] != ['-cfg', 'recovery']:
            raise ToolError(MSG_INVALID_CMD)
        targets, command = present, ['-cfg', 'recovery']
    else:
        if len(args) < 3:
            raise ToolError(MSG_INVALID_CMD)
        device_text, command = args[1], args[2:]
        if not device_text.isdigit() or len(device_text) > 2 or int(device_text) not in present:
            raise ToolError(MSG_INVALID_DEVICE)
        targets = [int(device_text)]
    applied_before = list(net.get('applied', []))
    warning = reconcile_addresses(board, state, net)
    output, changed = '', False
    try:
        for device in targets:
            text, device_changed = hccn_device_command(device, command, board, state, net)
            changed = changed or device_changed
            output += text
    finally:
        if changed:
            warning = reconcile_addresses(board, state, net)
            write_hccn_conf(net)
        if changed or net.get('applied', []) != applied_before:
            save_json(net_path(), net)
    if warning and changed:
        sys.stderr.write('hccn_tool (emulated): NPU addresses not applied to the node: %s\n' % warning)
    return MSG_DONE + '\n' if args[0] == '-a' else output


def main(argv: List[str]) -> int:
    tools = {'npu-smi': npu_smi, 'hccn_tool': hccn_tool}
    if not argv or argv[0] not in tools:
        sys.stderr.write('usage: ascend_emu.py npu-smi|hccn_tool ARGS\n')
        return 2
    try:
        sys.stdout.write(tools[argv[0]](argv[1:]))
    except ToolError as error:
        stream = sys.stderr if argv[0] == 'npu-smi' and str(error) == MSG_DCMI_INIT else sys.stdout
        stream.write(str(error) + '\n')
        return error.code
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
