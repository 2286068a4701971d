# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import re

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._layout import (
    HCCL_PORTS_PER_BASE,
    PORT_STRIDE,
    LayoutError,
    listen_ports,
    serving_layout,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._serve_args import serve_argv

GIB = 2 ** 30
MODEL_IDS = ['qwen3.5-27b', 'qwen3.5-27b-w8a8', 'qwen3.6-27b', 'qwen3.6-27b-w8a8']

# Figures from the public model configs (docs/planning.md), written out here
# rather than read from the catalog so that a wrong catalog entry fails a test.
WHOLE_MODEL_KV_PER_TOKEN = 64 * 1024      # 16 full-attention layers, BF16
MTP_LAYER_KV_PER_TOKEN = 4 * 1024         # the MTP draft's one full-attention layer
LINEAR_STATE_PER_SEQUENCE = 144 * 2 ** 20  # Gated-DeltaNet state, fp32
KV_HEADS = 4


def _plan(**request):
    return serving_layout(request)


def _refusal(**request):
    with pytest.raises(LayoutError) as caught:
        serving_layout(request)
    return caught.value


def _kv_per_token_per_npu(tensor_parallel_size):
    shards = min(tensor_parallel_size, KV_HEADS)
    return (WHOLE_MODEL_KV_PER_TOKEN + MTP_LAYER_KV_PER_TOKEN) // shards


def _check_blocks(plan, node_npus, chips_per_module):
    size = plan['tensor_parallel_size']
    seen = set()
    for replica in plan['replicas']:
        npus = replica['npus']
        assert len(npus) == size
        assert npus == list(range(npus[0], npus[0] + size)), 'contiguous'
        assert npus[0] % size == 0, 'aligned'
        assert not seen & set(npus), 'disjoint'
        seen |= set(npus)
        assert replica['devices'] == ['/dev/davinci%d' % npu for npu in npus]
        if size >= 2:
            for npu in npus:
                partner = npu ^ 1 if chips_per_module == 2 else npu
                assert partner in npus, 'an A3 module stays in one replica'
    assert all(0 <= npu < node_npus for npu in seen)


# ------------------------------------------------------------------ tutorial layouts


@pytest.mark.parametrize('model', MODEL_IDS)
def test_a2_defaults_give_the_tutorial_tp2_x4(model):
    plan = _plan(node_type='atlas_800_a2', model=model)
    assert plan['tensor_parallel_size'] == 2
    assert [replica['npus'] for replica in plan['replicas']] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert plan['unused_npus'] == []
    assert plan['max_model_len'] == 133000
    _check_blocks(plan, 8, 1)


@pytest.mark.parametrize('model', MODEL_IDS)
def test_a3_defaults_give_the_tutorial_tp2_x8(model):
    plan = _plan(node_type='atlas_800_a3', model=model, max_num_seqs=32, max_num_batched_tokens=16384)
    assert plan['tensor_parallel_size'] == 2
    assert len(plan['replicas']) == 8
    assert plan['npus_used'] == list(range(16))
    _check_blocks(plan, 16, 2)


@pytest.mark.parametrize('model', ['qwen3.6-27b', 'qwen3.6-27b-w8a8'])
def test_a3_tp8_long_context_gives_tp8_x2(model):
    plan = _plan(node_type='atlas_800_a3', model=model, tensor_parallel_size=8, max_model_len=262144,
                 max_num_seqs=8, max_num_batched_tokens=8192)
    assert [replica['npus'] for replica in plan['replicas']] == [list(range(8)), list(range(8, 16))]
    assert plan['tensor_parallel_size_reason'] == 'set by the user'
    assert plan['full_length_sequences'] >= 1
    options = plan['replicas'][1]['serve_options']
    assert (options['tensor_parallel_size'], options['max_model_len'], options['max_num_seqs'],
            options['max_num_batched_tokens']) == (8, 262144, 8, 8192)


def test_the_tutorial_single_instance_is_available_by_asking_for_one_replica():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', replicas=1)
    assert [replica['npus'] for replica in plan['replicas']] == [[0, 1]]
    assert plan['unused_npus'] == [2, 3, 4, 5, 6, 7]
    assert any('stay idle' in note for note in plan['notes'])


def test_each_replica_is_named_for_its_container_and_the_plan_says_itself_on_one_line():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', replicas=2, max_model_len=65536)
    assert [replica['name'] for replica in plan['replicas']] == ['vllm-qwen3.5-r0', 'vllm-qwen3.5-r1']
    assert plan['summary'].startswith('2 x TP2 of qwen3.5-27b-w8a8 (')
    assert 'max_model_len 65536: r0 NPUs 0,1 port 8000; r1 NPUs 2,3 port 8001; notes: ' in plan['summary']
    assert 'stay idle' in plan['summary']


# ------------------------------------------------------------------ ports and serve options


def test_listen_ports_are_api_hccl_range_and_head_rpc_with_the_users_overrides():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.6-27b-w8a8', replicas=2)
    ports = listen_ports(plan['replicas'])
    assert ports[:1 + HCCL_PORTS_PER_BASE] == [8000] + list(range(60000, 60000 + HCCL_PORTS_PER_BASE))
    assert ports[1 + HCCL_PORTS_PER_BASE] == 8001 and len(ports) == 2 * (1 + HCCL_PORTS_PER_BASE)
    # Every replica on one HCCL base: the range is listed once.
    clash = listen_ports(plan['replicas'], extra_env={'HCCL_IF_BASE_PORT': '61000'})
    assert clash == [8000] + list(range(61000, 61000 + HCCL_PORTS_PER_BASE)) + [8001]
    head = dict(plan['replicas'][0], serve_options=dict(plan['replicas'][0]['serve_options'], data_parallel_rpc_port=13389),
                data_parallel={'head': True})
    headless = dict(plan['replicas'][1], serve_options=dict(plan['replicas'][1]['serve_options'], headless=True))
    assert listen_ports([head])[-1] == 13389
    assert 8001 not in listen_ports([headless])


def test_ports_step_per_replica_and_never_overlap():
    plan = _plan(node_type='atlas_800_a3', model='qwen3.5-27b')
    assert plan['port_stride'] == PORT_STRIDE >= 32
    # CANN 8's HCCL listens on 32 ports from its base; the plan says so for the roles' port checks.
    assert plan['hccl_ports_per_base'] == 32 < PORT_STRIDE
    used = []
    for index, replica in enumerate(plan['replicas']):
        assert replica['index'] == index
        assert replica['port'] == 8000 + index
        assert replica['hccl_base_port'] == 60000 + index * PORT_STRIDE
        assert replica['vllm_port'] == 20000 + index * PORT_STRIDE
        used.append(set([replica['port']]))
        used.append(set(range(replica['hccl_base_port'], replica['hccl_base_port'] + 32)))
        used.append(set(range(replica['vllm_port'], replica['vllm_port'] + PORT_STRIDE)))
    for position, ports in enumerate(used):
        for other in used[position + 1:]:
            assert not ports & other


def test_port_bases_move_with_the_request():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b', base_port=9000, hccl_base_port=50000, vllm_port=30000)
    assert [(r['port'], r['hccl_base_port'], r['vllm_port']) for r in plan['replicas']] == \
        [(9000, 50000, 30000), (9001, 50100, 30100), (9002, 50200, 30200), (9003, 50300, 30300)]


def test_each_replica_carries_its_env_and_serve_options():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', model_path='/models/qwen3.5-w8a8', host='127.0.0.1')
    for replica in plan['replicas']:
        assert replica['env']['HCCL_IF_BASE_PORT'] == str(replica['hccl_base_port'])
        assert replica['env']['VLLM_PORT'] == str(replica['vllm_port'])
        argv = serve_argv(replica['serve_options'])
        pairs = dict(zip(argv, argv[1:]))
        assert argv[1] == '/models/qwen3.5-w8a8'
        assert pairs['--port'] == str(replica['port'])
        assert pairs['--host'] == '127.0.0.1'
        assert pairs['--tensor-parallel-size'] == '2'
        assert pairs['--served-model-name'] == 'qwen3.5'
        assert pairs['--quantization'] == 'ascend'
        assert pairs['--max-model-len'] == '133000'
        assert pairs['--gpu-memory-utilization'] == '0.9'


def test_model_defaults_to_the_weight_repository():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.6-27b')
    assert plan['replicas'][0]['serve_options']['model'] == 'Qwen/Qwen3.6-27B'
    assert plan['replicas'][0]['serve_options']['quantization'] is None
    assert plan['weight_repository'] == 'Qwen/Qwen3.6-27B'


# ------------------------------------------------------------------ memory


@pytest.mark.parametrize('model, weight_bytes', [('qwen3.5-27b', 54 * 10 ** 9), ('qwen3.5-27b-w8a8', 30 * 10 ** 9)])
@pytest.mark.parametrize('size', [2, 4, 8])
def test_memory_figures_follow_the_derivation(model, weight_bytes, size):
    plan = _plan(node_type='atlas_800_a2', model=model, tensor_parallel_size=size, max_model_len=100000,
                 gpu_memory_utilization=0.8)
    memory = plan['memory_per_npu']
    budget = int(64 * GIB * 0.8)
    per_token = _kv_per_token_per_npu(size)
    weights = -(-weight_bytes // size)
    reserve = memory['runtime_reserve_bytes']
    state = LINEAR_STATE_PER_SEQUENCE // size
    assert memory['budget_bytes'] == budget
    assert memory['kv_per_token_bytes'] == per_token
    assert memory['weights_bytes'] == weights
    assert memory['linear_attention_state_bytes'] == state
    assert memory['kv_per_sequence_bytes'] == 100000 * per_token
    assert memory['one_sequence_total_bytes'] == weights + reserve + 100000 * per_token + state
    assert plan['full_length_sequences'] == (budget - weights - reserve) // (100000 * per_token + state)
    assert plan['kv_cache_tokens'] == (budget - weights - reserve - 32 * state) // per_token
    assert plan['memory_per_npu_gib']['budget_gib'] == round(budget / GIB, 2)


def test_kv_is_replicated_beyond_the_kv_head_count():
    at_4 = _plan(node_type='atlas_800_a2', model='qwen3.5-27b', tensor_parallel_size=4)['memory_per_npu']
    at_8 = _plan(node_type='atlas_800_a2', model='qwen3.5-27b', tensor_parallel_size=8)['memory_per_npu']
    assert at_8['kv_per_token_bytes'] == at_4['kv_per_token_bytes']
    assert at_8['linear_attention_state_bytes'] * 2 == at_4['linear_attention_state_bytes']


def test_the_size_grows_when_one_sequence_does_not_fit():
    # At 50% of HBM, BF16 at TP2 needs 25.1 GiB weights + 4.3 GiB KV + reserve > 32 GiB.
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b', gpu_memory_utilization=0.5)
    assert plan['tensor_parallel_size'] == 4
    assert 'memory' in plan['tensor_parallel_size_reason']
    assert [replica['npus'] for replica in plan['replicas']] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    tp2 = _refusal(node_type='atlas_800_a2', model='qwen3.5-27b', gpu_memory_utilization=0.5, tensor_parallel_size=2)
    assert 'memory test failed' in str(tp2)


def test_w8a8_keeps_the_recommended_size_where_bf16_must_grow():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', gpu_memory_utilization=0.5)
    assert plan['tensor_parallel_size'] == 2
    assert plan['tensor_parallel_size_reason'] == 'recommended for the model'


def test_notes_report_fewer_full_length_sequences_than_max_num_seqs():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b')
    assert plan['full_length_sequences'] < 32
    assert any('fewer than max_num_seqs 32' in note for note in plan['notes'])
    few = _plan(node_type='atlas_800_a2', model='qwen3.5-27b', max_num_seqs=2)
    assert not any('max_num_seqs' in note for note in few['notes'])


# ------------------------------------------------------------------ placement


def test_present_and_excluded_npus_are_respected_on_a3():
    # Chip 3 is out: its module (chips 2 and 3) cannot host a TP2 replica.
    plan = _plan(node_type='atlas_800_a3', model='qwen3.5-27b-w8a8', exclude_npus=[3])
    assert [replica['npus'][0] for replica in plan['replicas']] == [0, 4, 6, 8, 10, 12, 14]
    assert plan['unused_npus'] == [2, 3]
    assert plan['excluded_npus'] == [3]
    _check_blocks(plan, 16, 2)
    single = _plan(node_type='atlas_800_a3', model='qwen3.5-27b-w8a8', exclude_npus=[3], tensor_parallel_size=1)
    assert [replica['npus'] for replica in single['replicas']][:3] == [[0], [1], [2]]
    assert single['unused_npus'] == [3]


def test_only_present_npus_are_used():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b', npus=['7', '6', '1', '0', '3'])
    assert [replica['npus'] for replica in plan['replicas']] == [[0, 1], [6, 7]]
    assert plan['unused_npus'] == [3]


def test_replicas_take_the_first_blocks():
    plan = _plan(node_type='atlas_800_a3', model='qwen3.5-27b', replicas=3)
    assert [replica['npus'] for replica in plan['replicas']] == [[0, 1], [2, 3], [4, 5]]
    assert plan['unused_npus'] == list(range(6, 16))


def test_numbers_given_as_text_are_accepted():
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b', tensor_parallel_size='4', max_model_len='65536',
                 gpu_memory_utilization='0.85')
    assert (plan['tensor_parallel_size'], plan['max_model_len'], plan['gpu_memory_utilization']) == (4, 65536, 0.85)


def test_the_plan_is_pure():
    request = {'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'npus': [0, 1, 2, 3],
               'catalog': {'models': {'qwen3.5-27b': {'runtime_reserve_gib': 5}}}}
    snapshot = copy.deepcopy(request)
    assert serving_layout(request) == serving_layout(request)
    assert request == snapshot


def test_image_tag_when_a_version_is_given():
    plan = _plan(node_type='atlas_800_a3', model='qwen3.6-27b', vllm_ascend_version='v0.18.0rc1')
    assert plan['image_tag'] == 'v0.18.0rc1-a3'
    assert plan['image_suffix'] == '-a3'
    assert 'image_tag' not in _plan(node_type='atlas_800_a3', model='qwen3.6-27b')


# ------------------------------------------------------------------ catalog extras


def _big_model():
    return {'weight_repository': 'Example/Big-72B', 'weight_bytes': 145 * 10 ** 9, 'full_attention_layers': 80,
            'kv_heads': 8, 'head_dim': 128, 'tensor_parallel_sizes': [1, 2, 4, 8], 'recommended_tensor_parallel_size': 2,
            'default_max_model_len': 32768, 'max_model_len': 131072, 'served_model_name': 'big'}


def test_a_model_from_the_inventory_is_planned():
    plan = _plan(node_type='atlas_800_a2', model='big-72b', catalog={'models': {'big-72b': _big_model()}})
    # 145 GB / 4 = 33.8 GiB fits 57.6 GiB with its KV; / 2 = 67.5 GiB does not.
    assert plan['tensor_parallel_size'] == 4
    assert plan['served_model_name'] == 'big'
    assert plan['memory_per_npu']['kv_per_token_bytes'] == 2 * 2 * 128 * 2 * 80
    assert plan['replicas'][0]['serve_options']['speculative_config'] is None


def test_a_node_type_from_the_inventory_is_planned():
    catalog = {'node_types': {'quad': {'npus': 4, 'hbm_gib': 64}}}
    plan = _plan(node_type='quad', model='qwen3.5-27b', catalog=catalog)
    assert [replica['npus'] for replica in plan['replicas']] == [[0, 1], [2, 3]]


def test_modules_of_four_chips_refuse_tp2():
    catalog = {'node_types': {'quad_module': {'npus': 16, 'hbm_gib': 64, 'chips_per_module': 4}}}
    refusal = _refusal(node_type='quad_module', model='qwen3.5-27b', tensor_parallel_size=2, catalog=catalog)
    assert refusal.setting == 'tensor_parallel_size'
    assert 'multiple of 4' in str(refusal)
    plan = _plan(node_type='quad_module', model='qwen3.5-27b', catalog=catalog)
    assert plan['tensor_parallel_size'] == 4


def test_bad_catalog_extras_name_the_key():
    refusal = _refusal(node_type='atlas_800_a2', model='qwen3.5-27b',
                       catalog={'models': {'qwen3.5-27b': {'weight_bytes': 'big'}}})
    assert refusal.setting == 'catalog.models.qwen3.5-27b.weight_bytes'


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize('request_, setting, fragment', [
    ({'model': 'qwen3.5-27b'}, 'node_type', 'required'),
    ({'node_type': 'atlas_800_a2'}, 'model', 'required'),
    ({'node_type': 'atlas_900', 'model': 'qwen3.5-27b'}, 'node_type', 'atlas_800_a2, atlas_800_a3'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3-27b'}, 'model', 'qwen3.5-27b, qwen3.5-27b-w8a8'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'max_model_lenght': 1}, 'max_model_lenght', 'unknown setting'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'max_model_len': 300000}, 'max_model_len', 'use 262144 or less'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'max_model_len': 0}, 'max_model_len', 'must be >= 1'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'max_model_len': '128k'}, 'max_model_len', 'integer'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'max_num_seqs': True}, 'max_num_seqs', 'integer'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'tensor_parallel_size': 16}, 'tensor_parallel_size', 'valid: 1, 2, 4, 8'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'tensor_parallel_size': 3}, 'tensor_parallel_size', 'valid: 1, 2, 4, 8'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'replicas': 5}, 'replicas', 'use replicas: 4 or less'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'replicas': 0}, 'replicas', 'must be >= 1'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'npus': [0, 8]}, 'npus', 'ids 0-7'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'npus': [1, 1]}, 'npus', 'listed twice'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'npus': []}, 'npus', 'leave npus unset'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'exclude_npus': [9]}, 'exclude_npus', 'ids 0-7'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'npus': [4, 5], 'exclude_npus': [4, 5]}, 'exclude_npus',
     'every present NPU'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'gpu_memory_utilization': 0}, 'gpu_memory_utilization', '0.90'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'gpu_memory_utilization': 1.2}, 'gpu_memory_utilization', '0.90'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'gpu_memory_utilization': 'most'}, 'gpu_memory_utilization', '0.90'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'base_port': 70000}, 'base_port', 'must be <= 65535'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.5-27b', 'host': ''}, 'host', 'non-empty'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.6-27b', 'vllm_ascend_version': 'v0.17.0rc1'}, 'vllm_ascend_version',
     'use v0.18.0rc1 or newer'),
    ({'node_type': 'atlas_800_a2', 'model': 'qwen3.6-27b', 'vllm_ascend_version': 'nightly'}, 'vllm_ascend_version',
     'not a vllm-ascend version'),
])
def test_refusals_name_the_setting(request_, setting, fragment):
    refusal = _refusal(**request_)
    assert refusal.setting == setting
    assert str(refusal).startswith(setting + ': ')
    assert fragment in str(refusal)


def test_a_request_that_is_not_a_dict_is_refused():
    with pytest.raises(LayoutError, match='expected a dictionary'):
        serving_layout(['atlas_800_a2'])


def test_a_too_large_size_names_one_that_fits_the_present_npus():
    refusal = _refusal(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', npus=[0, 1, 2, 3, 4, 5], tensor_parallel_size=8)
    assert refusal.setting == 'tensor_parallel_size'
    assert 'would work: tensor_parallel_size: 1 or 2 or 4' in str(refusal)
    assert len(_plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', npus=[0, 1, 2, 3, 4, 5],
                     tensor_parallel_size=4)['replicas']) == 1


def test_the_recommended_size_without_an_aligned_block_is_refused_with_tp1():
    refusal = _refusal(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', npus=[0, 2, 4, 6])
    assert refusal.setting == 'tensor_parallel_size'
    assert 'would work: tensor_parallel_size: 1' in str(refusal)
    assert len(_plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', npus=[0, 2, 4, 6], tensor_parallel_size=1)['replicas']) == 4


def test_a_failing_memory_test_shows_the_figures_and_sizes_that_pass():
    refusal = _refusal(node_type='atlas_800_a2', model='qwen3.5-27b', tensor_parallel_size=1)
    message = str(refusal)
    assert refusal.setting == 'tensor_parallel_size'
    assert 'weights 50.29 GiB' in message
    assert 'more than 57.60 GiB' in message
    assert 'would work: tensor_parallel_size: 2 or 4 or 8' in message


def _suggested_max_model_len(message):
    match = re.search(r'max_model_len: (\d+) or less', message)
    assert match, message
    return int(match.group(1))


def test_the_suggested_max_model_len_is_the_largest_that_fits():
    # Only NPUs 0, 2, 4 and 6 are usable, so BF16 must run at TP1; the hint is exact.
    request = dict(node_type='atlas_800_a2', model='qwen3.5-27b', npus=[0, 2, 4, 6], tensor_parallel_size=1)
    longest = _suggested_max_model_len(str(_refusal(**request)))
    plan = _plan(max_model_len=longest, **request)
    assert plan['full_length_sequences'] == 1
    assert plan['memory_per_npu']['headroom_bytes'] < plan['memory_per_npu']['kv_per_token_bytes']
    assert _refusal(max_model_len=longest + 1, **request).setting == 'tensor_parallel_size'


def test_no_size_fits_names_a_max_model_len_that_does():
    request = dict(node_type='atlas_800_a2', model='qwen3.5-27b', gpu_memory_utilization=0.25, max_model_len=262144)
    refusal = _refusal(**request)
    assert refusal.setting == 'max_model_len'
    request['max_model_len'] = _suggested_max_model_len(str(refusal))
    assert _plan(**request)['tensor_parallel_size'] == 8


@pytest.mark.parametrize('ports, setting, working', [
    ({'base_port': 60010}, 'base_port', 'use base_port: 8000'),
    ({'vllm_port': 8000}, 'vllm_port', 'use vllm_port: 20000'),
    ({'hccl_base_port': 20050}, 'hccl_base_port', 'use hccl_base_port: 60000'),
    ({'hccl_base_port': 1000}, 'hccl_base_port', 'use hccl_base_port: 60000'),
    ({'hccl_base_port': 65500}, 'hccl_base_port', 'use hccl_base_port: 60000'),
    ({'base_port': 65533}, 'base_port', 'use base_port: 8000'),
])
def test_port_collisions_name_the_changed_setting_and_a_free_value(ports, setting, working):
    refusal = _refusal(node_type='atlas_800_a2', model='qwen3.5-27b', **ports)
    assert refusal.setting == setting
    assert working in str(refusal)
    fixed = dict(ports, **{setting: int(str(refusal).rsplit(' ', 1)[1])})
    assert len(_plan(node_type='atlas_800_a2', model='qwen3.5-27b', **fixed)['replicas']) == 4


def test_port_ranges_that_fit_fewer_replicas_are_accepted():
    # 65533 + 3 replicas stays within 65535; 4 would not.
    plan = _plan(node_type='atlas_800_a2', model='qwen3.5-27b', base_port=65533, replicas=3)
    assert [replica['port'] for replica in plan['replicas']] == [65533, 65534, 65535]


def test_the_shutdown_timeout_reaches_the_argv_only_where_the_release_has_it():
    new = _plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', vllm_ascend_version='v0.18.0rc1', shutdown_timeout=25)
    old = _plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', vllm_ascend_version='v0.17.0rc1', shutdown_timeout=25)
    assert all(replica['serve_options']['shutdown_timeout'] == 25 for replica in new['replicas'])
    assert all('shutdown_timeout' not in replica['serve_options'] for replica in old['replicas'])
    assert 'shutdown_timeout' not in _plan(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8')['replicas'][0]['serve_options']


def test_a_negative_shutdown_timeout_is_refused():
    assert _refusal(node_type='atlas_800_a2', model='qwen3.5-27b-w8a8', vllm_ascend_version='v0.18.0rc1',
                    shutdown_timeout=-1).setting == 'shutdown_timeout'
