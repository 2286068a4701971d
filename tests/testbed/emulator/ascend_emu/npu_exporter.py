"""``npu-exporter -ip=ADDRESS -port=PORT``: MindCluster's NPU exporter, its /metrics from the emulated board.

The metric names and labels are the real exporter's (ascend-facts.md); the values are what ``npu-smi info``
shows for the same board and state.json (health, HBM, temperature, AI core use, power), read afresh on
every scrape, so marking an NPU unhealthy in state.json shows at the next scrape. Go's flag syntax:
``-ip=X``, ``-ip X``, ``--ip=X``.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Tuple

from .board import hardware
from .errors import ToolError
from .holders import processes
from .npu_smi import MSG_DCMI_INIT, Chip, chips
from .paths import dev_dir, load_json, state_path

# Flags of the real exporter that take a value; the emulation uses ip and port only.
FLAGS = ('ip', 'port', 'updateTime', 'containerMode', 'containerd', 'endpoint', 'logFile', 'logLevel', 'concurrency',
         'limitIPReq', 'limitIPConn', 'limitTotalConn', 'cacheSize', 'platform')
# npu-smi's health words and the exporter's value: 1 healthy, 0 not.
HEALTHY = 'OK'
CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

_GAUGES = (
    ('npu_chip_info_health_status', 'the npu health status, 1 healthy, 0 unhealthy', lambda chip: 1 if chip.health == HEALTHY else 0),
    ('npu_chip_info_hbm_used_memory', 'the npu hbm used memory (MB)', lambda chip: chip.hbm_used),
    ('npu_chip_info_hbm_total_memory', 'the npu hbm total memory (MB)', lambda chip: chip.hbm_total),
    ('npu_chip_info_utilization', 'the ai core utilization', lambda chip: chip.aicore),
    ('npu_chip_info_temperature', 'the npu temperature', lambda chip: chip.temp),
    ('npu_chip_info_power', 'the npu power', lambda chip: 0 if chip.power == '-' else float(chip.power)),
    ('npu_chip_info_error_code', 'the npu error code', lambda chip: 0 if chip.health == HEALTHY else 0x80E01801),
)


def parse_args(args: List[str]) -> Tuple[str, int]:
    """(ip, port) from Go-style flags; ToolError (exit 2, as Go's flag package) on a flag it does not know."""
    values = {}  # type: Dict[str, str]
    index = 0
    while index < len(args):
        arg = args[index]
        if not arg.startswith('-') or arg in ('-', '--'):
            raise ToolError('unexpected argument %s' % arg, code=2)
        name, has_value, value = arg.lstrip('-').partition('=')
        if name not in FLAGS:
            raise ToolError('flag provided but not defined: -%s' % name, code=2)
        if not has_value:
            index += 1
            if index == len(args):
                raise ToolError('flag needs an argument: -%s' % name, code=2)
            value = args[index]
        values[name] = value
        index += 1
    ip, port = values.get('ip', ''), values.get('port', '8082')
    if not ip:
        raise ToolError('the listen ip is invalid: it must be given (-ip)', code=1)
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ToolError('the port is invalid: %s' % port, code=1)
    return ip, int(port)


def _label_value(value: Any) -> str:
    return str(value).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def _labels(board: Dict[str, Any], chip: Chip) -> str:
    labels = (('id', chip.device), ('model_name', 'Ascend' + board['chip_name'].replace('Ascend', '')),
              ('pcie_bus_info', chip.bus_id), ('vdie_id', ''))
    return ','.join('%s="%s"' % (name, _label_value(value)) for name, value in labels)


def render_metrics(board: Dict[str, Any], table: List[Chip]) -> str:
    """The exporter's text exposition for the board's chips."""
    lines = ['# HELP machine_npu_nums Amount of npu installed on the machine.', '# TYPE machine_npu_nums gauge',
             'machine_npu_nums %d' % len(table)]
    for name, help_text, value in _GAUGES:
        lines.append('# HELP %s %s' % (name, help_text))
        lines.append('# TYPE %s gauge' % name)
        for chip in table:
            lines.append('%s{%s} %s' % (name, _labels(board, chip), value(chip)))
    return '\n'.join(lines) + '\n'


def scrape() -> str:
    """/metrics now: the board's chips as npu-smi sees them; ToolError when the driver does not answer."""
    if not os.path.exists(os.path.join(dev_dir(), 'davinci_manager')):
        raise ToolError(MSG_DCMI_INIT)
    board, state = hardware(), load_json(state_path())
    return render_metrics(board, chips(board, state, processes(board, state)))


class _Handler(BaseHTTPRequestHandler):
    server_version = 'npu-exporter'

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        if self.path.split('?', 1)[0] != '/metrics':
            self._answer(404, '404 page not found\n')
            return
        try:
            self._answer(200, scrape(), CONTENT_TYPE)
        except ToolError as error:
            self._answer(500, str(error) + '\n')

    def _answer(self, status: int, body: str, content_type: str = 'text/plain; charset=utf-8') -> None:
        data = body.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  pylint: disable=redefined-builtin
        return


def serve(ip: str, port: int) -> ThreadingHTTPServer:
    """The exporter's HTTP server bound to ip:port (a name is resolved; the real exporter takes an IP only)."""
    try:
        address = str(ipaddress.ip_address(ip))
    except ValueError:
        try:
            address = socket.gethostbyname(ip)
        except OSError:
            raise ToolError('the listen ip is invalid: %s' % ip, code=1)
    return ThreadingHTTPServer((address, port), _Handler)


def run(args: List[str]) -> str:
    """Serve until stopped (systemd's SIGTERM)."""
    ip, port = parse_args(args)
    server = serve(ip, port)
    sys.stderr.write('npu-exporter listening on %s:%d\n' % server.server_address[:2])
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return ''
