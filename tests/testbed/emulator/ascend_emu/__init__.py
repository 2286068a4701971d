"""Emulated Huawei npu-smi and hccn_tool for the Atlas test bed (Python 3.11 standard library only).

Installed by the emulated driver as /usr/local/Ascend/driver/lib64/emulator/ascend_emu/ and run by
the /usr/local/bin/npu-smi and driver/tools/hccn_tool launchers as
``python3 -B -E -s .../lib64/emulator/ascend_emu npu-smi|hccn_tool ARGS``.

The board comes from /etc/ascend-emulator/hardware.json, faults from /var/lib/ascend-emulator/state.json,
NPU network settings from /var/lib/ascend-emulator/npu-net.json (all described in tests/testbed/README.md).
An NPU exists only while /dev/davinciN exists. The text layouts are those of the real tools' captures in
tests/unit/plugins/module_utils/fixtures/ (npu-smi 25.3.rc1 widths).

Modules: ``paths`` (where the node's files are), ``board`` (node type, NPUs present), ``holders``
(processes on the NPUs), ``npu_smi``, ``net`` (NPU network settings and the node NIC), ``hccn_tool``,
``errors`` (the refusal both tools share) and ``cli`` (the command line).
"""
