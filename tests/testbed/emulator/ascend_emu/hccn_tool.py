"""``hccn_tool -i N ...`` and ``hccn_tool -a -cfg recovery``, with the real tool's messages."""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from typing import Any, Dict, List, Tuple

from .board import devices, hardware, npu_state
from .errors import ToolError
from .net import link_is_up, net_settings, prefix_of, read_hccn_conf, reconcile_addresses, write_hccn_conf
from .paths import load_json, net_path, save_json, state_path

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


def run(args: List[str]) -> str:
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
