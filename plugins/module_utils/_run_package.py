# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei's driver and firmware ``.run`` packages: the ``version.info`` they carry, and whether a pair works together.

Private to the collection. One parser for both places that read a package:
the ``validate_inventory`` action on the controller and the ``run_package_info``
module on the node. :func:`read_version_info` reads from a stream its caller
opened; everything else is pure.

A package is a makeself archive: a shell header, then a tar archive. Its
``version.info`` holds ``key=value`` lines; the driver's states the firmware it
works with (``compatible_version_fw=[7.0.0,7.7.99]``), the firmware's the
drivers (``compatible_version_drv=[25.0,25.0.]``).
"""

from __future__ import annotations

import re
import tarfile
from typing import IO, Any, Dict, List, Mapping, Optional, Sequence, Tuple

VersionRange = Tuple[str, str]

# A makeself header is a few hundred lines; Huawei's are under 64 KiB.
HEADER_BYTES = 1024 * 1024
VERSION_INFO = 'version.info'

# Huawei's driver version.info states the firmware it works with. When the
# driver package cannot be read, the ranges of the releases below are used
# (the driver this collection installs by default); other releases are
# checked only from their package.
KNOWN_FIRMWARE_RANGES = {
    '25.0.rc1.1': [('7.0.0', '7.7.99')],
}  # type: Dict[str, List[VersionRange]]

_RANGE = re.compile(r'\[\s*([^\],\s]+)\s*,\s*([^\]\s]+)\s*\]')


class RunPackageError(ValueError):
    """The file is no makeself package, or its archive cannot be read."""


def version_key(version: str) -> Tuple[Tuple[int, Any], ...]:
    """Sort key of a Huawei version (25.0.rc1.1, 7.7.0.1.231): numbers numerically, words after numbers."""
    parts = [part for part in str(version).split('.') if part != '']
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts)


def in_version_range(version: str, low: str, high: str) -> bool:
    """Whether ``version`` is within ``[low, high]``, each bound compared on as many parts as it has.

    Huawei writes ranges such as ``[7.0.0,7.7.99]`` for firmware 7.7.0.1.231
    and ``[25.0,25.0.]`` for every driver of the 25.0 line.
    """
    key = version_key(version)
    low_key, high_key = version_key(low), version_key(high)
    return key[:len(low_key)] >= low_key and key[:len(high_key)] <= high_key


def outside_ranges(version: str, ranges: Sequence[VersionRange]) -> bool:
    """Whether a version is given, ranges are known, and the version is in none of them."""
    return bool(version) and bool(ranges) and not any(in_version_range(version, low, high) for low, high in ranges)


def show_ranges(ranges: Sequence[VersionRange]) -> str:
    """``[7.0.0, 7.7.99]``, several joined with commas."""
    return ', '.join('[%s, %s]' % (low, high) for low, high in ranges)


def parse_version_info(text: str) -> Dict[str, str]:
    """``key=value`` lines of a driver's or firmware's ``version.info``."""
    info = {}
    for line in text.splitlines():
        if '=' in line and not line.lstrip().startswith('#'):
            key, value = line.split('=', 1)
            info[key.strip()] = value.strip()
    return info


def version_ranges(text: str) -> List[VersionRange]:
    """``[7.0.0,7.7.99]`` (or several such, comma-separated) as a list of (low, high)."""
    return list(_RANGE.findall(text or ''))


def makeself_payload_offset(header: bytes) -> int:
    """Byte offset of the archive in a makeself ``.run`` package, from its shell header.

    The header says how many lines it has: ``skip="713"`` (makeself 2.4 and
    later) or ``offset=`head -n 532 "$1" | wc -c``` (older releases).
    """
    text = header.decode('latin-1')
    match = re.search(r'^skip="?([0-9]+)"?\s*$', text, re.M) or re.search(r'head -n "?([0-9]+)"? "?\$[01]', text)
    if match is None:
        raise RunPackageError('not a makeself package: its header names no line count (skip= or head -n N)')
    lines = int(match.group(1))
    position = 0
    try:
        for dummy in range(lines):
            position = header.index(b'\n', position) + 1
    except ValueError:
        raise RunPackageError('not a makeself package: its header is shorter than the %d lines it names' % lines)
    return position


def version_info_depth(name: str) -> Optional[int]:
    """1 for ``./version.info``, 2 for ``driver/version.info``; None for any other archive member.

    Packages put version.info at the top of their archive or in the component's
    directory; deeper ones belong to parts of the component.
    """
    while name.startswith('./'):
        name = name[2:]
    parts = [part for part in name.split('/') if part]
    if parts and parts[-1] == VERSION_INFO and len(parts) <= 2:
        return len(parts)
    return None


def read_version_info(stream: IO[bytes]) -> Optional[Dict[str, str]]:
    """The ``version.info`` of the makeself package open in ``stream`` (seekable, binary), None when it has none.

    Stops at the first ``version.info`` at the top of the archive or one
    directory down, so a package whose file comes first is not read to its end.
    """
    offset = makeself_payload_offset(stream.read(HEADER_BYTES))
    stream.seek(offset)
    try:
        with tarfile.open(fileobj=stream, mode='r|*') as archive:
            for member in archive:
                if member.isfile() and version_info_depth(member.name) is not None:
                    extracted = archive.extractfile(member)
                    if extracted is not None:
                        return parse_version_info(extracted.read().decode('utf-8', 'replace'))
    except (tarfile.TarError, EOFError, OSError) as error:
        raise RunPackageError('its archive cannot be read: %s' % error)
    return None


# ---------------------------------------------------------------- the verdict


def firmware_ranges_of(driver: str, info: Optional[Mapping[str, str]], source: str) -> Tuple[List[VersionRange], str]:
    """The firmware ranges a driver's version.info states, else the collection's known ones; and where they come from."""
    if info and info.get('compatible_version_fw'):
        return version_ranges(info['compatible_version_fw']), 'compatible_version_fw of %s' % source
    if driver in KNOWN_FIRMWARE_RANGES:
        return list(KNOWN_FIRMWARE_RANGES[driver]), "compatible_version_fw of driver %s's version.info" % driver
    return [], ''


def firmware_outside_message(driver: str, firmware: str, ranges: Sequence[VersionRange], origin: str,
                             other: str = 'a driver') -> Tuple[str, str]:
    """(what is wrong, an accepted value) for a firmware the driver does not work with; ``other`` names the way out."""
    shown = show_ranges(ranges)
    return ('firmware %s is outside %s, the firmware driver %s works with (%s)' % (firmware, shown, driver, origin),
            'a firmware version within %s, or %s whose compatible_version_fw includes %s' % (shown, other, firmware))


def driver_outside_message(driver: str, firmware: str, ranges: Sequence[VersionRange], origin: str,
                           other: str = 'a firmware') -> Tuple[str, str]:
    """(what is wrong, an accepted value) for a driver the firmware does not work with; ``other`` names the way out."""
    shown = show_ranges(ranges)
    return ('driver %s is outside %s, the drivers firmware %s works with (%s)' % (driver, shown, firmware, origin),
            'a driver version within %s, or %s whose compatible_version_drv includes %s' % (shown, other, driver))


def pair_problems(host: str, driver: str, firmware: str, packages: Mapping[str, Mapping[str, Any]],
                  installed: Optional[Mapping[str, str]] = None) -> List[str]:
    """Why ``driver`` and ``firmware`` do not work together on ``host``, one message per range broken; [] when they do.

    ``packages``: component (``driver``, ``firmware``) -> what the
    ``run_package_info`` module read from the package about to be installed
    (``path``, ``exists``, ``version_info``). A component without a package
    there is judged by the installed one's version.info text in ``installed``
    (component -> text), which is what stays on the node. A package that is not
    on the node yet (check mode) is unknown; then only the collection's known
    ranges apply. ``firmware`` is empty when the firmware is not managed.
    """
    if not driver or not firmware:
        return []
    read = {}  # type: Dict[str, Tuple[Optional[Mapping[str, str]], str]]
    for component in ('driver', 'firmware'):
        package = packages.get(component)
        if package is not None:
            info = package.get('version_info') if package.get('exists', True) else None
            read[component] = (info or None, str(package.get('path') or 'the %s package' % component))
        elif installed and installed.get(component):
            read[component] = (parse_version_info(installed[component]), "the installed %s's version.info" % component)
        else:
            read[component] = (None, '')
    found = []
    ranges, origin = firmware_ranges_of(driver, read['driver'][0], read['driver'][1])
    if outside_ranges(firmware, ranges):
        what, accepted = firmware_outside_message(driver, firmware, ranges, origin, 'an npu_driver_version')
        found.append('%s: npu_driver_firmware_version: %s; accepted: %s' % (host, what, accepted))
    firmware_info = read['firmware'][0] or {}
    driver_ranges = version_ranges(firmware_info.get('compatible_version_drv', ''))
    if outside_ranges(driver, driver_ranges):
        what, accepted = driver_outside_message(driver, firmware, driver_ranges,
                                                'compatible_version_drv of %s' % read['firmware'][1],
                                                'an npu_driver_firmware_version')
        found.append('%s: npu_driver_version: %s; accepted: %s' % (host, what, accepted))
    return found
