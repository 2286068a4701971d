# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each kind of wrong inventory is refused by playbooks/deploy.yml (or verify_hccl.yml) itself, whole, before any
host is contacted, with a first line that names host or group, the variable and an accepted value."""

from __future__ import annotations

import io
import tarfile

from conftest import first_line_names

A2_HOSTS = 'npu-a2-01, npu-a2-02'
ALL_HOSTS = 'npu-a2-01, npu-a2-02, npu-a3-01'


def _addresses(third, count):
    return ['10.20.%d.%d' % (third, npu + 1) for npu in range(count)]


# ---------------------------------------------------------------- a good inventory


def test_a_good_inventory_gets_past_validation_and_fails_at_the_first_host(site):
    site.set_group('atlas_800_a2', npu_driver_reboot='false', vllm_serve_tensor_parallel_size=4)
    site.set_host('npu-a2-01', hccl_check_npu_addresses=_addresses(1, 8))
    site.set_host('npu-a2-02', hccl_check_npu_addresses=_addresses(2, 8))
    run = site.run('deploy.yml', '-e', 'vllm_serve_max_model_len=65536', '-e', 'container_engine_restart=no')
    run.assert_past_validation_then_unreachable()
    # The default plan of every node was still made, from the inventory alone.
    assert any(task.startswith('ascend_ops.vllm.vllm_serve : Plan the default layout') for task in run.tasks), run.tasks
    assert sorted(run.unreachable) == ['npu-a2-01', 'npu-a2-02', 'npu-a3-01']


def test_a_good_inventory_gets_past_the_validation_of_verify_hccl(site):
    # The NPU network check serves no model: an inventory without one is fine for it.
    site.group_vars['all'].pop('ascend_model')
    run = site.run('verify_hccl.yml')
    run.assert_past_validation_then_unreachable()


# ---------------------------------------------------------------- node types and models


def test_an_unknown_node_type_of_a_group_is_refused_for_the_group(site):
    site.set_group('atlas_800_a2', ascend_node_type='atlas_800_a4')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'group atlas_800_a2 (%s)' % A2_HOSTS, 'ascend_node_type', 'atlas_800_a2, atlas_800_a3',
                     "unknown node type 'atlas_800_a4'")


def test_a_host_whose_node_type_contradicts_its_group_is_refused(site):
    site.set_host('npu-a3-01', ascend_node_type='atlas_800_a2')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a3-01', 'ascend_node_type', 'atlas_800_a3', 'but the host is in the group atlas_800_a3')
    assert 'host_vars/npu-a3-01.yml' in run.first_line


def test_an_unknown_model_is_refused(site):
    site.set_group('all', ascend_model='qwen3.6-27b-w8')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'group all (%s)' % ALL_HOSTS, 'ascend_model', 'qwen3.6-27b-w8a8', "unknown model 'qwen3.6-27b-w8'")


def test_an_image_older_than_the_model_needs_is_refused(site):
    site.set_group('all', ascend_vllm_version='v0.17.0rc1')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'group all (%s)' % ALL_HOSTS, 'ascend_vllm_version', 'v0.18.0rc1 or newer', 'too old')


# ---------------------------------------------------------------- the plan, in the user's words


def test_a_tensor_parallel_size_the_model_cannot_take_is_refused_naming_the_users_variable(site):
    site.set_host('npu-a2-02', vllm_serve_tensor_parallel_size=3)
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a2-02', 'vllm_serve_tensor_parallel_size', '1, 2, 4, 8',
                     '3 does not divide the attention heads of qwen3.6-27b-w8a8')
    assert 'serving_layout' not in run.message


def test_an_extra_var_the_plan_cannot_take_is_refused(site):
    run = site.run('deploy.yml', '-e', 'vllm_serve_max_model_len=300000')
    run.assert_refused_before_any_host()
    first_line_names(run, 'group all (%s)' % ALL_HOSTS, 'vllm_serve_max_model_len', '262144 or less')


# ---------------------------------------------------------------- types and booleans


def test_a_boolean_that_is_no_boolean_is_refused(site):
    site.set_host('npu-a3-01', npu_driver_reboot='maybe')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a3-01', 'npu_driver_reboot', 'true or false', "'maybe' is not a boolean")


def test_an_unquoted_no_for_a_text_choice_is_refused(site):
    site.set_group('atlas_800_a3', vllm_serve_restart_policy=False)
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a3-01', 'vllm_serve_restart_policy', '"no"', 'is a boolean')


def test_a_misspelt_role_variable_is_refused_with_the_right_name(site):
    site.set_group('all', vllm_serve_tensor_parallel=4)
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'group all (%s)' % ALL_HOSTS, 'vllm_serve_tensor_parallel', 'vllm_serve_tensor_parallel_size')


# ---------------------------------------------------------------- weights


def test_an_incomplete_weight_source_is_refused(site):
    site.set_group('all', model_weights_source='path')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'group all (%s)' % ALL_HOSTS, 'model_weights_source_path', 'a directory on the node',
                     'is empty but model_weights_source is path')


# ---------------------------------------------------------------- data-parallel groups


def test_a_node_in_two_data_parallel_groups_is_refused(site):
    site.add_group('dp_one', ['npu-a2-01', 'npu-a2-02']).add_group('dp_two', ['npu-a2-02', 'npu-a3-01'])
    site.set_group('dp_one', vllm_serve_data_parallel_group='dp_one')
    site.set_group('dp_two', vllm_serve_data_parallel_group='dp_two')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a2-02', 'vllm_serve_data_parallel_group', 'the host in one of dp_one, dp_two only',
                     'data-parallel groups dp_one and dp_two')


def test_differing_tensor_parallel_sizes_in_a_data_parallel_group_are_refused_for_the_group(site):
    site.add_group('qwen_dp', ['npu-a2-01', 'npu-a2-02']).set_group('qwen_dp', vllm_serve_data_parallel_group='qwen_dp')
    site.set_host('npu-a2-02', vllm_serve_tensor_parallel_size=4)
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'group qwen_dp', 'vllm_serve_tensor_parallel_size', 'such as 2',
                     'differs across the group (npu-a2-01 2, npu-a2-02 4)')


# ---------------------------------------------------------------- NPU addresses


def test_an_npu_address_given_to_two_nodes_is_refused_by_deploy(site):
    site.set_host('npu-a2-01', hccl_check_npu_addresses=_addresses(1, 8))
    site.set_host('npu-a2-02', hccl_check_npu_addresses=_addresses(2, 7) + ['10.20.1.3'])
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a2-01', 'hccl_check_npu_addresses', 'an address no other NPU',
                     'gives 10.20.1.3 to NPU 2 and also to npu-a2-02 NPU 7')
    assert 'npu-a2-02: hccl_check_npu_addresses: gives 10.20.1.3 to NPU 7' in run.message


def test_an_npu_address_given_to_two_nodes_is_refused_by_verify_hccl(site):
    site.set_host('npu-a2-01', hccl_check_npu_addresses=_addresses(1, 8))
    site.set_host('npu-a2-02', hccl_check_npu_addresses=_addresses(2, 8))
    site.set_host('npu-a3-01', hccl_check_npu_addresses=_addresses(3, 15) + ['10.20.1.8'])
    run = site.run('verify_hccl.yml', '-e', 'hccl_check_configure=true')
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a2-01', 'hccl_check_npu_addresses', 'an address no other NPU', 'gives 10.20.1.8 to NPU 7')


# ---------------------------------------------------------------- API key policy


def test_a_required_api_key_that_is_unset_is_refused(site):
    site.set_group('all', ascend_require_api_key=True, vllm_serve_api_key='{{ vault_vllm_api_key | default("") }}')
    site.set_host('npu-a2-01', vault_vllm_api_key='Zm9vYmFy-key')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a2-02, npu-a3-01', 'vllm_serve_api_key', 'ansible-vault', 'ascend_require_api_key is true')
    assert 'Zm9vYmFy' not in run.output


# ---------------------------------------------------------------- driver and firmware


def test_a_firmware_outside_the_range_of_the_driver_is_refused_with_both_versions(site):
    site.set_group('atlas_800_a3', npu_driver_firmware_version='7.8.0.2.210')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a3-01', 'npu_driver_firmware_version', 'a firmware version within [7.0.0, 7.7.99]',
                     'firmware 7.8.0.2.210 is outside [7.0.0, 7.7.99], the firmware driver 25.0.rc1.1 works with')


def _makeself(path, version_info):
    header = 'skip="4"\n# makeself header\necho\nexit 0\n'
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode='w:gz') as archive:
        member = tarfile.TarInfo('./version.info')
        member.size = len(version_info)
        archive.addfile(member, io.BytesIO(version_info))
    path.write_bytes(header.encode() + payload.getvalue())


def test_the_firmware_range_is_read_from_the_driver_package_on_the_controller(site, tmp_path):
    packages = tmp_path / 'packages'
    packages.mkdir()
    _makeself(packages / 'Ascend-hdk-910b-npu-driver_26.0.rc1_linux-aarch64.run',
              b'Version=26.0.rc1\ncompatible_version_fw=[7.8.0,7.9.99]\n')
    site.set_group('atlas_800_a2', npu_driver_packages_dir=str(packages), npu_driver_version='26.0.rc1')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'group atlas_800_a2 (%s)' % A2_HOSTS, 'npu_driver_version', 'within [7.8.0, 7.9.99]',
                     'firmware 7.7.0.1.231 is outside [7.8.0, 7.9.99]')
    assert 'Ascend-hdk-910b-npu-driver_26.0.rc1_linux-aarch64.run' in run.first_line


# ---------------------------------------------------------------- one report for the whole inventory


def test_every_problem_of_every_group_is_in_one_report(site):
    site.set_host('npu-a2-02', vllm_serve_tensor_parallel_size=3)
    site.set_group('atlas_800_a3', npu_driver_reboot='perhaps', model_weights_endpoint='hub.internal')
    run = site.run()
    run.assert_refused_before_any_host()
    lines = run.message.splitlines()
    assert '3 problems in the inventory' in lines[1]
    assert [line.split(': ')[:2] for line in lines[2:]] == [
        ['- npu-a3-01', 'npu_driver_reboot'], ['- npu-a2-02', 'vllm_serve_tensor_parallel_size'],
        ['- npu-a3-01', 'model_weights_endpoint']]


# ---------------------------------------------------------------- the cluster endpoint (router)


def test_a_host_that_only_routes_gets_past_validation_and_is_no_serving_node(site):
    # No node type: the serving checks and plays leave router-01 alone, so
    # only the serving nodes are contacted before the run stops.
    site.add_group('vllm_router', ['router-01'])
    site.set_group('all', ascend_api_key='cluster-key-1')
    run = site.run('deploy.yml', '-e', 'npu_driver_reboot=false')
    run.assert_past_validation_then_unreachable()
    assert sorted(run.unreachable) == ['npu-a2-01', 'npu-a2-02', 'npu-a3-01']


# ---------------------------------------------------------------- the benchmark


def test_a_good_inventory_gets_past_the_validation_of_benchmark_and_fails_at_the_first_host(site):
    run = site.run('benchmark.yml', '-e', 'vllm_bench_num_prompts=20', '-e', 'vllm_bench_request_rate=inf')
    run.assert_past_validation_then_unreachable()
    assert sorted(run.unreachable) == ['npu-a2-01', 'npu-a2-02', 'npu-a3-01']


def test_a_front_port_on_a_replica_port_of_a_serving_router_host_is_refused(site):
    site.add_group('vllm_router', ['npu-a2-01'])
    site.set_host('npu-a2-01', vllm_router_front_port_base=8001)
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a2-01', 'vllm_router_front_port_base', "outside every replica's API",
                     'the front of qwen3.6 port 8001')


def test_a_replica_key_other_than_the_cluster_key_is_refused(site):
    site.add_group('vllm_router', ['router-01'])
    site.set_group('all', ascend_api_key='cluster-key-1')
    site.set_host('npu-a3-01', vllm_serve_api_key='another-key-2')
    run = site.run()
    run.assert_refused_before_any_host()
    first_line_names(run, 'npu-a3-01', 'vllm_serve_api_key', 'ascend_api_key', 'differs from the key the cluster endpoint')
    assert 'another-key-2' not in run.output and 'cluster-key-1' not in run.output


def test_a_benchmark_knob_out_of_range_is_refused_before_any_host(site):
    site.set_group('all', vllm_bench_goodput='ttft:2000 itl:50', vllm_bench_slow_fraction=1.5)
    run = site.run('benchmark.yml')
    run.assert_refused_before_any_host()
    first_line_names(run, 'group all (%s)' % ALL_HOSTS, 'vllm_bench_goodput', 'ttft, tpot, e2el', "'itl' is no goodput metric")
    assert 'vllm_bench_slow_fraction: 1.5 is not in (0, 1]' in run.message


# ---------------------------------------------------------------- what a run does when a node fails


def test_a_failure_budget_that_is_no_percentage_is_refused_before_any_host(site):
    run = site.run('deploy.yml', '-e', 'ascend_max_fail_percentage=150')
    run.assert_refused_before_any_host()
    assert "ascend_max_fail_percentage: '150' is not a whole percentage from 0 to 100" in run.message


def test_ascend_any_errors_fatal_is_refused_naming_the_ansible_setting(site):
    site.set_group('all', ascend_any_errors_fatal=True)
    run = site.run('deploy.yml')
    run.assert_refused_before_any_host()
    first_line_names(run, 'group all (%s)' % ALL_HOSTS, 'ascend_any_errors_fatal', 'ANSIBLE_ANY_ERRORS_FATAL=True')


def test_a_failure_budget_in_range_gets_past_validation_and_fails_at_the_first_host(site):
    run = site.run('deploy.yml', '-e', 'ascend_max_fail_percentage=0')
    run.assert_past_validation_then_unreachable()
