#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: npu_info
short_description: Report the Ascend NPUs of a node as npu-smi sees them
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Runs C(npu-smi info) and, per NPU, C(npu-smi info -t board -i N), and returns what they say as data
    that later tasks can test, namely every NPU with its health and HBM use, the processes holding NPUs,
    the driver and firmware versions, and the Atlas node type the NPUs look like.
  - An NPU id (RV(npus[].id), RV(npu_ids)) is the device index used everywhere on a node,
    N in C(/dev/davinciN) and in C(hccn_tool -i N). On Atlas 800 A2 it is the NPU column of C(npu-smi info);
    on Atlas 800 A3, where one NPU module holds two chips, it is the Phy-ID column.
  - Read-only. An unhealthy NPU does not fail the task; test RV(healthy) with C(failed_when) or an assert.
  - Fails when npu-smi is missing, exits non-zero (for example C(dcmi module initialize failed) when
    another container holds the devices) or prints a table row this module cannot read, naming the line.
  - In the process table, lines that only inform are skipped, namely C(No running processes found in NPU N) in the
    wordings of different releases and boards (with or without a chip number), separator lines, and lines without
    a number. A line there that carries a number but is not a process row fails the task, so that a process
    holding an NPU is never missed.
options:
  npu_smi_path:
    description:
      - Path of the npu-smi executable.
      - By default it is looked up in E(PATH), C(/usr/local/bin) and C(/usr/local/sbin).
    type: path
  board_info:
    description:
      - Also run C(npu-smi info -t board -i N) for every NPU module to read the driver (C(Software Version))
        and firmware versions.
      - Without it RV(firmware_version) is V(null) and RV(driver_version) comes from the version line of
        C(npu-smi info).
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads; the same commands run in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
  idempotent:
    description: Running the module twice in a row gives the same result and changes nothing.
    support: full
notes:
  - Inside a container that was given only some C(/dev/davinciN) devices, npu-smi lists only those,
    with the ids of the host.
seealso:
  - module: ascend_ops.vllm.hccn_check
"""

EXAMPLES = r"""
- name: Read the NPUs
  ascend_ops.vllm.npu_info:
  register: __npu

- name: Refuse to touch a node with an unhealthy NPU
  ansible.builtin.assert:
    that: __npu.healthy
    fail_msg: "NPUs {{ __npu.unhealthy_npu_ids }} are not OK in npu-smi info"

- name: NPUs nobody uses yet
  ansible.builtin.set_fact:
    __free_npus: "{{ __npu.npu_ids | difference(__npu.processes | map(attribute='id') | list) }}"

- name: Only the table, with npu-smi at a custom path
  ascend_ops.vllm.npu_info:
    npu_smi_path: /opt/ascend/bin/npu-smi
    board_info: false
"""

RETURN = r"""
npus:
  description: One entry per NPU device (per chip on Atlas 800 A3), ordered by RV(npus[].id).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Device index, N in C(/dev/davinciN); the Phy-ID on A3, the NPU id on A2.
      type: int
      sample: 0
    npu_id:
      description: The NPU (module) column of npu-smi; on A3 module k holds ids 2k and 2k+1.
      type: int
      sample: 0
    chip_id:
      description: Chip within the NPU module (always 0 on A2).
      type: int
      sample: 0
    phy_id:
      description: Phy-ID column where npu-smi prints one (A3), else V(null).
      type: int
      sample: null
    name:
      description: Chip name as npu-smi prints it.
      type: str
      sample: 910B3
    health:
      description: Health column; V(OK) when healthy (others seen are V(Warning), V(Alarm), V(Critical)).
      type: str
      sample: OK
    power_w:
      description: Power draw in watts; V(null) where npu-smi prints C(-) (second chip of an A3 module).
      type: float
      sample: 100.9
    temp_c:
      description: Temperature in degrees Celsius.
      type: int
      sample: 40
    aicore_percent:
      description: AI core use in percent.
      type: int
      sample: 0
    hbm_used_mb:
      description: HBM in use, in MB.
      type: int
      sample: 58626
    hbm_total_mb:
      description: HBM size, in MB.
      type: int
      sample: 65536
    bus_id:
      description: PCI bus id.
      type: str
      sample: "0000:C1:00.0"
    software_version:
      description: Driver version from the board information of this NPU (V(null) when O(board_info=false)).
      type: str
      sample: 25.3.rc1
    firmware_version:
      description: Firmware version from the board information of this NPU (V(null) when unknown).
      type: str
      sample: 7.7.0.6.236
npu_ids:
  description: The RV(npus[].id) values, sorted.
  returned: success
  type: list
  elements: int
  sample: [0, 1, 2, 3, 4, 5, 6, 7]
npu_count:
  description: Number of NPU devices seen (16 on a full Atlas 800 A3, 8 on A2).
  returned: success
  type: int
  sample: 8
processes:
  description: Processes holding NPU memory, one entry per process and device.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Device index of the NPU the process uses.
      type: int
      sample: 0
    npu_id:
      description: NPU (module) column of the process table.
      type: int
    chip_id:
      description: Chip column of the process table.
      type: int
    pid:
      description: Process id (as seen from where npu-smi runs).
      type: int
      sample: 71867
    name:
      description: Process name; empty where npu-smi cannot see it (a process in another container).
      type: str
      sample: python3
    memory_mb:
      description: NPU memory the process holds, in MB; V(null) where npu-smi prints C(NA).
      type: int
      sample: 55278
    container_pid:
      description:
        - The process id inside its container, where npu-smi prints a C(Process id in container) column
          (npu-smi 26 and later); V(null) where it prints C(NA). Absent with older npu-smi.
      type: int
  sample:
    - {id: 0, npu_id: 0, chip_id: 0, pid: 71867, name: "", memory_mb: 55278}
npu_smi_version:
  description: Version of npu-smi from the first line of its table.
  returned: success
  type: str
  sample: 25.3.rc1
driver_version:
  description:
    - Driver version (C(Software Version) of the boards); a list when NPUs disagree.
  returned: success
  type: raw
  sample: 25.3.rc1
firmware_version:
  description:
    - Firmware version of the boards; a list when NPUs disagree; V(null) without board information.
  returned: success
  type: raw
  sample: 7.7.0.6.236
node_type:
  description:
    - The Atlas node type the NPUs look like, V(atlas_800_a2) (910B chips, no Phy-ID) or V(atlas_800_a3)
      (Ascend910 chips with Phy-IDs), V(null) when neither.
  returned: success
  type: str
  sample: atlas_800_a2
healthy:
  description: Whether every NPU's health is V(OK).
  returned: success
  type: bool
  sample: true
unhealthy_npu_ids:
  description: Ids of NPUs whose health is not V(OK).
  returned: success
  type: list
  elements: int
  sample: []
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ascend_ops.vllm.plugins.module_utils._npu_smi import (
    NpuSmiCommandError,
    NpuSmiParseError,
    collect_npu_facts,
)

NPU_SMI_DIRS = ['/usr/local/bin', '/usr/local/sbin']


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            npu_smi_path=dict(type='path'),
            board_info=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    npu_smi = module.params['npu_smi_path'] or module.get_bin_path('npu-smi', opt_dirs=NPU_SMI_DIRS)
    if not npu_smi:
        module.fail_json(msg='npu-smi was not found in PATH or %s; is the NPU driver installed? '
                             'Set npu_smi_path if it lives elsewhere.' % ', '.join(NPU_SMI_DIRS))
    try:
        facts = collect_npu_facts(module.run_command, npu_smi, module.params['board_info'])
    except (NpuSmiCommandError, NpuSmiParseError) as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, **facts)


if __name__ == '__main__':
    main()
