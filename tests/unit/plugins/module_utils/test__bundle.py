# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an offline bundle must hold for an inventory, its manifest, and the verdict on a bundle."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
import yaml

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _bundle
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle import BundleError
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle_read import directory_manifest, files_under, read_bundle
from ansible_collections.ascend_ops.vllm.plugins.module_utils._catalog import CatalogError

ROLES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles')


def _yaml(*parts):
    with open(os.path.join(ROLES, *parts)) as stream:
        return yaml.safe_load(stream)


STEMS = _yaml('npu_driver', 'vars', 'main.yml')['_npu_driver_package_stems']
DRIVER_DEFAULTS = _yaml('npu_driver', 'defaults', 'main.yml')

# A2 node of the example inventory, with the roles' defaults as validation resolves them.
A2 = {
    'vllm_image_node_type': 'atlas_800_a2', 'vllm_image_model': 'qwen3.6-27b-w8a8', 'vllm_image_version': 'v0.18.0rc1',
    'vllm_image_registry': 'quay.io', 'vllm_image_repository': 'ascend/vllm-ascend', 'vllm_image_os_variant': '',
    'model_weights_node_type': 'atlas_800_a2', 'model_weights_model': 'qwen3.6-27b-w8a8', 'model_weights_repository': '',
    'model_weights_revision': '', 'model_weights_storage': 'local', 'model_weights_cache_nfs_packages': ['nfs-common'],
    'npu_driver_node_type': 'atlas_800_a2', 'npu_driver_version': DRIVER_DEFAULTS['npu_driver_version'],
    'npu_driver_firmware_version': DRIVER_DEFAULTS['npu_driver_firmware_version'], 'npu_driver_firmware': True,
    'npu_driver_driver_package': '', 'npu_driver_firmware_package': '',
    'container_engine_packages': ['docker.io', 'python3-docker'],
}
A3 = dict(A2, vllm_image_node_type='atlas_800_a3', model_weights_node_type='atlas_800_a3', npu_driver_node_type='atlas_800_a3')
ROUTER = {'vllm_router_packages': ['python3-venv', 'python3-packaging', 'haproxy'], 'vllm_router_package': 'vllm-router==0.1.17'}
IMAGE_A3 = 'quay.io/ascend/vllm-ascend:v0.18.0rc1-a3'


def sha(data):
    return hashlib.sha256(data).hexdigest()


def test_the_image_is_the_one_vllm_image_pulls_for_the_node_type():
    needs = _bundle.host_needs('npu-a3-01', ['serving'], A3, STEMS)
    images = [need for need in needs if need['kind'] == 'image']
    assert images == [{'name': IMAGE_A3, 'kind': 'image', 'version': 'v0.18.0rc1-a3',
                       'path': 'images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar',
                       'needed_by': [{'host': 'npu-a3-01', 'variable': 'vllm_image_version'}]}]


def test_the_openeuler_variant_and_a_mirror_change_the_image():
    needs = _bundle.host_needs('n', ['serving'], dict(A2, vllm_image_os_variant='openeuler', vllm_image_registry='mirror:5000'), STEMS)
    assert needs[0]['name'] == 'mirror:5000/ascend/vllm-ascend:v0.18.0rc1-openeuler'


def test_weights_are_the_catalog_repository_in_the_model_weights_layout():
    weights = [need for need in _bundle.host_needs('n', ['serving'], A2, STEMS) if need['kind'] == 'weights']
    assert [(need['name'], need['path'], need['version']) for need in weights] == [
        ('Eco-Tech/Qwen3.6-27B-w8a8', 'weights/Eco-Tech/Qwen3.6-27B-w8a8', '')]
    other = _bundle.host_needs('n', ['serving'], dict(A2, model_weights_repository='site/qwen', model_weights_revision='v2'), STEMS)
    assert [(need['name'], need['version']) for need in other if need['kind'] == 'weights'] == [('site/qwen', 'v2')]


def test_driver_packages_are_named_as_npu_driver_names_them_per_node_type():
    paths = [need['path'] for need in _bundle.host_needs('n', ['serving'], A3, STEMS, arch='aarch64') if need['kind'] == 'driver']
    assert paths == ['drivers/Atlas-A3-hdk-npu-driver_25.0.rc1.1_linux-aarch64.run',
                     'drivers/Atlas-A3-hdk-npu-firmware_7.7.0.1.231.run']
    no_firmware = _bundle.host_needs('n', ['serving'], dict(A2, npu_driver_firmware=False), STEMS, arch='x86-64')
    assert [need['path'] for need in no_firmware if need['kind'] == 'driver'] == [
        'drivers/Ascend-hdk-910b-npu-driver_25.0.rc1.1_linux-x86-64.run']


def test_an_unknown_node_type_without_package_names_is_refused_naming_the_variable():
    with pytest.raises(BundleError, match='npu_driver_driver_package'):
        _bundle.driver_package(STEMS, 'atlas_900', 'driver', '25.0.rc1.1', 'aarch64')
    assert _bundle.driver_package(STEMS, 'atlas_900', 'driver', '25.0', 'aarch64', 'my.run')['file'] == 'my.run'


def test_a_serving_host_without_a_model_has_no_bundle_to_make():
    with pytest.raises(BundleError, match='vllm_image_model: is not set'):
        _bundle.host_needs('n', ['serving'], dict(A2, vllm_image_model=''), STEMS)


def test_an_image_too_old_for_the_model_is_the_catalogs_refusal():
    with pytest.raises(CatalogError, match='too old'):
        _bundle.host_needs('n', ['serving'], dict(A2, vllm_image_version='v0.17.0rc1'), STEMS)


def test_debs_per_role_and_nfs_only_when_the_cache_is_nfs():
    debs = [need['name'] for need in _bundle.host_needs('n', ['serving'], A2, STEMS) if need['kind'] == 'deb']
    assert debs == ['docker.io', 'python3-docker']
    nfs = [need['name'] for need in _bundle.host_needs('n', ['serving'], dict(A2, model_weights_storage='nfs'), STEMS)
           if need['kind'] == 'deb']
    assert nfs == ['docker.io', 'python3-docker', 'nfs-common']


def test_a_router_needs_its_debs_and_its_pinned_wheel():
    needs = _bundle.host_needs('cl-router', ['router'], ROUTER, STEMS)
    assert [(need['kind'], need['name'], need['version']) for need in needs] == [
        ('deb', 'python3-venv', ''), ('deb', 'python3-packaging', ''), ('deb', 'haproxy', ''), ('wheel', 'vllm-router', '0.1.17')]
    with pytest.raises(BundleError, match='not pinned'):
        _bundle.host_needs('cl-router', ['router'], dict(ROUTER, vllm_router_package='vllm-router'), STEMS)


def test_needs_of_two_hosts_merge_and_keep_who_needs_them():
    needs = _bundle.merge_needs(_bundle.host_needs('a', ['serving'], A2, STEMS) + _bundle.host_needs('b', ['serving'], A2, STEMS))
    image = needs[0]
    assert image['needed_by'] == [{'host': 'a', 'variable': 'vllm_image_version'}, {'host': 'b', 'variable': 'vllm_image_version'}]
    assert len([need for need in needs if need['kind'] == 'image']) == 1


def test_controller_wheels_are_the_pins_of_requirements_txt():
    with open(os.path.join(ROLES, '..', 'requirements.txt')) as stream:
        needs = _bundle.controller_needs(stream.read())
    assert ('ansible-core', '2.19.14') in [(need['name'], need['version']) for need in needs]
    assert all(need['needed_by'] == [{'host': 'controller', 'variable': 'requirements.txt'}] for need in needs)


@pytest.mark.parametrize('file_name, pin', [
    ('vllm_router-0.1.17-cp312-cp312-manylinux_2_28_aarch64.whl', ('vllm-router', '0.1.17')),
    ('ansible_core-2.19.14-py3-none-any.whl', ('ansible-core', '2.19.14')),
    ('README', None),
])
def test_wheel_file_names(file_name, pin):
    assert _bundle.wheel_file_pin(file_name) == pin


def test_deb_file_names_as_apt_get_download_writes_them():
    assert _bundle.deb_file_pin('docker.io_26.1.5%2bdfsg1-9%2bb1_arm64.deb') == ('docker.io', '26.1.5+dfsg1-9+b1')
    assert _bundle.deb_file_pin('libc6_2.36-9%2bdeb12u10_amd64.deb') == ('libc6', '2.36-9+deb12u10')
    assert _bundle.deb_file_pin('python3_3.11.2-1%3a1_amd64.deb')[1] == '3.11.2-1:1'


# ---------------------------------------------------------------- manifest


def _manifest(entries):
    return json.dumps(_bundle.manifest_document(entries))


def test_a_manifest_round_trips_sorted_by_path():
    entries = [_bundle.manifest_entry('b', 'deb', '1', 'debs/b_1_arm64.deb', 3, sha(b'abc')),
               _bundle.manifest_entry('a', 'deb', '1', 'debs/a_1_arm64.deb', 3, sha(b'abc'))]
    assert [entry['path'] for entry in _bundle.parse_manifest(_manifest(entries))] == ['debs/a_1_arm64.deb', 'debs/b_1_arm64.deb']


@pytest.mark.parametrize('entry, message', [
    ({'name': 'x', 'kind': 'image', 'version': '', 'size': 1, 'sha256': '0' * 64, 'path': '../etc/passwd'}, 'plain relative path'),
    ({'name': 'x', 'kind': 'image', 'version': '', 'size': 1, 'sha256': '0' * 64, 'path': '/etc/passwd'}, 'plain relative path'),
    ({'name': 'x', 'kind': 'tarball', 'version': '', 'size': 1, 'sha256': '0' * 64, 'path': 'x'}, 'kind'),
    ({'name': 'x', 'kind': 'image', 'version': '', 'size': 1, 'sha256': 'ABC', 'path': 'x'}, 'sha256'),
    ({'name': 'x', 'kind': 'image', 'version': '', 'sha256': '0' * 64, 'path': 'x'}, 'has no size'),
])
def test_a_bad_manifest_entry_is_refused_naming_it(entry, message):
    with pytest.raises(BundleError, match=message):
        _bundle.parse_manifest(json.dumps({'format': 1, 'artifacts': [entry]}))


def test_a_manifest_of_another_format_or_not_json_is_refused():
    with pytest.raises(BundleError, match='format 2'):
        _bundle.parse_manifest('{"format": 2, "artifacts": []}')
    with pytest.raises(BundleError, match='not JSON'):
        _bundle.parse_manifest('{"format": 1,')


def test_describe_names_wheels_and_debs_from_their_files_and_skips_client_bookkeeping():
    files = {'wheels/vllm_router-0.1.17-py3-none-any.whl': {'size': 5, 'sha256': sha(b'wheel')},
             'debs/haproxy_2.6.12-1%2bdeb12u1_arm64.deb': {'size': 3, 'sha256': sha(b'deb')},
             'weights/Eco-Tech/Qwen3.6-27B-w8a8/config.json': {'size': 2, 'sha256': sha(b'{}')},
             'weights/Eco-Tech/Qwen3.6-27B-w8a8/.msc': {'size': 1, 'sha256': sha(b'x')}}
    entries = _bundle.describe([{'kind': 'wheel', 'path': 'wheels'}, {'kind': 'deb', 'path': 'debs'},
                                {'name': 'Eco-Tech/Qwen3.6-27B-w8a8', 'kind': 'weights', 'version': 'master',
                                 'path': 'weights/Eco-Tech/Qwen3.6-27B-w8a8'}], files)
    assert [(entry['kind'], entry['name'], entry['version'], entry['path']) for entry in entries] == [
        ('wheel', 'vllm-router', '0.1.17', 'wheels/vllm_router-0.1.17-py3-none-any.whl'),
        ('deb', 'haproxy', '2.6.12-1+deb12u1', 'debs/haproxy_2.6.12-1%2bdeb12u1_arm64.deb'),
        ('weights', 'Eco-Tech/Qwen3.6-27B-w8a8', 'master', 'weights/Eco-Tech/Qwen3.6-27B-w8a8/config.json')]


# ---------------------------------------------------------------- verdict


@pytest.fixture(name='bundle')
def fixture_bundle(tmp_path):
    """A tiny bundle written to disk as bundle.yml writes one, read back as the module reads it."""
    needs = _bundle.merge_needs(_bundle.host_needs('npu-a3-01', ['serving'], A3, STEMS)
                                + _bundle.host_needs('cl-router', ['router'], ROUTER, STEMS))
    contents = {}
    for need in needs:
        if need['kind'] == 'weights':
            contents[need['path'] + '/config.json'] = b'{"model_type": "qwen3_5"}'
        elif need['kind'] == 'deb':
            contents['debs/%s_1.0_arm64.deb' % need['name']] = need['name'].encode()
        elif need['kind'] == 'wheel':
            contents['wheels/vllm_router-0.1.17-py3-none-any.whl'] = b'wheel'
        else:
            contents[need['path']] = need['name'].encode()
    for path, data in contents.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    read = dict((path, {'size': len(data), 'sha256': sha(data)}) for path, data in contents.items())
    artifacts = [dict(need, name='' if need['kind'] in ('deb', 'wheel') else need['name']) for need in needs]
    entries = _bundle.describe(artifacts, read)
    (tmp_path / 'manifest.json').write_text(_manifest(entries))
    return tmp_path, needs


def _problems(directory, needs, checksums=True):
    read = read_bundle(str(directory), checksums)
    assert read['error'] == ''
    return _bundle.verdict(needs, read['manifest'], read['files'])


def test_a_complete_bundle_has_no_problem(bundle):
    directory, needs = bundle
    assert _problems(directory, needs) == []
    rows = _bundle.summary(needs, read_bundle(str(directory))['manifest'])
    assert all(row['present'] for row in rows) and rows[0]['name'] == IMAGE_A3


def test_a_changed_byte_is_a_sha256_mismatch_naming_the_artifact_and_who_needs_it(bundle):
    directory, needs = bundle
    archive = directory / 'images' / 'quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar'
    data = bytearray(archive.read_bytes())
    data[0] ^= 1
    archive.write_bytes(bytes(data))
    problems = _problems(directory, needs)
    assert len(problems) == 1
    assert problems[0]['artifact'] == IMAGE_A3 and 'sha256' in problems[0]['problem']
    assert problems[0]['needed_by'] == [{'host': 'npu-a3-01', 'variable': 'vllm_image_version'}]
    # Without checksums the same size passes: only sizes are compared then.
    assert _problems(directory, needs, checksums=False) == []


def test_a_missing_file_and_a_missing_artifact_are_told_apart(bundle):
    directory, needs = bundle
    (directory / 'drivers' / 'Atlas-A3-hdk-npu-firmware_7.7.0.1.231.run').unlink()
    problems = _problems(directory, needs)
    assert [problem['artifact'] for problem in problems] == ['Atlas-A3-hdk-npu-firmware']
    assert problems[0]['problem'] == ('driver Atlas-A3-hdk-npu-firmware: drivers/Atlas-A3-hdk-npu-firmware_7.7.0.1.231.run'
                                      ' is in the manifest but not in the bundle')
    manifest = json.loads((directory / 'manifest.json').read_text())
    manifest['artifacts'] = [entry for entry in manifest['artifacts'] if entry['kind'] != 'weights']
    (directory / 'manifest.json').write_text(json.dumps(manifest))
    missing = [problem for problem in _problems(directory, needs) if problem['kind'] == 'weights']
    assert missing[0]['problem'] == 'the bundle has no weights Eco-Tech/Qwen3.6-27B-w8a8'
    assert missing[0]['needed_by'] == [{'host': 'npu-a3-01', 'variable': 'model_weights_model'}]


def test_other_versions_are_wrong_versions_naming_what_the_bundle_has(bundle):
    directory, _needs = bundle
    settings = dict(A3, vllm_image_version='v0.18.0', npu_driver_version='25.2.0')
    newer = _bundle.merge_needs(_bundle.host_needs('npu-a3-01', ['serving'], settings, STEMS))
    problems = dict((problem['kind'] + ':' + problem['artifact'], problem) for problem in _problems(directory, newer))
    image = problems['image:quay.io/ascend/vllm-ascend:v0.18.0-a3']
    assert image['problem'] == 'the bundle has image quay.io/ascend/vllm-ascend:v0.18.0rc1-a3, not quay.io/ascend/vllm-ascend:v0.18.0-a3'
    driver = problems['driver:Atlas-A3-hdk-npu-driver']
    assert driver['problem'] == 'the bundle has driver Atlas-A3-hdk-npu-driver 25.0.rc1.1, not 25.2.0'
    assert driver['needed_by'] == [{'host': 'npu-a3-01', 'variable': 'npu_driver_version'}]
    assert len(problems) == 2


def test_a_driver_file_without_a_readable_version_says_so():
    need = _bundle.host_needs('n', ['serving'], A2, STEMS)[2]
    entry = _bundle.manifest_entry(need['name'], 'driver', '', need['path'], 1, sha(b'x'))
    problems = _bundle.verdict([need], [entry], {need['path']: {'size': 1, 'sha256': sha(b'x')}})
    assert problems[0]['problem'] == 'the bundle has driver Ascend-hdk-910b-npu-driver (no version), not 25.0.rc1.1'


def test_a_missing_node_type_image_is_refused(bundle):
    directory, needs = bundle
    a2 = _bundle.merge_needs(needs + _bundle.host_needs('npu-a2-01', ['serving'], A2, STEMS))
    problems = _problems(directory, a2)
    assert {problem['artifact'] for problem in problems} >= {'quay.io/ascend/vllm-ascend:v0.18.0rc1',
                                                             'Ascend-hdk-910b-npu-driver'}
    image = [problem for problem in problems if problem['kind'] == 'image'][0]
    # The A3 image is no other release of the A2 one: the A2 image is missing, not of a wrong version.
    assert image['problem'] == 'the bundle has no image quay.io/ascend/vllm-ascend:v0.18.0rc1'
    assert image['needed_by'] == [{'host': 'npu-a2-01', 'variable': 'vllm_image_version'}]


def test_read_bundle_says_why_a_manifest_cannot_be_read(tmp_path):
    assert 'not a directory' in read_bundle(str(tmp_path / 'none'))['error']
    assert 'cannot read' in read_bundle(str(tmp_path))['error']
    (tmp_path / 'manifest.json').write_text('[]')
    assert 'no list "artifacts"' in read_bundle(str(tmp_path))['error']


# apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances haproxy,
# Debian 12 (bookworm) amd64, trimmed.
APT_DEPENDS = """haproxy
  PreDepends: dpkg
  Depends: libc6
  Depends: liblua5.3-0
  Depends: libsystemd0
    libelogind0
  Depends: lsb-base
    sysvinit-utils
dpkg
  PreDepends: libc6
  Depends: tar
init-system-helpers
 |Depends: usrmerge
  Depends: usr-is-merged
    usrmerge
libc6
  Depends: libgcc-s1
<lsb-base>
libc6:i386
libc6:arm64
"""


def test_the_apt_closure_keeps_real_packages_of_the_target_architecture():
    assert _bundle.apt_closure(APT_DEPENDS, 'arm64') == ['haproxy', 'dpkg', 'init-system-helpers', 'libc6', 'libc6:arm64']
    assert 'libc6:i386' not in _bundle.apt_closure(APT_DEPENDS, 'amd64')


def test_a_directory_manifest_names_each_file_by_sha256_size_and_path(tmp_path):
    (tmp_path / 'b.whl').write_bytes(b'bee')
    (tmp_path / 'sub').mkdir()
    (tmp_path / 'sub' / 'a.whl').write_bytes(b'a')
    text = directory_manifest(str(tmp_path))
    assert text == (
        '%s  3  b.whl\n%s  1  sub/a.whl\n' % (hashlib.sha256(b'bee').hexdigest(), hashlib.sha256(b'a').hexdigest()))


def test_a_changed_file_of_the_same_size_changes_the_manifest(tmp_path):
    (tmp_path / 'x.whl').write_bytes(b'one')
    before = directory_manifest(str(tmp_path))
    (tmp_path / 'x.whl').write_bytes(b'two')
    assert directory_manifest(str(tmp_path)) != before


def test_an_empty_directory_has_an_empty_manifest_and_a_missing_one_raises(tmp_path):
    assert directory_manifest(str(tmp_path)) == ''
    with pytest.raises(OSError):
        directory_manifest(str(tmp_path / 'absent'))


def test_a_directory_manifest_follows_a_linked_directory_as_copy_does_and_the_bundle_walk_does_not(tmp_path):
    (tmp_path / 'real').mkdir()
    (tmp_path / 'real' / 'c.whl').write_bytes(b'c')
    (tmp_path / 'wheels').mkdir()
    (tmp_path / 'wheels' / 'linked').symlink_to(tmp_path / 'real', target_is_directory=True)
    assert directory_manifest(str(tmp_path / 'wheels')) == '%s  1  linked/c.whl\n' % hashlib.sha256(b'c').hexdigest()
    assert files_under(str(tmp_path / 'wheels'), ['.']) == []


def test_the_roles_find_each_artifact_where_the_bundle_holds_it():
    needs = _bundle.host_needs('npu-a3-01', ['serving', 'router'], dict(A3, **ROUTER), STEMS)
    image = [need for need in needs if need['kind'] == 'image'][0]
    weights = [need for need in needs if need['kind'] == 'weights'][0]
    driver = [need for need in needs if need['kind'] == 'driver'][0]
    paths = _bundle.bundle_paths('/srv/bundle/', image=image['name'], repository=weights['name'])
    # The very paths the needs (and so the writer and the validation) use, under the bundle.
    assert paths == {'manifest': '/srv/bundle/manifest.json', 'drivers': '/srv/bundle/drivers', 'wheels': '/srv/bundle/wheels',
                     'debs': '/srv/bundle/debs', 'image_archive': '/srv/bundle/' + image['path'],
                     'weights': '/srv/bundle/' + weights['path']}
    assert driver['path'].startswith('drivers/')
    assert paths['image_archive'] == '/srv/bundle/images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar'


def test_without_a_bundle_every_path_is_empty_and_a_relative_bundle_is_refused():
    assert set(_bundle.bundle_paths('', image=IMAGE_A3, repository='Eco-Tech/Qwen3.6-27B-w8a8').values()) == {''}
    without = _bundle.bundle_paths('/b')
    assert (without['image_archive'], without['weights'], without['debs']) == ('', '', '/b/debs')
    with pytest.raises(BundleError, match="ascend_offline_bundle: 'bundle' is not an absolute path"):
        _bundle.bundle_paths('bundle')
