#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: validate_inventory
short_description: Refuse a wrong inventory as a whole, before any host is contacted
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Runs on the controller only (an action plugin) and reads, from C(hostvars), the variables the inventory and C(-e) set
    for every host of the play, without connecting to any host. Checks them all at once and fails with one report that
    lists every problem of every host and group.
  - "Each line of the report names the host (or the group, when every host of a group has the same problem, or the
    problem belongs to the group), the variable as it is written in the inventory, what is wrong and a value that would
    be accepted, such as C(npu-a2-01: vllm_serve_tensor_parallel_size: 3 does not divide the attention heads of
    qwen3.6-27b-w8a8; accepted: 1, 2, 4, 8 (recommended 2)). The first line of the message is the first problem."
  - Variables are read as the roles would read them, the inventory's value or else the role's default, and a problem is
    reported against the name the user set (C(ascend_model) rather than C(vllm_serve_model) when only the first is set).
  - "The checks, by topic. C(types): every role variable set in the inventory has the type and choices of its role's
    C(meta/argument_specs.yml) (read from the roles, not copied), booleans strictly (C(false), C(no), C(off), C(0) and
    C(true), C(yes), C(on), C(1), as booleans or text; C(maybe) is refused); no unknown variable with a role's prefix
    (a typo); every template can be evaluated. C(node_type): a known node type on every host (catalog plus
    C(ascend_node_types_extra)), that agrees with the node-type group the host is in (C(atlas_800_a2), C(atlas_800_a3)).
    C(model): a known model. C(image): the vllm-ascend release is a release, without variant, new enough for the model.
    C(plan): the default plan of every node (P(ascend_ops.vllm.serving_layout#filter) over every NPU of its node
    type with the inventory's serving settings), the planner's refusals given in the user's variable names.
    C(data_parallel): each C(vllm_serve_data_parallel_group) is an inventory group of two or more nodes, all in the run,
    no node in two such groups, one tensor-parallel size, model and rpc port for the group.
    C(weights): the weight source has what it needs. C(api_key): C(vllm_serve_api_key) is set where
    C(ascend_require_api_key) (C(vllm_serve_require_api_key)) is true. C(hccl): C(hccl_check_npu_addresses) are IPv4,
    given to one NPU each across the inventory, one per NPU when they are to be configured. C(driver): versions, one
    package source, and the firmware within the range the driver's C(version.info) states (C(compatible_version_fw),
    read from the driver package when C(npu_driver_packages_dir) holds it on the controller). C(router): on the hosts of
    the C(vllm_router) group, settings the router runs (policy, thresholds of 1 or more, ports), a TLS certificate and a
    wheels directory that exist on the controller, router, metrics and front ports distinct and clear of the host's own
    replicas' ports, serving hosts to route to, and one API key for the replicas and the cluster endpoint's check.
    A host of the C(vllm_router) group without C(ascend_node_type) only routes; the serving checks leave it out. C(bench): the benchmark's
    knobs within their ranges, the goodput syntax, the targets, C(vllm_bench_slow_fraction) in (0, 1], absolute paths
    and the cluster URL (module_utils/_validate_bench.py). C(rolling): C(vllm_serve_shutdown_timeout) below
    C(vllm_serve_stop_timeout), the drain and gate timeouts above 0, C(upgrade_serial) and C(upgrade_max_fail_percentage)
    (module_utils/_validate_rolling.py). C(accuracy): the AISBench run's settings (batch size, output limit,
    generation settings, datasets and their directories, the role's own flags), C(vllm_accuracy_threshold) in [0, 100], the URL,
    the client host, absolute paths (module_utils/_validate_accuracy.py). C(monitoring): the alert windows (Prometheus durations) and
    thresholds, ports, complete receivers, a router's metrics reachable from the monitoring host
    (module_utils/_validate_monitoring.py). C(remove): no misspelt C(ascend_remove_*) name (nothing would read it), and the nodes
    that share one model directory on C(nfs) or C(shared) storage agree on removing its weights (module_utils/_validate_remove.py).
    C(artifacts): the cluster's image cache (C(ascend_image_cache)) is C(host[:port]), trusted by the nodes' engine, and where
    it names a host of the C(artifact_cache) group, on that host's port and proxying the nodes' image registry; every such
    host is used by some node; the weights' peer copy settings (module_utils/_validate_artifacts.py). A host of the
    C(artifact_cache) group without C(ascend_node_type) only caches; the serving checks leave it out.
    C(faults): C(ascend_max_fail_percentage) a whole percentage from 0 to 100, and C(ascend_any_errors_fatal) refused for
    Ansible's own C(ANSIBLE_ANY_ERRORS_FATAL), which does its job (module_utils/_validate_faults.py).
    C(bundle): with C(ascend_offline_bundle) set, the bundle directory on the
    controller holds every artifact the inventory needs (each node type's image, each model's weights, the driver and
    firmware packages, the Debian packages and wheels of the roles), of the versions asked, each file of the size and
    sha256 its C(manifest.json) says (module_utils/_validate_bundle.py; it hashes the bundle, see
    C(ascend_offline_bundle_checksums))."
  - Why an action plugin and not a module? A module runs on a host, so it would need a connection (or C(delegate_to)
    with every host's variables passed in as arguments, secrets included); an action plugin reads C(hostvars) on the
    controller, where the inventory already is.
  - Run it once (C(run_once)) in a play over the hosts to check, with C(gather_facts) off; a failure of a C(run_once)
    task fails every host of the play, so the run stops before any host is contacted.
options:
  checks:
    description: The topics to check; all by default. A playbook that serves no model leaves out C(model), C(image),
      C(plan), C(data_parallel), C(weights) and C(api_key).
    type: list
    elements: str
    choices: [types, node_type, model, image, plan, data_parallel, weights, api_key, hccl, driver, router, bench, rolling, accuracy, monitoring,
              remove, faults, artifacts, bundle]
  skip_checks:
    description: Topics to leave out of O(checks); C(playbooks/bundle.yml) leaves out C(bundle), as it makes the bundle.
    type: list
    elements: str
    default: []
    choices: [types, node_type, model, image, plan, data_parallel, weights, api_key, hccl, driver, router, bench, rolling, accuracy, monitoring,
              remove, faults, artifacts, bundle]
  hosts:
    description: The hosts to check. Defaults to every host of the play (C(ansible_play_hosts_all)), C(--limit) applied.
    type: list
    elements: str
  fail_on_problems:
    description: Fail when there is a problem. With V(false) the problems are only returned.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
    details: All of it runs on the controller; no host is contacted.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Reads only; the same checks run in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
  idempotent:
    description: Reads the inventory and changes nothing.
    support: full
notes:
  - Values are taken from C(hostvars), so variables of the play (C(vars:)) and role parameters are not seen; set what is
    to be checked in the inventory or with C(-e).
  - A key given as C(vllm_serve_api_key), or any variable whose argument spec says C(no_log), is never shown.
seealso:
  - plugin: ascend_ops.vllm.serving_layout
    plugin_type: filter
  - plugin: ascend_ops.vllm.data_parallel_layout
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Validate the inventory before any host is touched
  hosts: all
  gather_facts: false
  tags: [always, validate]
  tasks:
    - name: Check every host and group of the inventory
      ascend_ops.vllm.validate_inventory:
      run_once: true

- name: Only what the NPU network check needs
  hosts: all
  gather_facts: false
  tasks:
    - name: Check node types, variable types and NPU addresses
      ascend_ops.vllm.validate_inventory:
        checks: [types, node_type, hccl]
      run_once: true

- name: Collect the problems without failing, for a report of one's own
  hosts: all
  gather_facts: false
  tasks:
    - name: Check
      ascend_ops.vllm.validate_inventory:
        fail_on_problems: false
      register: __validation
      run_once: true

    - name: Show them
      ansible.builtin.debug:
        msg: "{{ __validation.problems | map(attribute='variable') | list }}"
      run_once: true
"""

RETURN = r"""
msg:
  description: The report, the first problem on the first line; or a summary when there is none.
  returned: always
  type: str
  sample: |-
    npu-a2-02: vllm_serve_tensor_parallel_size: 3 does not divide the attention heads of qwen3.6-27b-w8a8; accepted: 1, 2, 4, 8 (recommended 2)
    Nothing was done on any host: fix this in the inventory and run again.
problems:
  description: Every problem, one per host (or group) and variable. A failed run has the same in RV(msg) only.
  returned: when there is no problem, or O(fail_on_problems=false)
  type: list
  elements: dict
  contains:
    host:
      description: The host, or V(null) for a problem of a group.
      type: str
    group:
      description: The group, for a problem of a group (such as a data-parallel group).
      type: str
    variable:
      description: The variable as it is written in the inventory.
      type: str
      sample: vllm_serve_tensor_parallel_size
    problem:
      description: What is wrong.
      type: str
    accepted:
      description: A value that would be accepted.
      type: str
    source:
      description: Where the value comes from, when known.
      type: str
open_endpoints:
  description: Hosts whose replicas would serve every interface (C(0.0.0.0)) without an API key; a warning names them.
  returned: always
  type: list
  elements: str
bundle_needs:
  description:
    - What an offline bundle must hold for the hosts of the run (module_utils/_bundle.py), one record per artifact,
      C(name), C(kind) (C(image), C(weights), C(wheel), C(deb), C(driver)), C(version) (empty when any will do), C(path)
      in the bundle, C(needed_by) (C(host), C(variable)); weights also C(model). C(playbooks/bundle.yml) fetches these.
    - Empty for hosts whose settings the other checks refuse.
  returned: always
  type: list
  elements: dict
  sample:
    - name: quay.io/ascend/vllm-ascend:v0.18.0rc1-a3
      kind: image
      version: v0.18.0rc1-a3
      path: images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar
      needed_by: [{host: npu-a3-01, variable: vllm_image_version}]
"""
