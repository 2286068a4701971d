"""Where the emulator finds the node's files, and reading and writing them.

Every location has its ``ASCEND_EMULATOR_*`` override and ``ASCEND_EMULATOR_ROOT`` prefixes them all
(the tests run a whole node in a scratch directory).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, Optional

# The directory holding this package: the driver's lib64/emulator/ on a node, which serving
# containers see through their lib64/ mount.
LIB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
