# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsers for Huawei's ``hccn_tool`` output and ``/etc/hccn.conf``, and the NPU network check.

Private to the ascend_ops.vllm collection: the interface may change without notice.

The parsers are functions from text to data. ``HccnChecker`` runs hccn_tool through a
command runner (``argv -> (rc, stdout, stderr)``) so that modules and tests can drive it.
An NPU id is the device index N of ``/dev/davinciN`` and ``hccn_tool -i N``.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

CHECKS = ('link', 'net_health', 'netdetect', 'gateway', 'ip', 'lldp', 'hccn_conf')

# Messages hccn_tool prints (from its source) that are answers, not tool failures.
MSG_NO_IP = 'Get ipconf failed, because no ip was preset there!'
MSG_NO_GATEWAY = 'Get gateway failed, because no gateway was preset there!'
MSG_NOT_PRESET = 'The confuguraion does not exist! Please preset firstly!'  # sic, as hccn_tool spells it
MSG_LINK_DOWN = 'Execute failed: Link status is down.'
MSG_INVALID_DEVICE = 'Get invalid device id.'

_IPV4 = r'\d{1,3}(?:\.\d{1,3}){3}'
_LINK = re.compile(r'link status:\s*(\S+)', re.IGNORECASE)
_NET_HEALTH = re.compile(r'net health status:\s*(.+?)\s*$', re.IGNORECASE | re.MULTILINE)
_NETDETECT = re.compile(r'netdetect address:\s*(' + _IPV4 + r')?', re.IGNORECASE)
_GATEWAY = re.compile(r'default gateway:\s*(' + _IPV4 + r')\s*(?:,\s*Iface:\s*(\S+))?', re.IGNORECASE)
_IPADDR = re.compile(r'^\s*ipaddr:\s*(' + _IPV4 + r')\s*$', re.MULTILINE)
_NETMASK = re.compile(r'^\s*netmask:\s*(' + _IPV4 + r')\s*$', re.MULTILINE)
_PING_HEAD = re.compile(r'device\s+(\d+)\s+PING\s+(\S+)')
_PING_REPLY = re.compile(r'recv seq=(\d+),\s*time=([\d.]+)\s*ms')
_PING_SUMMARY = re.compile(r'(\d+)\s+packets transmitted,\s*(\d+)\s+received,\s*([\d.]+)%\s+packet loss')
_DAVINCI = re.compile(r'^davinci(\d+)$')
_CONF_LINE = re.compile(r'^\s*(?P<key>[A-Za-z][A-Za-z0-9_]*?)_(?P<npu>\d+)\s*=\s*(?P<value>.*?)\s*$')

CommandRunner = Callable[[List[str]], Tuple[int, str, str]]


class HccnParseError(ValueError):
    """The text does not look like the output of the hccn_tool command it is said to come from."""


class HccnCommandError(RuntimeError):
    """hccn_tool failed in a way that is not an answer about the NPU (missing device, bad arguments)."""


def _shorten(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 200 else text[:200] + '...'


def parse_link_status(text: str) -> str:
    """``hccn_tool -i N -link -g`` -> ``'UP'`` or ``'DOWN'``."""
    match = _LINK.search(text)
    if not match:
        raise HccnParseError('hccn_tool -link -g: no "link status:" line in %r' % _shorten(text))
    return match.group(1).upper()


def parse_net_health(text: str) -> str:
    """``hccn_tool -i N -net_health -g`` -> ``'Success'``, ``'Fault'``, ``'Init'``, ``'Receive timeout'``, ..."""
    match = _NET_HEALTH.search(text)
    if not match:
        raise HccnParseError('hccn_tool -net_health -g: no "net health status:" line in %r' % _shorten(text))
    return match.group(1)


def _not_preset(text: str) -> bool:
    return 'was preset there' in text or MSG_NOT_PRESET in text


def parse_netdetect(text: str) -> Optional[str]:
    """``hccn_tool -i N -netdetect -g`` -> the detect address, or None when none is configured."""
    match = _NETDETECT.search(text)
    if match:
        return match.group(1)
    if _not_preset(text):
        return None
    raise HccnParseError('hccn_tool -netdetect -g: no "netdetect address:" line in %r' % _shorten(text))


def parse_gateway(text: str) -> Optional[Dict[str, Optional[str]]]:
    """``hccn_tool -i N -gateway -g`` -> ``{'address', 'iface'}``, or None when none is configured."""
    match = _GATEWAY.search(text)
    if match:
        return {'address': match.group(1), 'iface': match.group(2)}
    if _not_preset(text):
        return None
    raise HccnParseError('hccn_tool -gateway -g: no "default gateway:" line in %r' % _shorten(text))


def parse_ip(text: str) -> Optional[Dict[str, str]]:
    """``hccn_tool -i N -ip -g`` -> ``{'address', 'netmask'}``, or None when no address is configured."""
    address, netmask = _IPADDR.search(text), _NETMASK.search(text)
    if address and netmask:
        return {'address': address.group(1), 'netmask': netmask.group(1)}
    if _not_preset(text):
        return None
    raise HccnParseError('hccn_tool -ip -g: expected "ipaddr:" and "netmask:" lines in %r' % _shorten(text))


def parse_lldp(text: str) -> Dict[str, Any]:
    """``hccn_tool -i N -lldp -g`` (lldptool's layout) -> the neighbour switch port and system.

    Returns ``port_ifname`` (the switch port, e.g. ``400GE1/1/20:2``), ``port_id``,
    ``chassis_id``, ``system_name``, ``system_description``, ``ttl``,
    ``management_address``, ``max_frame_size`` (each None when absent) and ``tlvs``
    (every TLV heading with its lines).
    """
    tlvs = {}  # type: Dict[str, List[str]]
    current = None  # type: Optional[str]
    for line in text.splitlines():
        if not line.strip() or line.strip() == '...':
            continue
        if not line[0].isspace() and line.rstrip().endswith(' TLV'):
            current = line.strip()[:-len(' TLV')]
            tlvs.setdefault(current, [])
        elif current is not None:
            tlvs[current].append(line.strip())
    if 'Port ID' not in tlvs and 'Chassis ID' not in tlvs:
        raise HccnParseError('hccn_tool -lldp -g: no "Chassis ID TLV" or "Port ID TLV" section in %r' % _shorten(text))

    def first(name: str) -> Optional[str]:
        lines = tlvs.get(name) or []
        return lines[0] if lines else None

    def after_colon(value: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        return value.split(':', 1)[1].strip() if ':' in value else value

    port_id = first('Port ID')
    description = tlvs.get('System Description')
    management = first('Management Address')
    max_frame = first('Maximum Frame Size')
    ttl = first('Time to Live')
    return {
        'port_id': port_id,
        'port_ifname': after_colon(port_id) if port_id and port_id.startswith('Ifname:') else None,
        'chassis_id': after_colon(first('Chassis ID')),
        'system_name': first('System Name'),
        'system_description': ' '.join(description) if description else None,
        'ttl': int(ttl) if ttl and ttl.isdigit() else None,
        'management_address': after_colon(management),
        'max_frame_size': int(max_frame) if max_frame and max_frame.isdigit() else None,
        'tlvs': tlvs,
    }


def parse_ping(text: str) -> Dict[str, Any]:
    """``hccn_tool -i N -ping -g address X`` -> ``{'device', 'target', 'transmitted', 'received',
    'loss_percent', 'replies': [{'seq', 'time_ms'}]}``."""
    summary = _PING_SUMMARY.search(text)
    if not summary:
        raise HccnParseError('hccn_tool -ping: no "N packets transmitted, N received, N%% packet loss" line in %r'
                             % _shorten(text))
    head = _PING_HEAD.search(text)
    return {
        'device': int(head.group(1)) if head else None,
        'target': head.group(2) if head else None,
        'transmitted': int(summary.group(1)),
        'received': int(summary.group(2)),
        'loss_percent': float(summary.group(3)),
        'replies': [{'seq': int(seq), 'time_ms': float(time_ms)} for seq, time_ms in _PING_REPLY.findall(text)],
    }


def parse_hccn_conf(text: str) -> Dict[int, Dict[str, str]]:
    """``/etc/hccn.conf`` (``address_0=...``) -> ``{0: {'address': ..., 'netmask': ...}, ...}``.

    Blank lines and ``#`` comments are skipped; any other line that is not ``key_N=value``
    raises HccnParseError, because hccn_tool itself refuses such a file.
    """
    conf = {}  # type: Dict[int, Dict[str, str]]
    for line_number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        match = _CONF_LINE.match(line)
        if not match:
            raise HccnParseError('hccn.conf line %d is not "<key>_<npu>=<value>": %r' % (line_number, line.strip()))
        conf.setdefault(int(match.group('npu')), {})[match.group('key')] = match.group('value')
    return conf


def present_npu_ids(dev_dir: str = '/dev') -> List[int]:
    """NPU ids of the ``davinciN`` device nodes in ``dev_dir``, sorted."""
    try:
        names = os.listdir(dev_dir)
    except OSError:
        return []
    return sorted(int(match.group(1)) for match in (_DAVINCI.match(name) for name in names) if match)


def normalise_ping_targets(targets: Any, npu_ids: Sequence[int]) -> Dict[int, List[str]]:
    """``ping_targets`` as given (a list for every NPU, or a mapping NPU id -> list) -> NPU id -> list."""
    if targets is None:
        return dict((npu, []) for npu in npu_ids)
    if isinstance(targets, (list, tuple)):
        addresses = [str(target) for target in targets]
        return dict((npu, list(addresses)) for npu in npu_ids)
    if isinstance(targets, dict):
        mapping = {}  # type: Dict[int, List[str]]
        for key, value in targets.items():
            if not str(key).strip().isdigit():
                raise ValueError('ping_targets: keys are NPU ids, got %r' % (key,))
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, (list, tuple)):
                raise ValueError('ping_targets[%s]: expected a list of addresses, got %r' % (key, value))
            mapping[int(str(key).strip())] = [str(target) for target in value]
        unknown = sorted(set(mapping) - set(npu_ids))
        if unknown:
            raise ValueError('ping_targets names NPUs that are not checked: %s (checked: %s)'
                             % (', '.join(str(n) for n in unknown), ', '.join(str(n) for n in npu_ids)))
        return dict((npu, mapping.get(npu, [])) for npu in npu_ids)
    raise ValueError('ping_targets: expected a list of addresses or a mapping of NPU id to addresses, got %r' % (targets,))


def _problem(npu: int, check: str, seen: Any, expected: str) -> Dict[str, Any]:
    return {'npu': npu, 'check': check, 'seen': seen, 'expected': expected,
            'message': 'NPU %d %s: saw %s, expected %s' % (npu, check, seen, expected)}


def npu_problems(result: Dict[str, Any], conf: Optional[Dict[int, Dict[str, str]]], checks: Sequence[str]) -> List[Dict[str, Any]]:
    """What is wrong with one NPU's results, as a list of problems naming NPU, check, seen and expected."""
    npu = result['id']
    problems = []  # type: List[Dict[str, Any]]
    if 'link' in checks and result.get('link') != 'UP':
        problems.append(_problem(npu, 'link', result.get('link'), 'link status UP'))
    if 'net_health' in checks and result.get('net_health') != 'Success':
        problems.append(_problem(npu, 'net_health', result.get('net_health'), 'net health status Success'))
    if 'netdetect' in checks and not result.get('netdetect'):
        problems.append(_problem(npu, 'netdetect', 'no detect address', 'a netdetect address'))
    if 'gateway' in checks and not result.get('gateway'):
        problems.append(_problem(npu, 'gateway', 'no gateway', 'a default gateway'))
    if 'ip' in checks and not result.get('ip'):
        problems.append(_problem(npu, 'ip', 'no address', 'an ipaddr and netmask'))
    if 'lldp' in checks and not (result.get('lldp') or {}).get('port_id'):
        problems.append(_problem(npu, 'lldp', result.get('lldp_error') or 'no neighbour port', 'a switch port (Ifname)'))
    if 'hccn_conf' in checks:
        problems.extend(_conf_problems(npu, result.get('ip'), conf))
    for ping in result.get('ping', []):
        if not ping.get('received') or ping.get('received') != ping.get('transmitted'):
            seen = ping.get('error') or '%s of %s replies' % (ping.get('received'), ping.get('transmitted'))
            problems.append(_problem(npu, 'ping', '%s from %s' % (seen, ping['target']), 'every packet answered'))
    return problems


def _conf_problems(npu: int, ip: Optional[Dict[str, str]], conf: Optional[Dict[int, Dict[str, str]]]) -> List[Dict[str, Any]]:
    if conf is None:
        return [_problem(npu, 'hccn_conf', 'no hccn.conf', 'address_%d in hccn.conf' % npu)]
    entry = conf.get(npu, {})
    if 'address' not in entry:
        return [_problem(npu, 'hccn_conf', 'no address_%d' % npu, 'address_%d in hccn.conf' % npu)]
    if ip and entry['address'] != ip['address']:
        return [_problem(npu, 'hccn_conf', 'address_%d=%s while the NPU has %s' % (npu, entry['address'], ip['address']),
                         'the configured address to match the NPU')]
    return []


class HccnChecker(object):
    """Runs hccn_tool for some NPUs and judges the answers.

    ``runner(argv) -> (rc, stdout, stderr)``; it must be safe to call from several
    threads when ``ping_concurrency`` > 1 (AnsibleModule.run_command is).
    """

    def __init__(self, runner: CommandRunner, hccn_tool: str, ping_concurrency: int = 4) -> None:
        self.runner = runner
        self.hccn_tool = hccn_tool
        self.ping_concurrency = max(1, ping_concurrency)

    def _query(self, npu: int, *args: str) -> Tuple[int, str]:
        argv = [self.hccn_tool, '-i', str(npu)] + list(args)
        rc, out, err = self.runner(argv)
        text = '\n'.join(part for part in (out, err) if part)
        if MSG_INVALID_DEVICE in text:
            raise HccnCommandError('%s: NPU %d does not exist on this node (%s)' % (' '.join(argv), npu, text.strip()))
        return rc, text

    def _answer(self, npu: int, parser: Callable[[str], Any], *args: str) -> Any:
        rc, text = self._query(npu, *args)
        try:
            return parser(text)
        except HccnParseError:
            if rc != 0:
                raise HccnCommandError('hccn_tool -i %d %s failed (rc=%d): %s' % (npu, ' '.join(args), rc, _shorten(text)))
            raise

    def check_npu(self, npu: int, checks: Sequence[str]) -> Dict[str, Any]:
        result = {'id': npu}  # type: Dict[str, Any]
        if 'link' in checks:
            result['link'] = self._answer(npu, parse_link_status, '-link', '-g')
        if 'net_health' in checks:
            result['net_health'] = self._answer(npu, parse_net_health, '-net_health', '-g')
        if 'netdetect' in checks:
            result['netdetect'] = self._answer(npu, parse_netdetect, '-netdetect', '-g')
        if 'gateway' in checks:
            result['gateway'] = self._answer(npu, parse_gateway, '-gateway', '-g')
        if 'ip' in checks or 'hccn_conf' in checks:
            result['ip'] = self._answer(npu, parse_ip, '-ip', '-g')
        if 'lldp' in checks:
            rc, text = self._query(npu, '-lldp', '-g')
            if MSG_LINK_DOWN in text:
                result['lldp'], result['lldp_error'] = None, MSG_LINK_DOWN
            else:
                try:
                    result['lldp'] = parse_lldp(text)
                except HccnParseError:
                    if rc == 0:
                        raise
                    result['lldp'], result['lldp_error'] = None, _shorten(text)
        return result

    def ping(self, npu: int, target: str) -> Dict[str, Any]:
        rc, text = self._query(npu, '-ping', '-g', 'address', target)
        try:
            answer = parse_ping(text)
        except HccnParseError:
            if rc == 0:
                raise
            # hccn_tool refuses to ping (link down, no address): an answer about the NPU, not a tool failure.
            return {'target': target, 'transmitted': 0, 'received': 0, 'loss_percent': 100.0, 'replies': [],
                    'error': _shorten(text)}
        answer['target'] = target
        return answer

    def run(self, npus: Sequence[int], checks: Sequence[str], ping_targets: Dict[int, List[str]],
            conf: Optional[Dict[int, Dict[str, str]]]) -> Dict[str, Any]:
        """Check every NPU, ping every target, and return ``{'npus', 'problems', 'healthy'}``."""
        results = [self.check_npu(npu, checks) for npu in npus]
        pairs = [(npu, target) for npu in npus for target in ping_targets.get(npu, [])]
        if self.ping_concurrency > 1 and len(pairs) > 1:
            with ThreadPoolExecutor(max_workers=min(self.ping_concurrency, len(pairs))) as pool:
                answers = list(pool.map(lambda pair: self.ping(*pair), pairs))
        else:
            answers = [self.ping(npu, target) for npu, target in pairs]
        by_npu = dict((result['id'], result) for result in results)
        for result in results:
            result['ping'] = []
        for (npu, _target), answer in zip(pairs, answers):
            by_npu[npu]['ping'].append(answer)
        problems = []  # type: List[Dict[str, Any]]
        for result in results:
            if conf is not None and 'hccn_conf' in checks:
                result['hccn_conf'] = conf.get(result['id'], {})
            problems.extend(npu_problems(result, conf, checks))
        return {'npus': results, 'problems': problems, 'healthy': not problems}
