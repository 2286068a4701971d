# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import copy
import json
import os

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils._weights import (
    WeightsError,
    files_to_hash,
    index_shards,
    is_bookkeeping,
    listed_files,
    record_drift,
    recorded_files,
    weight_findings,
)

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures', 'weights')
INDEX = 'index_granite-3.1-1b-a400m-instruct_jeremieconte-mirror.json'
MODELSCOPE = 'listing_modelscope_qwen2.5-0.5b-instruct-gguf_rust-test-capture.json'
HUGGINGFACE = 'listing_huggingface_whisper.cpp_excerpt_swift-test-capture.json'
SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']
CONFIG = '{\n  "architectures": ["GraniteMoeForCausalLM"],\n  "model_type": "granitemoe"\n}\n'


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


def sha(char: str) -> str:
    return char * 64


def modelscope_listing(files):
    """A ModelScope listing of ``files`` ((path, size, sha256)), entries shaped like the capture's LFS blob,
    with a directory entry as ModelScope lists one."""
    listing = json.loads(capture(MODELSCOPE))
    blob = listing['Data']['Files'][1]
    entries = [dict(blob, Path=path, Name=path.rsplit('/', 1)[-1], Size=size, Sha256=digest) for path, size, digest in files]
    entries.append(dict(blob, Path='onnx', Name='onnx', Size=0, Sha256=None, Type='tree', IsLFS=False, Mode='16384'))
    listing['Data']['Files'] = [listing['Data']['Files'][0]] + entries
    return listing


def huggingface_listing(files, lfs=()):
    """A Hugging Face ``?blobs=true`` listing of ``files``; the ones in ``lfs`` carry ``lfs.sha256``."""
    listing = json.loads(capture(HUGGINGFACE))
    plain, large = listing['siblings'][0], listing['siblings'][1]
    siblings = []
    for path, size, digest in files:
        if path in lfs:
            siblings.append(dict(large, rfilename=path, size=size, lfs=dict(large['lfs'], sha256=digest, size=size)))
        else:
            siblings.append(dict(plain, rfilename=path, size=size))
    listing['siblings'] = [dict(plain, rfilename='.gitattributes', size=1519)] + siblings
    return listing


def staged(**changes):
    """A complete staged copy of the granite model: path -> size, mtime, sha256."""
    local = {
        'config.json': {'size': len(CONFIG), 'mtime': 1745912040.5312, 'sha256': sha('c')},
        'model.safetensors.index.json': {'size': len(capture(INDEX)), 'mtime': 1745912040.6, 'sha256': sha('d')},
        SHARDS[0]: {'size': 4995584424, 'mtime': 1745912101.25, 'sha256': sha('1')},
        SHARDS[1]: {'size': 342929144, 'mtime': 1745912108.0, 'sha256': sha('2')},
    }
    for path, value in changes.items():
        if value is None:
            local.pop(path)
        else:
            local[path] = dict(local.get(path, {}), **value)
    return local


def listing_of(local):
    return [(path, found['size'], found['sha256']) for path, found in sorted(local.items())]


# --------------------------------------------------------------------------- listings


def test_modelscope_listing_gives_every_blob_with_its_sha256():
    listed = listed_files(json.loads(capture(MODELSCOPE)), 'modelscope')
    assert listed == [{'path': 'qwen2.5-0.5b-instruct-q4_k_m.gguf', 'size': 491400032,
                       'sha256': '74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db'}]


def test_modelscope_directories_are_not_files():
    listed = listed_files(modelscope_listing([('onnx/model.onnx', 10, sha('e'))]), 'modelscope')
    assert [entry['path'] for entry in listed] == ['onnx/model.onnx']


def test_huggingface_listing_has_sha256_only_for_lfs_files():
    listed = listed_files(json.loads(capture(HUGGINGFACE)), 'huggingface')
    assert len(listed) == 12
    assert listed[0] == {'path': 'README.md', 'size': 3196, 'sha256': ''}
    assert listed[3] == {'path': 'ggml-small.bin', 'size': 487601967,
                         'sha256': '1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b'}


def test_uppercase_sha256_is_compared_as_lowercase():
    listing = modelscope_listing([('config.json', len(CONFIG), sha('C'))])
    assert listed_files(listing, 'modelscope')[0]['sha256'] == sha('c')


@pytest.mark.parametrize('path', ['.gitattributes', '.cache/huggingface/download/config.json.metadata', '._____temp/x', 'a/.msc'])
def test_bookkeeping_paths_are_not_model_files(path):
    assert is_bookkeeping(path)
    assert not is_bookkeeping('model-00001-of-00002.safetensors') and not is_bookkeeping('onnx/model.onnx')


@pytest.mark.parametrize('listing, hub, message', [
    ({'Code': 10010205001, 'Data': None, 'Message': 'model Eco-Tech/Nope not exist', 'Success': False}, 'modelscope',
     r'no Data.Files \(Code 10010205001: model Eco-Tech/Nope not exist\)'),
    ({'error': 'Repository not found'}, 'huggingface', r'no siblings \(error: Repository not found\)'),
    ({'siblings': [{'rfilename': 'config.json'}]}, 'huggingface', 'gives config.json no size in bytes.*blobs=true'),
    ({'Data': {'Files': [{'Type': 'blob', 'Size': 3}]}}, 'modelscope', 'entry without a path'),
    (['config.json'], 'modelscope', 'not a JSON object'),
    ({'siblings': []}, 'gitee', 'hub must be one of modelscope, huggingface'),
])
def test_listings_of_another_shape_say_what_the_hub_said(listing, hub, message):
    with pytest.raises(WeightsError, match=message):
        listed_files(listing, hub)


# --------------------------------------------------------------------------- index


def test_the_index_names_its_shards_once_each():
    assert index_shards(capture(INDEX)) == SHARDS


@pytest.mark.parametrize('text, shards', [
    ('{"metadata": {"total_size": 0}}', []),
    ('{"weight_map": {}}', []),
    ('{"weight_map": ', None),
    ('[]', None),
    ('{"weight_map": ["a"]}', None),
])
def test_an_index_without_shards_or_not_json(text, shards):
    assert index_shards(text) == shards


# --------------------------------------------------------------------------- findings


def findings(local, expected=(), checksums=True, config=CONFIG, index=None):
    return weight_findings(local, config if 'config.json' in local else None,
                           (capture(INDEX) if index is None else index) if 'model.safetensors.index.json' in local else None,
                           expected, checksums)


def test_a_complete_copy_has_no_problem():
    local = staged()
    assert findings(local) == {'problems': [], 'bad_files': []}
    assert findings(local, listed_files(modelscope_listing(listing_of(local)), 'modelscope')) == {'problems': [], 'bad_files': []}


def test_a_shard_of_the_index_missing_is_named_once_and_fetched_again():
    local = staged(**{SHARDS[1]: None})
    listed = listed_files(modelscope_listing(listing_of(staged())), 'modelscope')
    assert findings(local, listed) == {'problems': ['shard model-00002-of-00002.safetensors of the index is missing'],
                                       'bad_files': ['model-00002-of-00002.safetensors']}


def test_a_listed_file_missing_wrong_size_or_sha256():
    listed = listed_files(huggingface_listing(listing_of(staged()) + [('tokenizer.json', 7031673, sha('7'))],
                                              lfs=SHARDS + ['tokenizer.json']), 'huggingface')
    local = staged(**{SHARDS[0]: {'size': 8000}, SHARDS[1]: {'sha256': sha('9')}})
    assert findings(local, listed) == {
        'problems': ['model-00001-of-00002.safetensors has 8000 bytes, the hub lists 4995584424',
                     'model-00002-of-00002.safetensors has sha256 %s, the hub lists %s' % (sha('9'), sha('2')),
                     'tokenizer.json is missing'],
        'bad_files': ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'tokenizer.json'],
    }


def test_with_the_model_directory_a_problem_names_the_file_by_its_full_path():
    listed = listed_files(modelscope_listing(listing_of(staged())), 'modelscope')
    local = staged(**{SHARDS[0]: None, SHARDS[1]: {'sha256': sha('9')}})
    found = weight_findings(local, CONFIG, capture(INDEX), listed, directory='/data/models/ibm-granite/granite/')
    assert found == {'problems': ['shard /data/models/ibm-granite/granite/%s of the index is missing' % SHARDS[0],
                                  '/data/models/ibm-granite/granite/%s has sha256 %s, the hub lists %s' % (SHARDS[1], sha('9'), sha('2'))],
                     'bad_files': SHARDS}


def test_huggingface_small_files_are_checked_by_size_only():
    listed = listed_files(huggingface_listing(listing_of(staged()), lfs=SHARDS), 'huggingface')
    assert findings(staged(**{'config.json': {'sha256': sha('0')}}), listed)['problems'] == []


def test_without_checksums_only_sizes_count():
    listed = listed_files(modelscope_listing(listing_of(staged())), 'modelscope')
    local = staged(**{SHARDS[1]: {'sha256': ''}})
    assert findings(local, listed, checksums=False)['problems'] == []
    assert findings(local, listed)['problems'] == ['model-00002-of-00002.safetensors has sha256 ?, the hub lists %s' % sha('2')]


@pytest.mark.parametrize('changes, config, index, problem', [
    ({'config.json': None}, CONFIG, None, 'config.json is missing'),
    ({}, '{"architectures": ', None, 'config.json is not a JSON object'),
    ({}, '["GraniteMoeForCausalLM"]', None, 'config.json is not a JSON object'),
    ({}, CONFIG, '{"metadata": {"total_size": 0}}', 'model.safetensors.index.json names no shard'),
    ({'model.safetensors.index.json': None, SHARDS[0]: None, SHARDS[1]: None}, CONFIG, None,
     'neither model.safetensors.index.json nor model.safetensors is there'),
])
def test_config_and_index_problems(changes, config, index, problem):
    assert findings(staged(**changes), config=config, index=index)['problems'] == [problem]


def test_an_index_that_is_not_json_is_fetched_again():
    assert findings(staged(), index='{"weight_map": {') == {
        'problems': ['model.safetensors.index.json is not a JSON object with a weight_map'],
        'bad_files': ['model.safetensors.index.json']}


def test_one_file_without_index_is_a_model():
    local = staged(**{'model.safetensors.index.json': None, SHARDS[0]: None, SHARDS[1]: None,
                      'model.safetensors': {'size': 988097824, 'mtime': 1.0, 'sha256': sha('f')}})
    assert findings(local)['problems'] == []


def test_files_of_a_wrong_size_are_not_hashed():
    listed = listed_files(modelscope_listing(listing_of(staged())), 'modelscope')
    local = staged(**{SHARDS[0]: {'size': 8000}, 'README.md': {'size': 5, 'mtime': 1.0, 'sha256': ''},
                      '.cache/huggingface/download/config.json.metadata': {'size': 90, 'mtime': 1.0, 'sha256': ''}})
    assert files_to_hash(local, listed) == ['README.md', 'config.json', 'model-00002-of-00002.safetensors',
                                            'model.safetensors.index.json']


# --------------------------------------------------------------------------- drift


def record(local=None, repository='ibm-granite/granite-3.1-1b-a400m-instruct', revision='main'):
    return json.dumps({'repository': repository, 'revision': revision, 'source': 'huggingface', 'staged_by': 'npu-a2-01',
                       'files': staged() if local is None else local}, indent=2)


def test_unchanged_files_match_their_record():
    assert record_drift(record(), 'ibm-granite/granite-3.1-1b-a400m-instruct', 'main', staged()) == []


def test_extra_files_do_not_count_against_the_record():
    local = staged(**{'README.md': {'size': 5, 'mtime': 1.0, 'sha256': ''}})
    assert record_drift(record(), 'ibm-granite/granite-3.1-1b-a400m-instruct', 'main', local) == []


def test_no_record_and_a_record_of_something_else():
    assert record_drift(None, 'r', 'main', staged()) == ['no record of a verified stage']
    assert record_drift('{"files": ', 'r', 'main', staged()) == ['the record is not a JSON object with files']
    assert record_drift('{"repository": "r"}', 'r', 'main', staged()) == ['the record is not a JSON object with files']
    assert record_drift(record(revision='v2'), 'ibm-granite/granite-3.1-1b-a400m-instruct', 'main', staged()) == [
        'the record is of ibm-granite/granite-3.1-1b-a400m-instruct@v2']


def test_missing_and_changed_files_are_named():
    local = staged(**{SHARDS[0]: None, SHARDS[1]: {'mtime': 1745999999.0}, 'config.json': {'size': 3}})
    assert record_drift(record(), 'ibm-granite/granite-3.1-1b-a400m-instruct', 'main', local) == [
        'config.json changed since it was verified',
        'model-00001-of-00002.safetensors is missing',
        'model-00002-of-00002.safetensors changed since it was verified',
    ]


def test_a_record_written_by_earlier_releases_still_matches():
    """Before weights_check, the role wrote the record from ansible.builtin.find results with to_nice_json:
    the same keys, mtime the same float os.stat gives."""
    older = copy.deepcopy(staged())
    text = json.dumps({'repository': 'Eco-Tech/Qwen3.6-27B-w8a8', 'revision': 'master', 'source': 'modelscope',
                       'staged_by': 'sv-a2', 'files': older}, indent=4, sort_keys=True)
    assert record_drift(text, 'Eco-Tech/Qwen3.6-27B-w8a8', 'master', staged()) == []


# --------------------------------------------------------------------------- a copy's own record


def test_a_record_lists_its_files_as_a_hub_listing_does():
    expected = recorded_files(record(), 'ibm-granite/granite-3.1-1b-a400m-instruct')
    assert expected == [{'path': path, 'size': found['size'], 'sha256': found['sha256']} for path, found in sorted(staged().items())]
    assert weight_findings(staged(), CONFIG, capture(INDEX), expected, reference='the record') == {'problems': [], 'bad_files': []}


def test_a_file_that_differs_from_the_record_names_both_sizes_or_sha256():
    expected = recorded_files(record(), 'ibm-granite/granite-3.1-1b-a400m-instruct')
    local = staged(**{SHARDS[0]: {'size': 8000}, SHARDS[1]: {'sha256': sha('9')}})
    assert weight_findings(local, CONFIG, capture(INDEX), expected, reference='the record')['problems'] == [
        '%s has 8000 bytes, the record lists 4995584424' % SHARDS[0],
        '%s has sha256 %s, the record lists %s' % (SHARDS[1], sha('9'), sha('2'))]


def test_no_record_or_one_of_another_repository_lists_nothing():
    assert recorded_files(None, 'r') == []
    assert recorded_files('{"files": ', 'r') == []
    assert recorded_files(record(repository='someone/else'), 'ibm-granite/granite-3.1-1b-a400m-instruct') == []


def test_a_record_entry_without_a_size_cannot_vouch_for_the_files():
    with pytest.raises(WeightsError, match='lists config.json without a size in bytes'):
        recorded_files(record(staged(**{'config.json': {'size': '12'}})), 'ibm-granite/granite-3.1-1b-a400m-instruct')
