"""The NPUs' network settings (npu-net.json, /etc/hccn.conf) and their addresses on the node NIC."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess
from typing import Any, Dict, Optional

from .board import devices, npu_state
from .paths import hardware_path, hccn_conf_path


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
