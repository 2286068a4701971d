# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory checks, one test per refusal, on the roles' real argument specs."""

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate
from ansible_collections.ascend_ops.vllm.plugins.module_utils._validate import Inventory, report, validate
from ansible_collections.ascend_ops.vllm.tests.unit.role_specs import role_argument_specs


SPECS = role_argument_specs()
# What a complete site sets: the example inventory's cluster.yml and node-type groups.
CLUSTER = {'ascend_model': 'qwen3.6-27b-w8a8', 'ascend_vllm_version': 'v0.18.0rc1', 'ascend_image_registry': 'quay.io',
           'ascend_weights_dir': '/data/models'}
A2 = dict(CLUSTER, ascend_node_type='atlas_800_a2')
A3 = dict(CLUSTER, ascend_node_type='atlas_800_a3')
GROUPS = {'all': ['a2-0', 'a2-1', 'a3-0'], 'atlas_800_a2': ['a2-0', 'a2-1'], 'atlas_800_a3': ['a3-0']}


def _inventory(overrides=None, groups=None, play_hosts=None, **keywords):
    hosts = {'a2-0': dict(A2), 'a2-1': dict(A2), 'a3-0': dict(A3)}
    for host, variables in (overrides or {}).items():
        hosts.setdefault(host, {}).update(variables)
        for name in [name for name, value in variables.items() if value is _DROP]:
            del hosts[host][name]
    return Inventory(hosts, groups=groups or GROUPS, play_hosts=play_hosts, specs=SPECS, **keywords)


_DROP = object()


def _problems(inventory, *topics):
    return validate(inventory, topics or None)


def _only(inventory, *topics):
    found = _problems(inventory, *topics)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- a good inventory


def test_a_complete_inventory_passes_every_check():
    assert validate(_inventory()) == []


def test_the_tutorial_layouts_of_the_example_inventory_pass():
    long_context = {'vllm_serve_tensor_parallel_size': 8, 'vllm_serve_max_model_len': 262144, 'vllm_serve_max_num_seqs': 8,
                    'vllm_serve_max_num_batched_tokens': 8192}
    assert validate(_inventory({'a3-0': long_context, 'a2-0': {'vllm_serve_replicas': 1}})) == []


def test_extra_vars_given_as_text_pass():
    """-e name=value gives text: booleans and numbers written so are what the user meant."""
    text = {'npu_driver_reboot': 'false', 'vllm_serve_verify': 'no', 'hccl_check_configure': 'off', 'npu_driver_firmware': '1',
            'vllm_serve_max_model_len': '65536', 'vllm_serve_gpu_memory_utilization': '0.85', 'ascend_require_api_key': 'False'}
    assert validate(_inventory({'a2-0': text})) == []


@pytest.mark.parametrize('value, expected', [(True, True), ('true', True), ('Yes', True), ('on', True), ('1', True), (1, True),
                                             (False, False), ('false', False), ('NO', False), ('off', False), ('0', False),
                                             (0, False), ('maybe', None), (2, None), ('', None), (None, None)])
def test_parse_bool_reads_what_ansible_reads_and_nothing_else(value, expected):
    assert _validate.parse_bool(value) is expected


# ---------------------------------------------------------------- types and booleans


def test_a_boolean_that_is_no_boolean_is_refused():
    found = _only(_inventory({'a2-0': {'npu_driver_reboot': 'maybe'}}), 'types')
    assert (found['host'], found['variable']) == ('a2-0', 'npu_driver_reboot')
    assert "'maybe' is not a boolean" in found['problem'] and 'true or false' in found['accepted']


def test_a_collection_wide_boolean_is_typed_from_the_role_that_forwards_it():
    found = _only(_inventory({'a3-0': {'ascend_require_api_key': 'sometimes'}}), 'types')
    assert found['variable'] == 'ascend_require_api_key' and 'not a boolean' in found['problem']


def test_an_integer_that_is_no_integer_is_refused():
    found = _only(_inventory({'a2-0': {'vllm_serve_max_model_len': '64k'}}), 'types')
    assert found['variable'] == 'vllm_serve_max_model_len' and "'64k' is not an integer" in found['problem']


def test_an_unquoted_yaml_no_for_a_text_choice_is_refused_with_the_quoted_word():
    found = _only(_inventory({'a2-0': {'vllm_serve_restart_policy': False}}), 'types')
    assert found['variable'] == 'vllm_serve_restart_policy' and 'is a boolean' in found['problem']
    assert found['accepted'] == 'the text in quotes, such as "no"'


def test_a_version_yaml_reads_as_a_number_is_refused():
    found = _only(_inventory({'a2-0': {'npu_driver_firmware_version': 7.7}}), 'types', 'driver')
    assert found['variable'] == 'npu_driver_firmware_version' and 'is a number' in found['problem']


def test_a_text_where_a_list_belongs_is_refused():
    found = _only(_inventory({'a2-0': {'vllm_serve_exclude_npus': '3'}}), 'types')
    assert found['variable'] == 'vllm_serve_exclude_npus' and 'not a list' in found['problem']


def test_a_list_item_of_the_wrong_type_is_refused():
    found = _only(_inventory({'a2-0': {'vllm_serve_exclude_npus': [3, 'four']}}), 'types')
    assert found['problem'].startswith("item 1: 'four' is not an integer")


def test_a_value_outside_the_choices_is_refused_with_the_closest_choice():
    found = _only(_inventory({'a2-0': {'model_weights_source': 'modelscop'}}), 'types')
    assert 'did you mean modelscope' in found['problem']
    assert found['accepted'] == 'one of modelscope, huggingface, path, archive'


def test_a_list_where_a_dictionary_belongs_is_refused():
    found = _only(_inventory({'a2-0': {'vllm_serve_extra_env': ['HCCL_CONNECT_TIMEOUT=120']}}), 'types')
    assert found['variable'] == 'vllm_serve_extra_env' and 'not a dictionary' in found['problem']


def test_null_where_the_role_needs_a_value_is_refused():
    found = _only(_inventory({'a2-0': {'hccl_check_checks': None}}), 'types')
    assert found['variable'] == 'hccl_check_checks' and 'null' in found['problem']


def test_a_secret_of_the_wrong_type_is_refused_without_showing_it():
    found = _only(_inventory({'a2-0': {'vllm_serve_api_key': ['s3cr3t-key']}}), 'types')
    assert found['variable'] == 'vllm_serve_api_key'
    assert 's3cr3t' not in report([found]) and 'the value given' in found['problem']


def test_a_typo_in_a_role_variable_is_refused_with_the_right_name():
    found = _only(_inventory({'a2-0': {'vllm_serve_tensor_parallel': 4}}), 'types')
    assert found['variable'] == 'vllm_serve_tensor_parallel' and found['accepted'] == 'vllm_serve_tensor_parallel_size'


def test_facts_the_roles_set_are_no_typos():
    facts = {'npu_driver_installed': {'driver': ''}, 'vllm_serve_endpoints': []}
    assert validate(_inventory({'a2-0': facts}, known_facts=['npu_driver_installed', 'vllm_serve_endpoints']), ['types']) == []


def test_a_template_that_cannot_be_evaluated_is_refused():
    inventory = _inventory(errors={'a2-0': {'vllm_serve_api_key': "'vault_vllm_api_key' is undefined"}})
    found = _only(inventory, 'types')
    assert found['variable'] == 'vllm_serve_api_key' and 'cannot be evaluated' in found['problem']


def test_a_template_that_reads_facts_is_left_for_later():
    inventory = _inventory(errors={'a2-0': {'vllm_serve_host': "'ansible_default_ipv4' is undefined",
                                            'vllm_serve_model_path': "'ascend_model_path' is undefined"}},
                           known_facts=['ascend_model_path'])
    assert validate(inventory, ['types']) == []


# ---------------------------------------------------------------- node type and model


def test_an_unknown_node_type_is_refused_with_the_known_ones():
    found = _only(_inventory({'a2-0': {'ascend_node_type': 'atlas_800_a4'}}, groups={'all': ['a2-0', 'a2-1', 'a3-0']}),
                  'node_type')
    assert (found['host'], found['variable']) == ('a2-0', 'ascend_node_type')
    assert "unknown node type 'atlas_800_a4'" in found['problem'] and 'atlas_800_a2, atlas_800_a3' in found['accepted']


def test_a_host_without_a_node_type_is_refused():
    found = _only(_inventory({'a2-1': {'ascend_node_type': _DROP}}), 'node_type')
    assert (found['host'], found['variable']) == ('a2-1', 'ascend_node_type') and 'is not set' in found['problem']


def test_a_role_override_of_the_node_type_is_checked_under_its_own_name():
    found = _only(_inventory({'a2-0': {'npu_driver_node_type': 'atlas_900'}}), 'node_type')
    assert found['variable'] == 'npu_driver_node_type'


def test_a_node_type_added_in_the_inventory_is_known():
    extra = {'atlas_800t_a2': {'npus': 8, 'hbm_gib': 64}}
    inventory = _inventory({'a2-0': {'ascend_node_type': 'atlas_800t_a2', 'ascend_node_types_extra': extra}},
                           groups={'all': list(GROUPS['all'])})
    assert validate(inventory, ['node_type', 'plan']) == []


def test_a_wrong_catalog_extra_is_refused_naming_the_entry():
    found = _only(_inventory({'a2-0': {'ascend_node_types_extra': {'atlas_800t_a2': {'npus': 0, 'hbm_gib': 64}}}}), 'node_type')
    assert found['variable'] == 'ascend_node_types_extra' and found['problem'].startswith('atlas_800t_a2.npus: must be a positive')


def test_a_host_whose_node_type_contradicts_its_group_is_refused():
    found = _only(_inventory({'a2-1': {'ascend_node_type': 'atlas_800_a3'}}), 'node_type')
    assert (found['host'], found['variable']) == ('a2-1', 'ascend_node_type')
    assert "is 'atlas_800_a3' but the host is in the group atlas_800_a2" in found['problem']
    assert found['accepted'].startswith('atlas_800_a2')


def test_a_host_in_two_node_type_groups_is_refused():
    groups = dict(GROUPS, atlas_800_a3=['a3-0', 'a2-0'])
    found = _only(_inventory(groups=groups), 'node_type')
    assert found['host'] == 'a2-0' and 'atlas_800_a2 and atlas_800_a3' in found['problem']


def test_an_unknown_model_is_refused_with_the_closest_one():
    found = _only(_inventory({'a3-0': {'ascend_model': 'qwen3.6-27b-w8a'}}), 'model')
    assert found['variable'] == 'ascend_model' and 'did you mean qwen3.6-27b-w8a8' in found['problem']


def test_a_host_without_a_model_is_refused():
    found = _only(_inventory({'a3-0': {'ascend_model': _DROP}}), 'model')
    assert (found['host'], found['variable']) == ('a3-0', 'ascend_model') and 'is not set' in found['problem']


# ---------------------------------------------------------------- image release


def test_a_release_older_than_the_model_needs_is_refused():
    found = _only(_inventory({'a2-0': {'ascend_vllm_version': 'v0.17.0rc1'}}), 'image')
    assert found['variable'] == 'ascend_vllm_version'
    assert found['problem'] == 'v0.17.0rc1 is too old for qwen3.6-27b-w8a8' and found['accepted'] == 'v0.18.0rc1 or newer'


def test_a_release_with_the_node_types_suffix_is_refused():
    found = _only(_inventory({'a3-0': {'vllm_image_version': 'v0.18.0rc1-a3'}}), 'image')
    assert found['variable'] == 'vllm_image_version' and found['accepted'] == 'the bare release, v0.18.0rc1'


def test_a_release_that_is_no_release_is_refused():
    found = _only(_inventory({'a2-0': {'ascend_vllm_version': 'latest'}}), 'image')
    assert found['variable'] == 'ascend_vllm_version' and 'is not a vllm-ascend release' in found['problem']


def test_a_missing_release_is_refused():
    found = _only(_inventory({'a2-0': {'ascend_vllm_version': _DROP}}), 'image')
    assert found['variable'] == 'ascend_vllm_version' and 'is not set' in found['problem']


def test_an_image_archive_missing_on_the_controller_is_refused():
    inventory = _inventory({'a2-0': {'vllm_image_archive': '/srv/images/v.tar'}},
                           controller={'files': {'/srv/images/v.tar': False}})
    found = _only(inventory, 'image')
    assert found['variable'] == 'vllm_image_archive' and 'does not exist on the controller' in found['problem']


# ---------------------------------------------------------------- the default plan


def test_a_tensor_parallel_size_the_model_cannot_take_is_refused_in_the_users_words():
    found = _only(_inventory({'a2-1': {'vllm_serve_tensor_parallel_size': 3}}), 'plan')
    assert (found['host'], found['variable']) == ('a2-1', 'vllm_serve_tensor_parallel_size')
    assert found['problem'] == '3 does not divide the attention heads of qwen3.6-27b-w8a8'
    assert found['accepted'] == '1, 2, 4, 8 (recommended 2)'


def test_more_replicas_than_the_node_holds_are_refused():
    found = _only(_inventory({'a2-0': {'vllm_serve_replicas': 5}}), 'plan')
    assert found['variable'] == 'vllm_serve_replicas' and found['accepted'] == 'vllm_serve_replicas: 4 or less'


def test_a_context_above_the_models_maximum_is_refused():
    found = _only(_inventory({'a3-0': {'vllm_serve_max_model_len': 300000}}), 'plan')
    assert found['variable'] == 'vllm_serve_max_model_len' and found['accepted'] == '262144 or less'


def test_a_memory_test_failure_names_only_the_users_variables():
    bf16 = {'ascend_model': 'qwen3.6-27b', 'vllm_serve_tensor_parallel_size': 1, 'vllm_serve_max_model_len': 262144}
    found = _only(_inventory({'a2-0': bf16}), 'plan')
    assert found['variable'] == 'vllm_serve_tensor_parallel_size' and 'memory test failed' in found['problem']
    line = _validate.problem_line(found)
    for planner_word in ('tensor_parallel_size', 'max_model_len', 'gpu_memory_utilization'):
        assert line.count(planner_word) == line.count('vllm_serve_' + planner_word), line
    assert found['accepted'].startswith('vllm_serve_tensor_parallel_size: ')


def test_colliding_ports_are_refused_naming_the_port_the_user_set():
    found = _only(_inventory({'a2-0': {'vllm_serve_base_port': 60000}}), 'plan')
    assert found['variable'] == 'vllm_serve_base_port' and found['accepted'].startswith('vllm_serve_base_port: ')


def test_a_port_in_the_extra_options_for_every_replica_is_refused():
    found = _only(_inventory({'a2-0': {'vllm_serve_extra_options': {'port': 8000}}}), 'plan')
    assert found['variable'] == 'vllm_serve_extra_options' and 'share API port 8000' in found['problem']


def test_the_api_key_in_the_extra_environment_is_refused():
    found = _only(_inventory({'a2-0': {'vllm_serve_extra_env': {'VLLM_API_KEY': 'k'}}}), 'plan')
    assert found['variable'] == 'vllm_serve_extra_env' and found['accepted'].startswith('vllm_serve_api_key')


def test_no_plan_is_made_on_a_wrong_node_type_so_that_it_is_reported_once():
    inventory = _inventory({'a2-0': {'ascend_node_type': 'atlas_800_a4', 'vllm_serve_tensor_parallel_size': 3}})
    assert _problems(inventory, 'plan') == []


# ---------------------------------------------------------------- data-parallel groups

DP_GROUPS = dict(GROUPS, qwen_dp=['a2-0', 'a2-1'])
DP = {'vllm_serve_data_parallel_group': 'qwen_dp'}


def test_a_data_parallel_group_of_two_nodes_passes():
    assert validate(_inventory({'a2-0': DP, 'a2-1': DP}, groups=DP_GROUPS)) == []


def test_a_data_parallel_group_that_is_no_inventory_group_is_refused():
    found = _problems(_inventory({'a2-0': {'vllm_serve_data_parallel_group': 'qwen-dp'}}, groups=DP_GROUPS), 'data_parallel')
    assert [(item['host'], item['variable']) for item in found] == [('a2-0', 'vllm_serve_data_parallel_group')]
    assert 'did you mean qwen_dp' in found[0]['problem']


def test_a_node_in_two_data_parallel_groups_is_refused():
    groups = dict(DP_GROUPS, other_dp=['a2-1', 'a3-0'])
    found = _problems(_inventory({'a2-0': DP, 'a2-1': DP, 'a3-0': {'vllm_serve_data_parallel_group': 'other_dp'}},
                                 groups=groups), 'data_parallel')
    assert found[0]['host'] == 'a2-1' and 'groups other_dp and qwen_dp' in found[0]['problem']


def test_a_member_that_names_no_group_is_refused():
    found = _only(_inventory({'a2-0': DP}, groups=DP_GROUPS), 'data_parallel')
    assert found['host'] == 'a2-1' and "is '' but the host is a node of the data-parallel group qwen_dp" in found['problem']


def test_a_host_naming_a_group_it_is_not_in_is_refused():
    found = [item for item in _problems(_inventory({'a2-0': DP, 'a2-1': DP, 'a3-0': DP}, groups=DP_GROUPS), 'data_parallel')
             if item['host'] == 'a3-0']
    assert len(found) == 1 and 'not a node of that group' in found[0]['problem']


def test_a_data_parallel_group_of_one_node_is_refused():
    found = _only(_inventory({'a2-0': DP}, groups=dict(GROUPS, qwen_dp=['a2-0'])), 'data_parallel')
    assert (found['group'], found['variable']) == ('qwen_dp', 'vllm_serve_data_parallel_group')
    assert 'has 1 node' in found['problem']


def test_a_data_parallel_group_partly_outside_the_run_is_refused():
    found = _only(_inventory({'a2-0': DP, 'a2-1': DP}, groups=DP_GROUPS, play_hosts=['a2-0']), 'data_parallel')
    assert found['group'] == 'qwen_dp' and 'a2-1' in found['problem'] and found['accepted'].startswith('--limit qwen_dp')


def test_differing_tensor_parallel_sizes_in_a_group_are_refused_for_the_group():
    found = _only(_inventory({'a2-0': DP, 'a2-1': dict(DP, vllm_serve_tensor_parallel_size=4)}, groups=DP_GROUPS),
                  'data_parallel')
    assert (found['group'], found['variable']) == ('qwen_dp', 'vllm_serve_tensor_parallel_size')
    assert 'a2-0 2, a2-1 4' in found['problem'] and 'such as 2' in found['accepted']


def test_differing_rpc_ports_in_a_group_are_refused():
    found = _only(_inventory({'a2-0': DP, 'a2-1': dict(DP, vllm_serve_data_parallel_rpc_port=13390)}, groups=DP_GROUPS),
                  'data_parallel')
    assert (found['group'], found['variable']) == ('qwen_dp', 'vllm_serve_data_parallel_rpc_port')


def test_an_rpc_port_on_a_planned_port_is_refused():
    rpc = dict(DP, vllm_serve_data_parallel_rpc_port=8001)
    found = _only(_inventory({'a2-0': rpc, 'a2-1': rpc}, groups=DP_GROUPS), 'data_parallel')
    assert found['variable'] == 'vllm_serve_data_parallel_rpc_port' and 'API port of replica r1' in found['problem']


def test_a_malformed_interface_name_is_refused():
    found = _only(_inventory({'a2-0': DP, 'a2-1': dict(DP, vllm_serve_data_parallel_interface='eth 0')}, groups=DP_GROUPS),
                  'data_parallel')
    assert (found['host'], found['variable']) == ('a2-1', 'vllm_serve_data_parallel_interface')


# ---------------------------------------------------------------- weights


def test_a_path_source_without_its_path_is_refused():
    found = _only(_inventory({'a2-0': {'model_weights_source': 'path'}}), 'weights')
    assert found['variable'] == 'model_weights_source_path' and 'model_weights_source is path' in found['problem']


def test_a_relative_path_source_is_refused():
    found = _only(_inventory({'a2-0': {'model_weights_source': 'path', 'model_weights_source_path': 'weights/q'}}), 'weights')
    assert found['variable'] == 'model_weights_source_path' and 'not an absolute path' in found['problem']


def test_an_archive_missing_on_the_controller_is_refused():
    inventory = _inventory({'a2-0': {'model_weights_source': 'archive', 'model_weights_source_path': '/srv/q.tar'}},
                           controller={'files': {'/srv/q.tar': False}})
    found = _only(inventory, 'weights')
    assert found['variable'] == 'model_weights_source_path' and 'does not exist on the controller' in found['problem']


def test_a_hub_mirror_that_is_no_url_is_refused():
    found = _only(_inventory({'a2-0': {'model_weights_endpoint': 'hub.example.internal'}}), 'weights')
    assert found['variable'] == 'model_weights_endpoint'


def test_nfs_storage_without_an_export_is_refused():
    found = _only(_inventory({'a2-0': {'ascend_weights_storage': 'nfs'}}), 'weights')
    assert found['variable'] == 'model_weights_cache_nfs_src' and found['accepted'].startswith('server:/path')
    assert 'ascend_weights_storage is nfs' in found['problem']


def test_a_missing_weight_cache_is_refused_once_under_the_collection_wide_name():
    found = _only(_inventory({'a3-0': {'ascend_weights_dir': _DROP}}), 'weights')
    assert (found['host'], found['variable']) == ('a3-0', 'ascend_weights_dir') and 'is not set' in found['problem']


def test_a_relative_weight_cache_is_refused():
    found = _only(_inventory({'a3-0': {'ascend_weights_dir': 'models'}}), 'weights')
    assert found['variable'] == 'ascend_weights_dir' and 'not an absolute path' in found['problem']


# ---------------------------------------------------------------- API key


def test_a_required_api_key_that_is_not_set_is_refused():
    found = _only(_inventory({'a3-0': {'ascend_require_api_key': True}}), 'api_key')
    assert (found['host'], found['variable']) == ('a3-0', 'vllm_serve_api_key')
    assert 'ascend_require_api_key is true' in found['problem'] and 'ansible-vault' in found['accepted']


def test_a_required_api_key_that_is_set_passes():
    assert _problems(_inventory({'a3-0': {'ascend_require_api_key': 'yes', 'vllm_serve_api_key': 'k3y'}}), 'api_key') == []


def test_an_api_key_with_characters_the_script_cannot_take_is_refused_without_showing_it():
    found = _only(_inventory({'a3-0': {'vllm_serve_api_key': 'ab cd"$x'}}), 'api_key')
    assert found['variable'] == 'vllm_serve_api_key' and 'ab cd' not in report([found])


def test_nodes_that_serve_every_interface_without_a_key_are_named_for_a_warning():
    inventory = _inventory({'a2-0': {'vllm_serve_api_key': 'k'}, 'a2-1': {'vllm_serve_host': '10.0.0.5'}})
    assert _validate.open_endpoints(inventory) == ['a3-0']


# ---------------------------------------------------------------- HCCL addresses


def _addresses(third, count=8):
    return ['10.20.%d.%d' % (third, npu + 1) for npu in range(count)]


def test_an_address_given_to_npus_of_two_nodes_is_refused_on_both():
    inventory = _inventory({'a2-0': {'hccl_check_npu_addresses': _addresses(1)},
                            'a2-1': {'hccl_check_npu_addresses': _addresses(2)[:7] + ['10.20.1.4']}})
    found = _problems(inventory, 'hccl')
    assert [(item['host'], item['variable']) for item in found] == [
        ('a2-0', 'hccl_check_npu_addresses'), ('a2-1', 'hccl_check_npu_addresses')]
    assert found[0]['problem'] == 'gives 10.20.1.4 to NPU 3 and also to a2-1 NPU 7'


def test_an_address_given_to_two_npus_of_one_node_is_refused():
    found = _problems(_inventory({'a2-0': {'hccl_check_npu_addresses': _addresses(1)[:7] + ['10.20.1.1']}}), 'hccl')
    assert {item['host'] for item in found} == {'a2-0'} and 'a2-0 NPU 7' in found[0]['problem']


def test_an_npu_address_that_is_no_ipv4_address_is_refused():
    found = _only(_inventory({'a2-0': {'hccl_check_npu_addresses': _addresses(1)[:7] + ['10.20.1.256']}}), 'hccl')
    assert '10.20.1.256 is no IPv4 address' in found['problem']


def test_too_few_addresses_to_configure_are_refused():
    found = _only(_inventory({'a3-0': {'hccl_check_configure': True, 'hccl_check_npu_addresses': _addresses(3)}}), 'hccl')
    assert found['host'] == 'a3-0' and found['accepted'].startswith('16 addresses')


def test_a_configured_netmask_that_is_no_address_is_refused():
    found = _only(_inventory({'a2-0': {'hccl_check_configure': True, 'hccl_check_npu_addresses': _addresses(1),
                                       'hccl_check_npu_netmask': '/24'}}), 'hccl')
    assert found['variable'] == 'hccl_check_npu_netmask'


# ---------------------------------------------------------------- driver and firmware


def test_a_firmware_outside_the_range_of_the_default_driver_is_refused_with_both_versions():
    found = _only(_inventory({'a2-0': {'npu_driver_firmware_version': '7.8.0.2.210'}}), 'driver')
    assert (found['host'], found['variable']) == ('a2-0', 'npu_driver_firmware_version')
    assert '7.8.0.2.210 is outside [7.0.0, 7.7.99]' in found['problem'] and 'driver 25.0.rc1.1' in found['problem']


def test_the_range_read_from_the_driver_package_on_the_controller_decides():
    package = {'path': '/pkgs/Ascend-hdk-910b-npu-driver_26.0.rc1_linux-aarch64.run',
               'version_info': {'Version': '26.0.rc1', 'compatible_version_fw': '[7.8.0,7.9.99]'}}
    inventory = _inventory({'a2-0': {'npu_driver_version': '26.0.rc1'}}, controller={'driver_packages': {'a2-0': package}})
    found = _only(inventory, 'driver')
    assert found['variable'] == 'npu_driver_version' and 'outside [7.8.0, 7.9.99]' in found['problem']
    assert package['path'] in found['problem']


def test_a_driver_outside_the_range_of_the_firmware_package_is_refused():
    package = {'path': '/pkgs/fw.run', 'version_info': {'Version': '7.7.0.1.231', 'compatible_version_drv': '[24.1,24.1.]'}}
    found = _only(_inventory(controller={'firmware_packages': {'a2-0': package}}), 'driver')
    assert found['variable'] == 'npu_driver_version' and 'outside [24.1, 24.1.]' in found['problem']
    assert 'compatible_version_drv of /pkgs/fw.run' in found['problem'] and found['accepted'].startswith('a driver version within')


def test_a_driver_without_firmware_management_is_not_checked_against_a_range():
    inventory = _inventory({'a2-0': {'npu_driver_firmware_version': '7.8.0.2.210', 'npu_driver_firmware': False}})
    assert _problems(inventory, 'driver') == []


def test_a_driver_version_that_is_no_version_is_refused():
    found = _only(_inventory({'a2-0': {'npu_driver_version': 'latest driver'}}), 'driver')
    assert found['variable'] == 'npu_driver_version' and found['accepted'] == 'a version such as 25.0.rc1.1'


def test_two_package_sources_are_refused():
    found = _only(_inventory({'a2-0': {'npu_driver_packages_url': 'http://repo', 'npu_driver_packages_dir': '/srv/p'}}), 'driver')
    assert found['variable'] == 'npu_driver_packages_dir'


def test_a_package_url_without_a_scheme_is_refused():
    found = _only(_inventory({'a2-0': {'npu_driver_packages_url': 'repo.example.internal/ascend'}}), 'driver')
    assert found['variable'] == 'npu_driver_packages_url'


# ---------------------------------------------------------------- reading variables as the roles do


def test_an_unset_role_variable_is_blamed_on_the_collection_wide_one_it_forwards():
    inventory = _inventory()
    assert inventory.blame('a2-0', 'vllm_serve_model') == 'ascend_model'
    assert inventory.value('a2-0', 'vllm_serve_model') == 'qwen3.6-27b-w8a8'
    assert inventory.blame('a2-0', 'model_weights_storage') == 'ascend_weights_storage'
    assert inventory.value('a2-0', 'model_weights_storage') == 'local'


def test_a_role_variable_set_directly_is_blamed_on_itself():
    inventory = _inventory({'a2-0': {'vllm_serve_model': 'qwen3.5-27b'}})
    assert inventory.blame('a2-0', 'vllm_serve_model') == 'vllm_serve_model'
    assert inventory.value('a2-0', 'vllm_serve_data_parallel_rpc_port') == 13389


def test_the_require_api_key_default_forwards_the_collection_wide_setting():
    inventory = _inventory({'a2-0': {'ascend_require_api_key': True}})
    assert inventory.bool_value('a2-0', 'vllm_serve_require_api_key') is True
    assert inventory.bool_value('a2-1', 'vllm_serve_require_api_key') is False


# ---------------------------------------------------------------- the report


def test_the_first_line_names_host_variable_problem_and_accepted_value():
    found = _problems(_inventory({'a2-1': {'vllm_serve_tensor_parallel_size': 3, 'npu_driver_reboot': 'maybe'}}))
    first = report(found).splitlines()[0]
    assert first == "a2-1: npu_driver_reboot: 'maybe' is not a boolean; accepted: true or false (also yes/no, on/off, 1/0)"
    assert '2 problems' in report(found) and 'vllm_serve_tensor_parallel_size' in report(found)


def test_the_same_problem_on_every_host_of_a_group_is_reported_once_for_the_group():
    found = _problems(_inventory({'a2-0': {'vllm_serve_replicas': 9}, 'a2-1': {'vllm_serve_replicas': 9}}))
    assert len(found) == 2
    assert report(found, GROUPS).splitlines()[0].startswith('group atlas_800_a2 (a2-0, a2-1): vllm_serve_replicas: ')


def test_the_source_of_a_value_is_named_when_known():
    inventory = _inventory({'a2-0': {'npu_driver_reboot': 'maybe'}},
                           sources={'a2-0': {'npu_driver_reboot': 'inventories/site/host_vars/a2-0.yml:3'}})
    assert report(validate(inventory)).splitlines()[0].endswith('(from inventories/site/host_vars/a2-0.yml:3)')


def test_only_the_topics_asked_for_are_checked():
    inventory = _inventory({'a3-0': {'ascend_model': _DROP, 'npu_driver_reboot': 'maybe'}})
    assert [item['variable'] for item in validate(inventory, ['types', 'node_type', 'hccl'])] == ['npu_driver_reboot']


def test_an_unknown_topic_is_refused():
    with pytest.raises(ValueError, match='unknown check topics nope'):
        validate(_inventory(), ['nope'])


def test_every_topic_has_a_check():
    # _validate_bench registers when imported (the action plugin imports it).
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_bench  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_rolling  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_accuracy  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_monitoring  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_remove  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_faults  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_artifacts  # noqa: F401 pylint: disable=unused-import
    from ansible_collections.ascend_ops.vllm.plugins.module_utils import _validate_bundle  # noqa: F401 pylint: disable=unused-import
    # The topics of the day-two modules register in the order pytest imports their tests: compared as a set.
    assert sorted(_validate.topics()) == sorted(['types', 'node_type', 'model', 'image', 'plan', 'data_parallel', 'weights', 'api_key',
                                                 'hccl', 'driver', 'router', 'bench', 'rolling', 'accuracy', 'monitoring', 'remove',
                                                 'faults', 'bundle', 'artifacts'])


# ---------------------------------------------------------------- the cluster endpoint (router)

ROUTER_GROUPS = dict(GROUPS, all=GROUPS['all'] + ['rt-0'], vllm_router=['rt-0'])


def _routed(router=None, overrides=None, groups=None, **keywords):
    """The example site with a pure router host rt-0 (no node type) in the vllm_router group."""
    return _inventory(dict({'rt-0': dict(CLUSTER, **(router or {}))}, **(overrides or {})), groups=groups or ROUTER_GROUPS,
                      **keywords)


def test_a_pure_router_host_is_no_serving_node_and_passes():
    inventory = _routed()
    assert inventory.router_hosts == ['rt-0'] and 'rt-0' not in inventory.play_hosts and 'rt-0' in inventory.run_hosts
    assert validate(inventory) == []


def test_a_router_host_that_also_serves_is_checked_as_a_serving_node():
    groups = dict(GROUPS, vllm_router=['a2-0'])
    inventory = _inventory(groups=groups)
    assert inventory.router_hosts == ['a2-0'] and 'a2-0' in inventory.play_hosts
    assert validate(inventory) == []


def test_a_router_variable_of_the_wrong_type_on_a_pure_router_host_is_refused():
    found = _only(_routed({'vllm_router_health_check_interval': 'often'}))
    assert found['host'] == 'rt-0' and found['variable'] == 'vllm_router_health_check_interval'
    assert 'not an integer' in found['problem']


def test_a_policy_outside_the_accepted_set_is_refused():
    found = _only(_routed({'vllm_router_policy': 'kv_aware'}))
    assert found['variable'] == 'vllm_router_policy' and 'round_robin' in found['accepted']


def test_a_threshold_below_one_is_refused():
    found = _only(_routed({'vllm_router_health_failure_threshold': 0}), 'router')
    assert found['variable'] == 'vllm_router_health_failure_threshold' and '1 or more' in found['accepted']


def test_a_router_port_out_of_range_is_refused():
    found = _only(_routed({'vllm_router_front_port_base': 80}), 'router')
    assert found['variable'] == 'vllm_router_front_port_base' and 'within 1024-65535' in found['problem']


def test_a_front_port_on_a_replica_port_of_a_serving_router_host_is_refused():
    groups = dict(GROUPS, vllm_router=['a2-0'])
    found = _only(_inventory({'a2-0': {'vllm_router_front_port_base': 8002}}, groups=groups), 'router')
    assert found['host'] == 'a2-0' and found['variable'] == 'vllm_router_front_port_base'
    assert 'port 8002' in found['problem'] and 'API port of replica r2' in found['problem']


def test_a_front_port_override_on_the_router_port_is_refused():
    found = _only(_routed({'vllm_router_front_ports': {'qwen3.6': 30000}}), 'router')
    assert found['variable'] == 'vllm_router_front_ports' and 'the router of qwen3.6' in found['problem']


def test_a_tls_certificate_missing_on_the_controller_is_refused():
    found = _only(_routed({'vllm_router_tls_certificate': '/srv/pki/front.pem'},
                          controller={'files': {'/srv/pki/front.pem': False}}), 'router')
    assert found['variable'] == 'vllm_router_tls_certificate' and 'does not exist on the controller' in found['problem']
    assert _problems(_routed({'vllm_router_tls_certificate': '/srv/pki/front.pem'},
                             controller={'files': {'/srv/pki/front.pem': True}}), 'router') == []


def test_a_router_group_without_serving_hosts_is_refused():
    inventory = Inventory({'rt-0': dict(CLUSTER)}, groups={'all': ['rt-0'], 'vllm_router': ['rt-0']}, specs=SPECS)
    found = _only(inventory, 'router')
    assert found['group'] == 'vllm_router' and 'no serving host' in found['problem']


def test_a_replica_key_other_than_the_cluster_key_is_refused_without_showing_it():
    key = {'ascend_api_key': 'cluster-key-1'}
    found = _only(_routed(key, {'a2-0': key, 'a2-1': key, 'a3-0': dict(key, vllm_serve_api_key='other-key-2')}), 'router')
    assert found['host'] == 'a3-0' and found['variable'] == 'vllm_serve_api_key' and 'ascend_api_key' in found['accepted']
    assert 'other-key-2' not in str(found) and 'cluster-key-1' not in str(found)


def test_one_collection_wide_key_passes_and_is_never_shown_in_a_type_problem():
    key = {'ascend_api_key': 'cluster-key-1'}
    assert validate(_routed(key, {'a2-0': key, 'a2-1': key, 'a3-0': key})) == []
    found = _only(_inventory({'a2-0': {'ascend_api_key': ['cluster-key-1']}}), 'types')
    assert found['variable'] == 'ascend_api_key' and 'cluster-key-1' not in str(found)
