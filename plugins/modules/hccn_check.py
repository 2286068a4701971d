#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hccn_check
short_description: Check the RoCE network ports of Ascend NPUs with hccn_tool
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Runs the read-only queries of C(hccn_tool) for each chosen NPU (the checks of the vllm-ascend multi-node
    guide) and, optionally, pings remote NPU addresses from each local NPU with C(hccn_tool -i N -ping -g address X).
  - Returns what each NPU answered, a list of RV(problems) that name the NPU, the check, what was seen and
    what was expected, and RV(healthy).
  - An unhealthy result does not fail the task; test RV(healthy) with C(failed_when) or an assert.
    The task fails when hccn_tool is missing, names an NPU that does not exist, or prints something this
    module does not understand.
  - An NPU id is the device index, N in C(/dev/davinciN) and C(hccn_tool -i N) (the Phy-ID on Atlas 800 A3).
options:
  npus:
    description:
      - NPU ids to check.
      - By default every NPU of the node, that is every C(/dev/davinciN) present.
    type: list
    elements: int
  checks:
    description:
      - Queries to run and judge for every NPU.
      - V(link) expects the link status V(UP).
      - V(net_health) expects the net health status V(Success).
      - V(netdetect), V(gateway) and V(ip) expect an address to be configured.
      - V(lldp) expects a neighbour switch port (C(Ifname) in the Port ID TLV).
      - V(hccn_conf) expects O(hccn_conf) to hold C(address_N) equal to the address of NPU N.
    type: list
    elements: str
    choices: [link, net_health, netdetect, gateway, ip, lldp, hccn_conf]
    default: [link, net_health, netdetect, gateway, ip, lldp, hccn_conf]
  ping_targets:
    description:
      - Addresses to ping from the NPUs, usually the NPU addresses of the other nodes.
      - A list means every checked NPU pings every address.
      - A mapping of NPU id to a list of addresses lets each NPU ping its own peers
        (for example the same NPU index on every other node, one RoCE plane each).
      - Every ping is judged; any lost packet is a problem.
    type: raw
    default: []
  ping_concurrency:
    description:
      - How many pings run at the same time. Each hccn_tool ping sends three packets and takes a few seconds.
    type: int
    default: 4
  hccn_conf:
    description:
      - Path of the file where hccn_tool keeps the NPU network configuration, read for the V(hccn_conf) check.
    type: path
    default: /etc/hccn.conf
  hccn_tool_path:
    description:
      - Path of the hccn_tool executable.
      - By default it is looked up in E(PATH) and C(/usr/local/Ascend/driver/tools).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads and pings; the same commands run in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
  idempotent:
    description: Running the module twice in a row changes nothing on the node.
    support: full
seealso:
  - module: ascend_ops.vllm.npu_info
"""

EXAMPLES = r"""
- name: Check every NPU port of the node
  ascend_ops.vllm.hccn_check:
  register: __hccn

- name: Stop when a port is not ready
  ansible.builtin.assert:
    that: __hccn.healthy
    fail_msg: "{{ __hccn.problems | map(attribute='message') | list }}"

- name: Each NPU pings the same NPU index on the other node (one RoCE plane each)
  ascend_ops.vllm.hccn_check:
    checks: [link, ip]
    ping_targets:
      0: [10.20.2.0]
      1: [10.20.2.1]
  register: __hccn_ping
  failed_when: not __hccn_ping.healthy

- name: NPUs 4 and 5 ping one address, without reading hccn.conf
  ascend_ops.vllm.hccn_check:
    npus: [4, 5]
    checks: [link, net_health, ip]
    ping_targets: [10.20.1.4]
"""

RETURN = r"""
npus:
  description: What every checked NPU answered, in the order of O(npus).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: NPU id.
      type: int
      sample: 0
    link:
      description: Link status, V(UP) or V(DOWN) (check V(link)).
      type: str
      sample: UP
    net_health:
      description: Net health status, for example V(Success), V(Fault), V(Init) (check V(net_health)).
      type: str
      sample: Success
    netdetect:
      description: Detect address, V(null) when none is configured (check V(netdetect)).
      type: str
      sample: 10.20.0.1
    gateway:
      description: Default gateway C(address) and C(iface), V(null) when none is configured (check V(gateway)).
      type: dict
      sample: {address: 10.20.0.1, iface: eth0}
    ip:
      description: C(address) and C(netmask), V(null) when no address is configured (checks V(ip), V(hccn_conf)).
      type: dict
      sample: {address: 10.20.1.0, netmask: 255.255.0.0}
    lldp:
      description:
        - Neighbour seen by LLDP (check V(lldp)), V(null) when the link is down. Keys C(port_ifname) (the switch port),
          C(port_id), C(chassis_id), C(system_name), C(system_description), C(ttl), C(management_address),
          C(max_frame_size), C(tlvs).
      type: dict
      sample: {port_ifname: "400GE1/1/20:2", system_name: roce-leaf-1}
    lldp_error:
      description: What hccn_tool said instead of LLDP data, when it refused.
      type: str
      returned: when hccn_tool refused to read LLDP
      sample: "Execute failed: Link status is down."
    hccn_conf:
      description: The C(<key>_<id>) entries of O(hccn_conf) for this NPU, keys without the suffix (check V(hccn_conf)).
      type: dict
      returned: when O(hccn_conf) exists and V(hccn_conf) is checked
      sample: {address: 10.20.1.0, netmask: 255.255.0.0, netdetect: 10.20.0.1}
    ping:
      description: One entry per ping target.
      type: list
      elements: dict
      contains:
        target:
          description: Address pinged.
          type: str
        transmitted:
          description: Packets sent.
          type: int
        received:
          description: Replies received.
          type: int
        loss_percent:
          description: Packet loss as hccn_tool reports it.
          type: float
        replies:
          description: C(seq) and C(time_ms) of every reply.
          type: list
          elements: dict
        error:
          description: What hccn_tool said when it refused to ping (link down, no address).
          type: str
          returned: when hccn_tool refused
problems:
  description: Everything that is not as expected, one entry per NPU and check.
  returned: success
  type: list
  elements: dict
  contains:
    npu:
      description: NPU id.
      type: int
    check:
      description: The check (V(link), V(net_health), V(netdetect), V(gateway), V(ip), V(lldp), V(hccn_conf) or V(ping)).
      type: str
    seen:
      description: What was seen.
      type: str
    expected:
      description: What a healthy NPU shows.
      type: str
    message:
      description: The same in one sentence.
      type: str
  sample:
    - {npu: 3, check: link, seen: DOWN, expected: link status UP, message: "NPU 3 link: saw DOWN, expected link status UP"}
healthy:
  description: Whether RV(problems) is empty.
  returned: success
  type: bool
  sample: true
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ascend_ops.vllm.plugins.module_utils._hccn import (
    CHECKS,
    HccnChecker,
    HccnCommandError,
    HccnParseError,
    normalise_ping_targets,
    parse_hccn_conf,
    present_npu_ids,
)

HCCN_TOOL_DIRS = ['/usr/local/Ascend/driver/tools']


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            npus=dict(type='list', elements='int'),
            checks=dict(type='list', elements='str', choices=list(CHECKS), default=list(CHECKS)),
            ping_targets=dict(type='raw', default=[]),
            ping_concurrency=dict(type='int', default=4),
            hccn_conf=dict(type='path', default='/etc/hccn.conf'),
            hccn_tool_path=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    hccn_tool = params['hccn_tool_path'] or module.get_bin_path('hccn_tool', opt_dirs=HCCN_TOOL_DIRS)
    if not hccn_tool:
        module.fail_json(msg='hccn_tool was not found in PATH or %s; is the NPU driver installed? '
                             'Set hccn_tool_path if it lives elsewhere.' % ', '.join(HCCN_TOOL_DIRS))
    npus = params['npus'] if params['npus'] is not None else present_npu_ids()
    if not npus:
        module.fail_json(msg='No NPU to check: no /dev/davinciN device on this node and no npus given.')
    try:
        ping_targets = normalise_ping_targets(params['ping_targets'], npus)
    except ValueError as error:
        module.fail_json(msg=str(error))
    conf = None
    if 'hccn_conf' in params['checks'] and os.path.exists(params['hccn_conf']):
        try:
            with open(params['hccn_conf']) as conf_file:
                conf = parse_hccn_conf(conf_file.read())
        except (IOError, OSError, HccnParseError) as error:
            module.fail_json(msg='%s: %s' % (params['hccn_conf'], error))
    checker = HccnChecker(module.run_command, hccn_tool, params['ping_concurrency'])
    try:
        report = checker.run(npus, params['checks'], ping_targets, conf)
    except (HccnCommandError, HccnParseError) as error:
        module.fail_json(msg=str(error))
    module.exit_json(changed=False, **report)


if __name__ == '__main__':
    main()
