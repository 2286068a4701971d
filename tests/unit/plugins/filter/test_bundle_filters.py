# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bundle filters are thin: they give _bundle's answers, and refuse input of the wrong shape naming the filter."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.filter.bundle_apt_closure import bundle_apt_closure
from ansible_collections.ascend_ops.vllm.plugins.filter.bundle_paths import bundle_paths
from ansible_collections.ascend_ops.vllm.plugins.filter.bundle_summary import bundle_summary
from ansible_collections.ascend_ops.vllm.plugins.filter.bundle_verdict import bundle_verdict

NEED = {'name': 'haproxy', 'kind': 'deb', 'version': '', 'path': 'debs', 'needed_by': [{'host': 'rt-0', 'variable': 'vllm_router_packages'}]}
ENTRY = {'name': 'haproxy', 'kind': 'deb', 'version': '2.6.12-1', 'size': 3, 'sha256': '0' * 64, 'path': 'debs/haproxy_2.6.12-1_arm64.deb'}


def test_verdict_and_its_rows():
    problems = bundle_verdict([NEED], [], {})
    assert problems[0]['problem'] == 'the bundle has no deb haproxy'
    assert bundle_verdict([NEED], [], {}, rows=True) == [
        {'kind': 'deb', 'artifact': 'haproxy', 'problem': 'the bundle has no deb haproxy', 'needed_by': 'rt-0'}]
    assert bundle_verdict([NEED], [ENTRY], {ENTRY['path']: {'size': 3, 'sha256': '0' * 64}}) == []


def test_summary_counts_the_files_and_bytes():
    assert bundle_summary([NEED], [ENTRY]) == [{'kind': 'deb', 'name': 'haproxy', 'version': '(any)', 'present': True, 'files': 1,
                                               'bytes': 3, 'needed_by': ['rt-0']}]


def test_wrong_shapes_name_the_filter():
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.bundle_verdict'):
        bundle_verdict([{'kind': 'deb'}], [], {})
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.bundle_summary'):
        bundle_summary([{'kind': 'deb'}], [])
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.bundle_apt_closure'):
        bundle_apt_closure(None)
    assert bundle_apt_closure('haproxy\n  Depends: libc6\nlibc6\n') == ['haproxy', 'libc6']


def test_paths_are_the_bundles_and_bad_input_is_refused_naming_the_filter():
    assert bundle_paths('/b', image='r:5000/a/b:t')['image_archive'] == '/b/images/r_5000_a_b_t.tar'
    assert bundle_paths('')['drivers'] == ''
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.bundle_paths: ascend_offline_bundle'):
        bundle_paths('relative')
    with pytest.raises(AnsibleFilterError, match='ascend_ops.vllm.bundle_paths: repository must be a string'):
        bundle_paths('/b', repository=None)
