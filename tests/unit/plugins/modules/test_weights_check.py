# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib
import json
import os

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.ascend_ops.vllm.plugins.modules import weights_check

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'module_utils', 'fixtures', 'weights')
INDEX = 'index_granite-3.1-1b-a400m-instruct_jeremieconte-mirror.json'
SHARDS = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']
REPOSITORY = 'ibm-granite/granite-3.1-1b-a400m-instruct'


def capture(name: str) -> str:
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


@pytest.fixture(name='model')
def fixture_model(tmp_path):
    """A small model directory as a client leaves it: config, the real index, two shards, client bookkeeping."""
    directory = tmp_path / 'models' / 'ibm-granite' / 'granite-3.1-1b-a400m-instruct'
    (directory / '.cache' / 'huggingface' / 'download').mkdir(parents=True)
    (directory / 'config.json').write_text('{"model_type": "granitemoe"}\n')
    (directory / 'model.safetensors.index.json').write_text(capture(INDEX))
    (directory / SHARDS[0]).write_bytes(b'\x08\x00\x00\x00\x00\x00\x00\x00{"a":1}' * 300)
    (directory / SHARDS[1]).write_bytes(b'shard two' * 100)
    (directory / '.gitattributes').write_text('*.safetensors filter=lfs diff=lfs merge=lfs -text\n')
    (directory / '.cache' / 'huggingface' / 'download' / (SHARDS[1] + '.metadata')).write_text('abc\n')
    return directory


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def modelscope_listing(directory, sha256=None):
    """The hub's listing of ``directory``'s model files (ModelScope entry shape), sha256 overridable per file."""
    files = []
    for path in sorted(p for p in directory.rglob('*') if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        if relative.startswith('.'):
            continue
        files.append({'Name': path.name, 'Path': relative, 'Size': path.stat().st_size, 'Type': 'blob', 'IsLFS': False,
                      'Sha256': (sha256 or {}).get(relative, digest(path)), 'Revision': 'cbee0850956aeb6fd9ac074a0270da820788ada7'})
    return {'Code': 200, 'Data': {'Files': files}, 'Message': 'success', 'Success': True}


def run_module(capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        with patch_module_args(args):
            weights_check.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


def test_room_and_bytes_of_a_directory_not_made_yet(capsys, tmp_path):
    code, result = run_module(capsys, {'path': str(tmp_path / 'models' / 'Eco-Tech' / 'Qwen3.6-27B-w8a8')})
    assert code == 0 and result['changed'] is False
    assert result['exists'] is False and result['bytes'] == 0 and result['files'] == {}
    statvfs = os.statvfs(str(tmp_path))
    assert abs(result['free_bytes'] - statvfs.f_bavail * statvfs.f_frsize) < 64 * 1024 * 1024
    assert 'drift' not in result and 'problems' not in result


def test_bytes_count_the_bookkeeping_files_count_only_the_model(capsys, model):
    code, result = run_module(capsys, {'path': str(model)})
    assert code == 0 and result['exists'] is True
    assert result['bytes'] == sum(path.stat().st_size for path in model.rglob('*') if path.is_file())
    assert sorted(result['files']) == ['config.json'] + SHARDS + ['model.safetensors.index.json']
    assert result['files'][SHARDS[1]] == {'size': 900, 'mtime': (model / SHARDS[1]).stat().st_mtime, 'sha256': ''}


def test_verify_against_a_listing_then_trust_the_record(capsys, model):
    code, verified = run_module(capsys, {'path': str(model), 'verify': True, 'hub': 'modelscope',
                                         'listing': modelscope_listing(model)})
    assert code == 0
    assert verified['problems'] == [] and verified['bad_files'] == []
    assert verified['files'][SHARDS[0]]['sha256'] == digest(model / SHARDS[0])
    record = model / '.ascend_ops_weights.json'
    record.write_text(json.dumps({'repository': REPOSITORY, 'revision': 'master', 'files': verified['files']}))

    args = {'path': str(model), 'record': str(record), 'repository': REPOSITORY, 'revision': 'master'}
    code, state = run_module(capsys, args)
    assert code == 0 and state['unchanged'] is True and state['drift'] == []

    (model / SHARDS[1]).write_bytes(b'shard 2!!' * 100)
    os.utime(str(model / SHARDS[1]), (1, 1))
    code, state = run_module(capsys, args)
    assert state['unchanged'] is False
    assert state['drift'] == ['model-00002-of-00002.safetensors changed since it was verified']


def test_a_corrupt_shard_and_a_missing_one_are_named(capsys, model):
    listing = modelscope_listing(model, sha256={SHARDS[1]: 'a' * 64})
    (model / SHARDS[0]).unlink()
    code, result = run_module(capsys, {'path': str(model), 'verify': True, 'hub': 'modelscope', 'listing': listing})
    assert code == 0
    assert result['problems'] == [
        'shard %s of the index is missing' % (model / SHARDS[0]),
        '%s has sha256 %s, the hub lists %s' % (model / SHARDS[1], digest(model / SHARDS[1]), 'a' * 64),
    ]
    assert result['bad_files'] == SHARDS


def test_a_local_copy_is_checked_without_a_listing(capsys, model):
    (model / 'config.json').write_text('{"model_type": ')
    code, result = run_module(capsys, {'path': str(model), 'verify': True, 'checksums': False})
    assert code == 0
    assert result['problems'] == ['%s is not a JSON object' % (model / 'config.json')] and result['bad_files'] == []
    assert result['files']['config.json']['sha256'] == ''


def _copied_with_its_record(model, repository=REPOSITORY):
    """The model as an offline site copies it: its files and the record of the stage that verified them."""
    files = dict((path.relative_to(model).as_posix(), {'size': path.stat().st_size, 'mtime': path.stat().st_mtime,
                                                       'sha256': digest(path)})
                 for path in model.rglob('*') if path.is_file() and not path.relative_to(model).as_posix().startswith('.'))
    record = model / '.ascend_ops_weights.json'
    record.write_text(json.dumps({'repository': repository, 'revision': 'master', 'files': files}))
    return str(record)


def test_a_copy_that_matches_the_record_it_came_with_passes(capsys, model):
    record = _copied_with_its_record(model)
    code, result = run_module(capsys, {'path': str(model), 'verify': True, 'expected_record': record, 'repository': REPOSITORY})
    assert code == 0 and result['problems'] == [] and result['bad_files'] == []
    assert result['files'][SHARDS[1]]['sha256'] == digest(model / SHARDS[1])


def test_a_corrupt_copy_is_refused_naming_the_file_and_both_sha256(capsys, model):
    record = _copied_with_its_record(model)
    expected = digest(model / SHARDS[1])
    corrupt = bytearray((model / SHARDS[1]).read_bytes())
    corrupt[17] ^= 0x01  # one flipped bit, same size: what a bad disk or an interrupted copy leaves
    (model / SHARDS[1]).write_bytes(bytes(corrupt))
    code, result = run_module(capsys, {'path': str(model), 'verify': True, 'expected_record': record, 'repository': REPOSITORY})
    assert code == 0
    assert result['problems'] == ['%s has sha256 %s, the record it was copied with lists %s'
                                  % (model / SHARDS[1], digest(model / SHARDS[1]), expected)]
    assert digest(model / SHARDS[1]) != expected and result['bad_files'] == [SHARDS[1]]


def test_a_record_of_another_repository_vouches_for_nothing(capsys, model):
    record = _copied_with_its_record(model, repository='someone/else')
    (model / SHARDS[1]).write_bytes(b'not shard' * 100)
    code, result = run_module(capsys, {'path': str(model), 'verify': True, 'expected_record': record, 'repository': REPOSITORY})
    assert code == 0 and result['problems'] == []


def test_a_listing_and_an_expected_record_exclude_each_other(capsys, model):
    code, result = run_module(capsys, {'path': str(model), 'verify': True, 'hub': 'modelscope', 'listing': modelscope_listing(model),
                                       'expected_record': _copied_with_its_record(model), 'repository': REPOSITORY})
    assert code == 1 and 'mutually exclusive' in result['msg']


def test_check_mode_reads_the_same(capsys, model):
    code, result = run_module(capsys, {'path': str(model), 'verify': True, '_ansible_check_mode': True,
                                       'record': str(model / '.ascend_ops_weights.json'), 'repository': REPOSITORY})
    assert code == 0 and result['changed'] is False
    assert result['drift'] == ['no record of a verified stage'] and result['problems'] == []


def test_a_listing_of_another_shape_fails_with_a_message(capsys, model):
    code, result = run_module(capsys, {'path': str(model), 'verify': True, 'hub': 'huggingface',
                                       'listing': {'error': 'Repository not found'}})
    assert code == 1 and result['failed'] is True
    assert result['msg'] == 'weights_check: the huggingface listing has no siblings (error: Repository not found)'


def test_a_listing_needs_its_hub(capsys, model):
    code, result = run_module(capsys, {'path': str(model), 'verify': True, 'listing': modelscope_listing(model)})
    assert code == 1 and 'hub' in result['msg']
