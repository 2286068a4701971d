# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._catalog import (
    GIB,
    MIB,
    CatalogError,
    builtin_catalog,
    catalog_answer,
    check_model_supported_by,
    compare_vllm_ascend_versions,
    image_tag,
    lookup_model,
    lookup_node_type,
    merged_catalog,
    parse_vllm_ascend_version,
)

MODEL_IDS = ['qwen3.5-27b', 'qwen3.5-27b-w8a8', 'qwen3.6-27b', 'qwen3.6-27b-w8a8']


def _new_model(**overrides):
    model = {
        'weight_repository': 'Example/Tiny-7B',
        'weight_bytes': 14 * 10 ** 9,
        'full_attention_layers': 28,
        'kv_heads': 4,
        'head_dim': 128,
        'tensor_parallel_sizes': [1, 2, 4],
        'recommended_tensor_parallel_size': 1,
        'default_max_model_len': 32768,
        'max_model_len': 131072,
        'served_model_name': 'tiny',
    }
    model.update(overrides)
    return model


def test_node_types_match_the_hardware():
    node_types = builtin_catalog()['node_types']
    assert node_types['atlas_800_a2']['npus'] == 8
    assert node_types['atlas_800_a2']['chips_per_module'] == 1
    assert node_types['atlas_800_a2']['image_suffix'] == ''
    assert node_types['atlas_800_a3']['npus'] == 16
    assert node_types['atlas_800_a3']['chips_per_module'] == 2
    assert node_types['atlas_800_a3']['image_suffix'] == '-a3'
    assert all(node_type['hbm_gib'] == 64 for node_type in node_types.values())


def test_models_carry_the_published_facts():
    models = builtin_catalog()['models']
    assert sorted(models) == MODEL_IDS
    assert models['qwen3.5-27b']['weight_repository'] == 'Qwen/Qwen3.5-27B'
    assert models['qwen3.5-27b-w8a8']['weight_repository'] == 'Eco-Tech/Qwen3.5-27B-w8a8-mtp'
    assert models['qwen3.6-27b']['weight_repository'] == 'Qwen/Qwen3.6-27B'
    assert models['qwen3.6-27b-w8a8']['weight_repository'] == 'Eco-Tech/Qwen3.6-27B-w8a8'
    assert [models[name]['quantization'] for name in MODEL_IDS] == [None, 'ascend', None, 'ascend']
    assert [models[name]['served_model_name'] for name in MODEL_IDS] == ['qwen3.5', 'qwen3.5', 'qwen3.6', 'qwen3.6']
    assert [models[name]['min_vllm_ascend_version'] for name in MODEL_IDS] == ['v0.17.0rc1', 'v0.17.0rc1', 'v0.18.0rc1', 'v0.18.0rc1']
    for name in MODEL_IDS:
        model = models[name]
        assert model['tensor_parallel_sizes'] == [1, 2, 4, 8]
        assert model['recommended_tensor_parallel_size'] == 2
        assert (model['default_max_model_len'], model['max_model_len']) == (133000, 262144)
        assert model['speculative_config'] == {'method': 'qwen3_5_mtp', 'num_speculative_tokens': 3, 'enforce_eager': True}
    # BF16 about 54 GB, w8a8 about 30 GB.
    assert 50 < models['qwen3.5-27b']['weight_bytes'] / 10 ** 9 < 58
    assert 27 < models['qwen3.6-27b-w8a8']['weight_bytes'] / 10 ** 9 < 33


@pytest.mark.parametrize('name', MODEL_IDS)
def test_architecture_numbers_give_the_derived_memory_figures(name):
    model = builtin_catalog()['models'][name]
    whole_model_kv_per_token = 2 * model['kv_heads'] * model['head_dim'] * model['kv_cache_dtype_bytes'] * model['full_attention_layers']
    assert whole_model_kv_per_token == 64 * 1024
    assert model['linear_attention_state_bytes'] == 144 * MIB
    assert 0 < model['runtime_reserve_gib'] < 16


def test_builtin_catalog_is_a_fresh_copy():
    first = builtin_catalog()
    first['models']['qwen3.5-27b']['speculative_config']['num_speculative_tokens'] = 99
    first['node_types']['atlas_800_a2']['npus'] = 1
    second = builtin_catalog()
    assert second['models']['qwen3.5-27b']['speculative_config']['num_speculative_tokens'] == 3
    assert second['node_types']['atlas_800_a2']['npus'] == 8


def test_extras_override_only_the_fields_given():
    catalog = merged_catalog({'models': {'qwen3.5-27b': {'runtime_reserve_gib': 3.5}}})
    assert catalog['models']['qwen3.5-27b']['runtime_reserve_gib'] == 3.5
    assert catalog['models']['qwen3.5-27b']['weight_repository'] == 'Qwen/Qwen3.5-27B'
    assert builtin_catalog()['models']['qwen3.5-27b']['runtime_reserve_gib'] != 3.5


def test_a_new_model_gets_the_optional_defaults():
    catalog = merged_catalog({'models': {'tiny-7b': _new_model()}})
    tiny = catalog['models']['tiny-7b']
    assert tiny['quantization'] is None
    assert tiny['speculative_config'] is None
    assert tiny['linear_attention_state_bytes'] == 0
    assert tiny['kv_cache_dtype_bytes'] == 2
    assert set(MODEL_IDS) < set(catalog['models'])


def test_a_new_node_type_is_accepted():
    catalog = merged_catalog({'node_types': {'atlas_800i_a2_32g': {'npus': 8, 'hbm_gib': 32}}})
    assert catalog['node_types']['atlas_800i_a2_32g']['chips_per_module'] == 1
    assert catalog['node_types']['atlas_800i_a2_32g']['image_suffix'] == ''


@pytest.mark.parametrize('extras, setting', [
    ('models', 'catalog'),
    ({'gpus': {}}, 'catalog.gpus'),
    ({'models': ['tiny']}, 'catalog.models'),
    ({'models': {'tiny': 'big'}}, 'catalog.models.tiny'),
    ({'models': {'tiny': {k: v for k, v in _new_model().items() if k != 'weight_bytes'}}}, 'catalog.models.tiny.weight_bytes'),
    ({'models': {'tiny': _new_model(weight_bytes='14GB')}}, 'catalog.models.tiny.weight_bytes'),
    ({'models': {'tiny': _new_model(weight_bytes=True)}}, 'catalog.models.tiny.weight_bytes'),
    ({'models': {'tiny': _new_model(weigth_bytes=1)}}, 'catalog.models.tiny.weigth_bytes'),
    ({'models': {'tiny': _new_model(tensor_parallel_sizes=[])}}, 'catalog.models.tiny.tensor_parallel_sizes'),
    ({'models': {'tiny': _new_model(recommended_tensor_parallel_size=8)}}, 'catalog.models.tiny.recommended_tensor_parallel_size'),
    ({'models': {'tiny': _new_model(default_max_model_len=200000)}}, 'catalog.models.tiny.default_max_model_len'),
    ({'models': {'tiny': _new_model(min_vllm_ascend_version='latest')}}, 'catalog.models.tiny.min_vllm_ascend_version'),
    ({'models': {'tiny': _new_model(speculative_config='mtp')}}, 'catalog.models.tiny.speculative_config'),
    ({'models': {'qwen3.5-27b': {'runtime_reserve_gib': -1}}}, 'catalog.models.qwen3.5-27b.runtime_reserve_gib'),
    ({'node_types': {'odd': {'npus': 7, 'hbm_gib': 64, 'chips_per_module': 2}}}, 'catalog.node_types.odd.chips_per_module'),
    ({'node_types': {'no_hbm': {'npus': 8}}}, 'catalog.node_types.no_hbm.hbm_gib'),
])
def test_bad_extras_name_the_key(extras, setting):
    with pytest.raises(CatalogError) as caught:
        merged_catalog(extras)
    assert caught.value.setting == setting
    assert str(caught.value).startswith(setting + ': ')


def test_lookups_list_the_known_ids():
    catalog = merged_catalog()
    assert lookup_node_type(catalog, 'atlas_800_a3')['npus'] == 16
    assert lookup_model(catalog, 'qwen3.6-27b')['served_model_name'] == 'qwen3.6'
    with pytest.raises(CatalogError, match='atlas_800_a2, atlas_800_a3') as caught:
        lookup_node_type(catalog, 'atlas_900')
    assert caught.value.setting == 'node_type'
    with pytest.raises(CatalogError, match='qwen3.5-27b, qwen3.5-27b-w8a8') as caught:
        lookup_model(catalog, 'qwen3-27b')
    assert caught.value.setting == 'model'


def test_versions_sort_release_candidates_before_the_release():
    ordered = ['v0.9.1', 'v0.17.0rc1', 'v0.17.0rc2', 'v0.17.0', 'v0.18.0rc1', 'v0.18.0', 'v0.18.0.post1', 'v0.18.1rc1']
    assert sorted(reversed(ordered), key=parse_vllm_ascend_version) == ordered
    assert compare_vllm_ascend_versions('v0.17.0rc1', 'v0.18.0rc1') == -1
    assert compare_vllm_ascend_versions('v0.18.0', 'v0.18.0rc1') == 1
    assert compare_vllm_ascend_versions('0.18.0rc1', 'v0.18.0rc1-a3-openeuler') == 0


@pytest.mark.parametrize('tag', ['latest', 'v0.18', 'v0.18.0rc', '', None, 18])
def test_unparseable_versions_are_refused(tag):
    with pytest.raises(CatalogError) as caught:
        parse_vllm_ascend_version(tag)
    assert caught.value.setting == 'vllm_ascend_version'


def test_model_support_needs_the_oldest_release_or_newer():
    model = merged_catalog()['models']['qwen3.6-27b']
    check_model_supported_by('qwen3.6-27b', model, 'v0.18.0rc1')
    check_model_supported_by('qwen3.6-27b', model, 'v0.18.0')
    with pytest.raises(CatalogError, match='use v0.18.0rc1 or newer'):
        check_model_supported_by('qwen3.6-27b', model, 'v0.17.0rc1')


def test_image_tag_adds_the_node_type_suffix():
    node_types = merged_catalog()['node_types']
    assert image_tag('v0.18.0rc1', node_types['atlas_800_a2']) == 'v0.18.0rc1'
    assert image_tag('v0.18.0rc1', node_types['atlas_800_a3']) == 'v0.18.0rc1-a3'
    assert image_tag('v0.18.0rc1', node_types['atlas_800_a3'], 'openeuler') == 'v0.18.0rc1-a3-openeuler'
    with pytest.raises(CatalogError, match='bare version'):
        image_tag('v0.18.0rc1-a3', node_types['atlas_800_a3'])


def test_gib_constant():
    assert GIB == 2 ** 30


# ---------------------------------------------------------------- catalog_answer (the catalog filter)


def test_answer_for_a_node_type_alone_has_its_npus_and_no_model_fields():
    answer = catalog_answer('atlas_800_a3')
    assert answer['node_type'] == 'atlas_800_a3'
    assert answer['npus'] == 16
    assert answer['chips_per_module'] == 2
    assert answer['image_suffix'] == '-a3'
    assert 'weight_repository' not in answer
    assert 'image' not in answer


def test_answer_for_a_model_carries_its_weights_name_and_limits():
    answer = catalog_answer('atlas_800_a2', model='qwen3.6-27b-w8a8')
    assert answer['npus'] == 8
    assert answer['model'] == 'qwen3.6-27b-w8a8'
    assert answer['weight_repository'] == 'Eco-Tech/Qwen3.6-27B-w8a8'
    assert answer['weight_bytes'] == 30 * 10 ** 9
    assert answer['served_model_name'] == 'qwen3.6'
    assert answer['min_vllm_ascend_version'] == 'v0.18.0rc1'
    assert answer['max_model_len'] == 262144
    assert answer['default_max_model_len'] == 133000
    assert answer['recommended_tensor_parallel_size'] == 2
    assert answer['quantization'] == 'ascend'
    assert 'model_path' not in answer


def test_empty_or_null_model_and_version_mean_not_asked():
    assert catalog_answer('atlas_800_a2', model='', vllm_ascend_version=None) == catalog_answer('atlas_800_a2')


@pytest.mark.parametrize('node_type, kwargs, tag, image', [
    ('atlas_800_a2', {}, 'v0.18.0rc1', 'quay.io/ascend/vllm-ascend:v0.18.0rc1'),
    ('atlas_800_a3', {}, 'v0.18.0rc1-a3', 'quay.io/ascend/vllm-ascend:v0.18.0rc1-a3'),
    ('atlas_800_a3', {'os_variant': 'openeuler'}, 'v0.18.0rc1-a3-openeuler',
     'quay.io/ascend/vllm-ascend:v0.18.0rc1-a3-openeuler'),
    ('atlas_800_a2', {'image_registry': 'registry.local:5000/', 'image_repository': 'mirror/vllm-ascend'}, 'v0.18.0rc1',
     'registry.local:5000/mirror/vllm-ascend:v0.18.0rc1'),
    # A role passes ascend_image_registry | default(none) and '' alike: both are the public registry.
    ('atlas_800_a2', {'image_registry': None, 'image_repository': ''}, 'v0.18.0rc1', 'quay.io/ascend/vllm-ascend:v0.18.0rc1'),
])
def test_the_image_tag_and_reference(node_type, kwargs, tag, image):
    answer = catalog_answer(node_type, model='qwen3.6-27b-w8a8', vllm_ascend_version='v0.18.0rc1', **kwargs)
    assert answer['image_tag'] == tag
    assert answer['image'] == image
    assert answer['image_name'] == image.rsplit(':', 1)[0]
    assert answer['vllm_ascend_version'] == 'v0.18.0rc1'


def test_a_release_older_than_the_model_is_refused_naming_the_version():
    with pytest.raises(CatalogError) as caught:
        catalog_answer('atlas_800_a2', model='qwen3.6-27b', vllm_ascend_version='v0.17.0rc1')
    assert caught.value.setting == 'vllm_ascend_version'
    assert 'v0.17.0rc1 is too old for qwen3.6-27b; use v0.18.0rc1 or newer' in str(caught.value)


def test_a_release_alone_gives_the_tag_without_a_model_check():
    assert catalog_answer('atlas_800_a3', vllm_ascend_version='v0.11.0')['image_tag'] == 'v0.11.0-a3'


@pytest.mark.parametrize('kwargs, path', [
    ({'weights_dir': '/data/models'}, '/data/models/Eco-Tech/Qwen3.6-27B-w8a8'),
    ({'weights_dir': '/data/models//'}, '/data/models/Eco-Tech/Qwen3.6-27B-w8a8'),
    ({'weights_dir': '/data/models', 'weights_subdir': 'qwen'}, '/data/models/qwen'),
    ({'weights_dir': '/data/models', 'weight_repository': 'Mirror/Qwen3.6'}, '/data/models/Mirror/Qwen3.6'),
])
def test_the_model_directory_in_the_weight_cache(kwargs, path):
    answer = catalog_answer('atlas_800_a2', model='qwen3.6-27b-w8a8', **kwargs)
    assert answer['model_path'] == path
    assert answer['weight_repository'] == kwargs.get('weight_repository', 'Eco-Tech/Qwen3.6-27B-w8a8')


def test_extras_extend_the_catalog():
    extra = {'node_types': {'quad': {'npus': 4, 'hbm_gib': 32, 'image_suffix': '-quad'}},
             'models': {'tiny-7b': _new_model(), 'qwen3.5-27b': {'served_model_name': 'q35'}}}
    assert catalog_answer('quad', extra=extra)['npus'] == 4
    assert catalog_answer('quad', model='tiny-7b', extra=extra)['weight_repository'] == 'Example/Tiny-7B'
    assert catalog_answer('atlas_800_a2', model='qwen3.5-27b', extra=extra)['served_model_name'] == 'q35'
    assert catalog_answer('quad', vllm_ascend_version='v0.18.0rc1', extra=extra)['image_tag'] == 'v0.18.0rc1-quad'


@pytest.mark.parametrize('node_type, kwargs, setting, fragment', [
    ('atlas_900', {}, 'node_type', "unknown node type 'atlas_900'; known: atlas_800_a2, atlas_800_a3"),
    (None, {}, 'node_type', 'unknown node type None'),
    ('atlas_800_a2', {'model': 'llama'}, 'model', "unknown model 'llama'"),
    ('atlas_800_a2', {'model': 7}, 'model', 'must be a string'),
    ('atlas_800_a2', {'vllm_ascend_version': 'latest'}, 'vllm_ascend_version', 'not a vllm-ascend version'),
    ('atlas_800_a3', {'vllm_ascend_version': 'v0.18.0rc1-a3'}, 'vllm_ascend_version', 'already carries an image variant'),
    ('atlas_800_a2', {'extra': {'node_types': {'big': {'hbm_gib': 64}}}}, 'catalog.node_types.big.npus', 'missing'),
])
def test_bad_questions_name_the_setting(node_type, kwargs, setting, fragment):
    with pytest.raises(CatalogError) as caught:
        catalog_answer(node_type, **kwargs)
    assert caught.value.setting == setting
    assert fragment in str(caught.value)


def test_answers_are_copies_the_caller_may_change():
    catalog_answer('atlas_800_a2', model='qwen3.5-27b')['tensor_parallel_sizes'].append(3)
    assert 3 not in catalog_answer('atlas_800_a2', model='qwen3.5-27b')['tensor_parallel_sizes']
