"""``npu-smi ARGS``, ``hccn_tool ARGS`` and ``npu-exporter ARGS``: run the tool, print its answer or its refusal, exit with its code."""

from __future__ import annotations

import sys
from typing import List

from . import hccn_tool, npu_exporter, npu_smi
from .errors import ToolError


def main(argv: List[str]) -> int:
    tools = {'npu-smi': npu_smi.run, 'hccn_tool': hccn_tool.run, 'npu-exporter': npu_exporter.run}
    if not argv or argv[0] not in tools:
        sys.stderr.write('usage: ascend_emu npu-smi|hccn_tool|npu-exporter ARGS\n')
        return 2
    try:
        sys.stdout.write(tools[argv[0]](argv[1:]))
    except ToolError as error:
        stream = sys.stderr if argv[0] == 'npu-smi' and str(error) == npu_smi.MSG_DCMI_INIT else sys.stdout
        stream.write(str(error) + '\n')
        return error.code
    return 0
