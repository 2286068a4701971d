# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who holds a TCP port or runs as a pid, and in which container: parsers for Linux ``/proc``.

Private to the ascend_ops.vllm collection: the interface may change without notice.

The parsers are functions from text to data:

- ``/proc/net/tcp`` and ``/proc/net/tcp6`` -> sockets (``parse_tcp_table``) and the
  listening ones by socket inode (``listening_sockets``);
- the target of a ``/proc/<pid>/fd/N`` link -> a socket inode (``socket_inode``);
- ``/proc/<pid>/cgroup`` -> the container the process runs in (``container_ids``,
  ``container_id``), for cgroup v1 and v2, with Docker's cgroupfs (``/docker/<id>``) and
  systemd (``docker-<id>.scope``) drivers, containerd, CRI-O and Podman scopes.

``find_holders`` walks ``/proc`` through a reader object, so that the module passes one
reading the real ``/proc`` and tests pass captures. The reader has three methods, each
taking a path relative to the ``/proc`` root (``'net/tcp'``, ``'1234/fd'``) and raising
``OSError`` where the kernel would (a process that exited, a file that is not readable):
``read(path) -> str``, ``listdir(path) -> list of names``, ``readlink(path) -> str``.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

# st column of /proc/net/tcp: include/net/tcp_states.h, TCP_LISTEN = 10.
TCP_LISTEN = 0x0A
TCP_TABLES = ('net/tcp', 'net/tcp6')

_SOCKET_LINK = re.compile(r'^socket:\[(\d+)\]$')
# One component of a cgroup path that names a container: the bare id (Docker's cgroupfs
# driver, kubepods), or a systemd scope of Docker, Podman, containerd or CRI-O.
_CONTAINER_COMPONENT = re.compile(r'^(?:(?:docker|libpod|cri-containerd|crio)-)?(?P<id>[0-9a-f]{64})(?:\.scope)?$')


class ProcfsError(RuntimeError):
    """/proc does not answer what every Linux kernel answers (no TCP table at all)."""


def _decode_address(text: str) -> str:
    """``0100007F`` -> ``127.0.0.1``; 32 hex digits -> an IPv6 address.

    The kernel prints each 32-bit word of the address in host byte order; Atlas hosts
    (aarch64) and x86_64 are little-endian.
    """
    raw = bytes.fromhex(text)
    if len(raw) not in (4, 16):
        raise ValueError('not an IPv4 or IPv6 address: %r' % text)
    swapped = b''.join(raw[start:start + 4][::-1] for start in range(0, len(raw), 4))
    return str(ipaddress.ip_address(swapped))


def parse_tcp_table(text: str) -> List[Dict[str, Any]]:
    """Sockets of ``/proc/net/tcp`` or ``/proc/net/tcp6``.

    Each: ``{'address', 'port', 'state', 'inode'}``; ``state`` is the kernel's number
    (``TCP_LISTEN`` is 10), ``inode`` 0 for sockets no process holds (TIME_WAIT).
    Raises ValueError naming the line when a row is not a socket.
    """
    sockets = []  # type: List[Dict[str, Any]]
    for line_number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0] == 'sl':
            continue
        try:
            address, port = fields[1].rsplit(':', 1)
            sockets.append({
                'address': _decode_address(address),
                'port': int(port, 16),
                'state': int(fields[3], 16),
                'inode': int(fields[9]),
            })
        except (IndexError, ValueError):
            raise ValueError('line %d is not a socket ("sl local_address rem_address st ... inode"): %r'
                             % (line_number, line.strip()))
    return sockets


def listening_sockets(text: str, ports: Optional[Iterable[int]] = None) -> Dict[int, Dict[str, Any]]:
    """Listening sockets of a TCP table by inode, only those on ``ports`` when given."""
    wanted = None if ports is None else set(ports)
    return dict((entry['inode'], {'address': entry['address'], 'port': entry['port']})
                for entry in parse_tcp_table(text)
                if entry['state'] == TCP_LISTEN and entry['inode'] and (wanted is None or entry['port'] in wanted))


def socket_inode(link_target: str) -> Optional[int]:
    """``socket:[216837]`` (what a ``/proc/<pid>/fd/N`` link points to) -> 216837; None for other files."""
    match = _SOCKET_LINK.match(link_target.strip())
    return int(match.group(1)) if match else None


def container_ids(cgroup_text: str) -> List[str]:
    """Container ids in a ``/proc/<pid>/cgroup``, innermost first.

    Lines are ``hierarchy-id:controllers:path`` (one ``0::path`` line on cgroup v2). A
    container nested in another (a node that runs its own engine) shows both ids in one
    path; the line with the most ids wins, so the chain is complete. ``0::/`` (a
    process seen from inside its own cgroup namespace) names none.
    """
    best = []  # type: List[str]
    for line in cgroup_text.splitlines():
        parts = line.strip().split(':', 2)
        if len(parts) != 3:
            continue
        found = [match.group('id') for match in map(_CONTAINER_COMPONENT.match, parts[2].split('/')) if match]
        if len(found) > len(best):
            best = found
    return list(reversed(best))


def container_id(cgroup_text: str) -> str:
    """The container a process runs in (the innermost one), or ``''`` for none."""
    ids = container_ids(cgroup_text)
    return ids[0] if ids else ''


def container_names(containers: Sequence[Dict[str, Any]]) -> Dict[str, str]:
    """Container id -> name from container descriptions.

    Takes what ``community.docker.docker_host_info`` lists (``Id``, ``Names: ['/name']``)
    or ``docker_container_info`` returns (``Id``, ``Name: '/name'``). Raises ValueError
    naming an entry without an id.
    """
    names = {}  # type: Dict[str, str]
    for index, entry in enumerate(containers):
        ident = entry.get('Id') if isinstance(entry, dict) else None
        if not ident:
            raise ValueError('containers[%d] has no Id (expected an entry as community.docker.docker_host_info lists '
                             'containers): %r' % (index, entry))
        name_list = entry.get('Names') or [entry.get('Name') or '']
        names[str(ident)] = str(name_list[0]).lstrip('/')
    return names


def _known_container(ids: Sequence[str], names: Dict[str, str]) -> str:
    # Docker accepts a unique prefix of an id (the 12-digit short form); so does this.
    for ident in ids:
        for known, name in names.items():
            if ident == known or (len(known) >= 12 and ident.startswith(known)):
                return name or known
    return ''


def _process(reader: Any, pid: int, names: Dict[str, str]) -> Dict[str, Any]:
    try:
        name = reader.read('%d/comm' % pid).strip()
    except OSError:
        return {'pid': pid, 'running': False, 'name': '', 'container_id': '', 'container': ''}
    try:
        ids = container_ids(reader.read('%d/cgroup' % pid))
    except OSError:
        ids = []
    return {'pid': pid, 'running': True, 'name': name, 'container_id': ids[0] if ids else '',
            'container': _known_container(ids, names)}


def _listening(reader: Any, ports: Iterable[int]) -> Dict[int, Dict[str, Any]]:
    wanted = set(ports)
    sockets = {}  # type: Dict[int, Dict[str, Any]]
    readable = 0
    for table in TCP_TABLES:
        try:
            text = reader.read(table)
        except OSError:
            continue  # no tcp6 on a kernel without IPv6
        readable += 1
        try:
            sockets.update(listening_sockets(text, wanted))
        except ValueError as error:
            raise ProcfsError('/proc/%s: %s' % (table, error))
    if not readable:
        raise ProcfsError('neither /proc/net/tcp nor /proc/net/tcp6 can be read: the listening ports are unknown')
    return sockets


def _socket_holders(reader: Any, inodes: Iterable[int]) -> Dict[int, List[Tuple[int, int]]]:
    """pid -> [(fd, inode)] for every process holding one of the sockets."""
    wanted = set(inodes)
    holders = {}  # type: Dict[int, List[Tuple[int, int]]]
    try:
        entries = reader.listdir('')
    except OSError as error:
        raise ProcfsError('the processes cannot be listed: %s' % error)
    for entry in entries:
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            fds = reader.listdir('%d/fd' % pid)
        except OSError:
            continue  # exited, or not ours to look at
        for fd in fds:
            try:
                inode = socket_inode(reader.readlink('%d/fd/%s' % (pid, fd)))
            except OSError:
                continue
            if inode in wanted:
                holders.setdefault(pid, []).append((int(fd), inode))
    return holders


def find_holders(reader: Any, ports: Sequence[int] = (), pids: Sequence[int] = (),
                 containers: Sequence[Dict[str, Any]] = ()) -> Dict[str, Any]:
    """Who listens on ``ports`` and what runs as ``pids``, named by ``containers``.

    Returns:

    - ``listeners``: one entry per port and process, ``{'port', 'pid', 'name',
      'container_id', 'container', 'addresses'}``, sorted by port and pid; ``container``
      is the name of the given container the process runs in, ``''`` when none of them;
    - ``unowned_ports``: ports something listens on whose holder is not visible here
      (a process in another pid namespace, or a socket the kernel itself holds);
    - ``processes``: one entry per element of ``pids``, in the same order,
      ``{'pid', 'running', 'name', 'container_id', 'container'}``.

    Only the network namespace of the reader is seen, which is the one containers
    started with ``--net=host`` share.
    """
    names = container_names(containers)
    result = {'listeners': [], 'unowned_ports': [], 'processes': []}  # type: Dict[str, Any]
    sockets = _listening(reader, ports) if ports else {}
    if sockets:
        held = set()
        by_key = {}  # type: Dict[Tuple[int, int], Dict[str, Any]]
        for pid, fds in sorted(_socket_holders(reader, sockets).items()):
            process = _process(reader, pid, names)
            for _fd, inode in fds:
                held.add(inode)
                socket = sockets[inode]
                entry = by_key.setdefault((socket['port'], pid), {
                    'port': socket['port'], 'pid': pid, 'name': process['name'],
                    'container_id': process['container_id'], 'container': process['container'], 'addresses': []})
                if socket['address'] not in entry['addresses']:
                    entry['addresses'].append(socket['address'])
        result['listeners'] = [dict(entry, addresses=sorted(entry['addresses'])) for _key, entry in sorted(by_key.items())]
        result['unowned_ports'] = sorted(set(socket['port'] for inode, socket in sockets.items() if inode not in held))
    result['processes'] = [_process(reader, int(pid), names) for pid in pids]
    return result
