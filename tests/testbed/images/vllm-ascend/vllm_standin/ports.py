# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ports a vllm-ascend server holds on the host network, bound the way the real pieces bind them.

- API port: vLLM binds it before the engine starts, with SO_REUSEADDR and SO_REUSEPORT, and listens
  only once the server is up (so the port refuses connections while loading). With SO_REUSEPORT two
  vLLM servers of the same user may share a port; any other holder makes the bind fail.
- HCCL: each rank listens on HCCL_IF_BASE_PORT (default 60000) + its local rank, without port
  sharing; a taken port fails the whole start (EI0019, "bound already").
- vLLM's internal ports (torch.distributed store, ZMQ): from VLLM_PORT upward, skipping taken ones;
  without VLLM_PORT the kernel picks free ports.
- Gloo (torch's CPU process groups, used by every server with more than one rank): with
  GLOO_SOCKET_IFNAME it binds the IPv4 address of that interface; a name without one fails the start.
"""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import socket
import struct
import time
from typing import Callable, List, Optional

HCCL_DEFAULT_BASE_PORT = 60000


class HcclBindError(RuntimeError):
    """A rank could not listen on its HCCL port."""


def _family(host: str) -> int:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        return socket.AF_INET


def bind_api_socket(host: Optional[str], port: int) -> socket.socket:
    address = host or ""
    sock = socket.socket(_family(address), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((address, port))
    except OSError:
        sock.close()
        raise
    return sock


def _listen_plain(host: str, port: int) -> socket.socket:
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.bind((host, port))
        sock.listen(16)
    except OSError:
        sock.close()
        raise
    return sock


def hccl_bind_failure(host: str, port: int, rank: int) -> str:
    """HCCL's report of a taken listen port, as torch_npu surfaces it."""
    stamp = time.strftime("%Y-%m-%d-%H:%M:%S")
    return (
        "[rank%d]: RuntimeError: createHCCLComm:torch_npu/csrc/distributed/ProcessGroupHCCL.cpp HCCL function error: "
        "HcclGetRootInfo(&hcclID), error code is 11\n"
        "[rank%d]: [ERROR] %s (Device:%d, RankID:-1) ERR02200 DIST call hccl api failed.\n"
        "[rank%d]: EI0019: %s Communication_Error_Bind_IP_Port(EI0019): Failed to bind the IP port. "
        "Reason: The IP address and port have been bound already.\n"
        "[rank%d]:         Solution: Check whether the port %d on %s is used by another process, "
        "or move this job's ports with HCCL_IF_BASE_PORT.\n"
        "[rank%d]:         TraceBack (most recent call last):\n"
        "[rank%d]:         host nic listen start failed, ip[%s] port[%d], return[11][FUNC:StartListenSocket]"
        % (rank, rank, stamp, rank, rank, stamp, rank, port, host, rank, rank, host, port)
    )


def bind_hccl_ports(host: str, base_port: int, ranks: int) -> List[socket.socket]:
    held: List[socket.socket] = []
    for rank in range(ranks):
        port = base_port + rank
        try:
            held.append(_listen_plain(host, port))
        except OSError as exc:
            for sock in held:
                sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise HcclBindError(hccl_bind_failure(host, port, rank)) from exc
            raise HcclBindError(
                "[rank%d]: RuntimeError: createHCCLComm: HCCL function error: HcclGetRootInfo(&hcclID), error code is 11\n"
                "[rank%d]: host nic listen start failed, ip[%s] port[%d]: %s (is HCCL_IF_IP an address of this host?)"
                % (rank, rank, host, port, exc.strerror or exc)
            ) from exc
    return held


def bind_internal_ports(first_port: Optional[int], count: int, on_taken: Callable[[int, int], None]) -> List[socket.socket]:
    """``count`` listening ports from VLLM_PORT upward (taken ones are skipped, as vLLM's get_open_port does)."""
    held: List[socket.socket] = []
    port = first_port
    while len(held) < count:
        if port is None:
            held.append(_listen_plain("", 0))
            continue
        if port > 65535:
            raise OSError("no free port at or above VLLM_PORT=%d" % first_port)
        try:
            held.append(_listen_plain("", port))
        except OSError:
            on_taken(port, port + 1)
        port += 1
    return held


def port_of(sock: socket.socket) -> int:
    return sock.getsockname()[1]


_SIOCGIFADDR = 0x8915


def interface_ipv4(name: str) -> Optional[str]:
    """The IPv4 address of interface ``name`` (None: no such interface, or none on it), as gloo looks it up."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, struct.pack("256s", name[:15].encode()))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


def gloo_interface_error(name: str) -> Optional[str]:
    """What torch's gloo transport says when GLOO_SOCKET_IFNAME names no usable interface (None: it is usable)."""
    if interface_ipv4(name) is not None:
        return None
    return (
        "RuntimeError: [enforce fail at /pytorch/third_party/gloo/gloo/transport/tcp/device.cc:84] ifa != nullptr. "
        "Unable to find address for: %s" % name
    )
