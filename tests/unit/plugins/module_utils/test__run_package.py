# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading version.info out of a .run package, and the verdict on a driver and firmware pair."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile

import pytest

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _run_package
from ansible_collections.ascend_ops.vllm.plugins.module_utils._run_package import RunPackageError, pair_problems

# The version.info lines of the test bed's packages, as Huawei's carry them.
DRIVER_INFO = ('Version=25.0.rc1.1\nascendhal_version=7.35.23\nInnerversion=V100R001C23SPC002B212\n'
               'compatible_version=[V100R001C19],[V100R001C20],[V100R001C21],[V100R001C22],[V100R001C23]\n'
               'compatible_version_fw=[7.0.0,7.7.99]\npackage_version=25.0.rc1.1\n')
OLD_FIRMWARE_INFO = 'Version=7.5.0.5.220\nfirmware_version=1.0\npackage_version=24.1.rc3\ncompatible_version_drv=[24.1,24.1.]\n'
STAGE = '/var/cache/ascend_ops/npu_driver/'
FIRMWARE_RUN = STAGE + 'Ascend-hdk-910b-npu-firmware_7.5.0.5.220.run'
DRIVER_RUN = STAGE + 'Ascend-hdk-910b-npu-driver_25.0.rc1.1_linux-aarch64.run'


def makeself_bytes(members, header_lines=40, form='skip'):
    """A package laid out as makeself lays one out: a shell header that counts its own lines, then a tar.gz."""
    count = ('skip="%d"\n' % header_lines if form == 'skip'
             else 'offset=`head -n %d "$1" | wc -c | tr -d " "`\n' % header_lines)
    header = '#!/bin/sh\n' + count + ''.join('# line %d\n' % line for line in range(header_lines - 3)) + 'exit 0\n'
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode='w:gz') as archive:
        for name, content in members:
            member = tarfile.TarInfo(name)
            member.size = len(content)
            archive.addfile(member, io.BytesIO(content))
    return header.encode(), payload.getvalue()


def read(members, **keywords):
    header, payload = makeself_bytes(members, **keywords)
    return _run_package.read_version_info(io.BytesIO(header + payload))


# ---------------------------------------------------------------- versions and ranges


@pytest.mark.parametrize('version, low, high, inside', [
    ('7.7.0.1.231', '7.0.0', '7.7.99', True), ('7.0.0', '7.0.0', '7.7.99', True), ('7.8.0.1.231', '7.0.0', '7.7.99', False),
    ('6.4.12.1.241', '7.0.0', '7.7.99', False), ('25.0.rc1.1', '25.0', '25.0.', True), ('24.1.rc3', '25.0', '25.0.', False)])
def test_version_ranges_compare_as_many_parts_as_the_bound_has(version, low, high, inside):
    assert _run_package.in_version_range(version, low, high) is inside


def test_version_info_is_read_as_keys_and_ranges():
    info = _run_package.parse_version_info(DRIVER_INFO)
    assert info['Version'] == '25.0.rc1.1' and info['compatible_version'].startswith('[V100R001C19],')
    assert _run_package.version_ranges(info['compatible_version_fw']) == [('7.0.0', '7.7.99')]
    assert _run_package.version_ranges('[7.0.0,7.1.99],[7.5.0,7.7.99]') == [('7.0.0', '7.1.99'), ('7.5.0', '7.7.99')]
    # compatible_version lists release names, not ranges.
    assert _run_package.version_ranges(info['compatible_version']) == []


def test_a_version_outside_no_known_range_is_not_outside():
    assert _run_package.outside_ranges('7.8.0', [('7.0.0', '7.7.99')]) is True
    assert _run_package.outside_ranges('7.8.0', []) is False
    assert _run_package.outside_ranges('', [('7.0.0', '7.7.99')]) is False


# ---------------------------------------------------------------- the package


@pytest.mark.parametrize('form', ['skip', 'head'])
def test_the_payload_of_a_makeself_package_starts_after_the_lines_its_header_counts(form):
    header, payload = makeself_bytes([('./version.info', b'Version=1\n')], form=form)
    assert _run_package.makeself_payload_offset(header + payload) == len(header)


def test_a_file_that_is_no_makeself_package_is_refused():
    with pytest.raises(RunPackageError, match='not a makeself package'):
        _run_package.makeself_payload_offset(b'#!/bin/sh\necho hello\n')


def test_a_header_shorter_than_it_says_is_refused():
    with pytest.raises(RunPackageError, match='shorter than the 900 lines'):
        _run_package.makeself_payload_offset(b'#!/bin/sh\nskip="900"\nexit 0\n')


@pytest.mark.parametrize('form', ['skip', 'head'])
def test_version_info_is_read_from_the_top_of_the_archive(form):
    info = read([('./install.sh', b'#!/bin/sh\n'), ('./version.info', DRIVER_INFO.encode())], form=form)
    assert info['Version'] == '25.0.rc1.1' and info['compatible_version_fw'] == '[7.0.0,7.7.99]'


def test_version_info_in_the_components_directory_is_read_and_deeper_ones_are_not():
    members = [('./driver/lib64/version.info', b'Version=lib\n'), ('./driver/version.info', OLD_FIRMWARE_INFO.encode())]
    assert read(members)['compatible_version_drv'] == '[24.1,24.1.]'
    assert _run_package.version_info_depth('./version.info') == 1
    assert _run_package.version_info_depth('driver/version.info') == 2
    assert _run_package.version_info_depth('./driver/lib64/version.info') is None
    assert _run_package.version_info_depth('./version.info.bak') is None


def test_a_package_without_version_info_gives_none():
    assert read([('./install.sh', b'#!/bin/sh\n'), ('./driver/lib64/version.info', b'Version=lib\n')]) is None


def test_a_truncated_package_is_refused():
    header, payload = makeself_bytes([('./install.sh', os.urandom(50000)), ('./version.info', b'Version=1\n')])
    with pytest.raises(RunPackageError, match='its archive cannot be read'):
        _run_package.read_version_info(io.BytesIO(header + payload[:len(payload) // 2]))


@pytest.mark.skipif(shutil.which('makeself') is None, reason='makeself is not installed')
def test_version_info_is_read_from_a_package_makeself_built(tmp_path):
    """The real tool's header and archive, as the test bed's packages (and Huawei's) are made."""
    content = tmp_path / 'content'
    content.mkdir()
    (content / 'version.info').write_text(OLD_FIRMWARE_INFO)
    (content / 'install.sh').write_text('#!/bin/sh\nexit 0\n')
    package = tmp_path / 'Ascend-hdk-910b-npu-firmware_7.5.0.5.220.run'
    subprocess.run(['makeself', '--quiet', '--sha256', '--nox11', str(content), str(package), 'FIRMWARE', './install.sh'],
                   check=True, capture_output=True)
    with open(str(package), 'rb') as stream:
        info = _run_package.read_version_info(stream)
    assert info['Version'] == '7.5.0.5.220' and info['compatible_version_drv'] == '[24.1,24.1.]'


# ---------------------------------------------------------------- the verdict


def test_a_firmware_package_that_excludes_the_installed_driver_is_refused_with_both_versions():
    packages = {'firmware': {'path': FIRMWARE_RUN, 'exists': True, 'version_info': _run_package.parse_version_info(OLD_FIRMWARE_INFO)}}
    found = pair_problems('np-a2', '25.0.rc1.1', '7.5.0.5.220', packages, {'driver': DRIVER_INFO})
    assert found == [
        'np-a2: npu_driver_version: driver 25.0.rc1.1 is outside [24.1, 24.1.], the drivers firmware 7.5.0.5.220 works with'
        ' (compatible_version_drv of %s); accepted: a driver version within [24.1, 24.1.], or an npu_driver_firmware_version'
        ' whose compatible_version_drv includes 25.0.rc1.1' % FIRMWARE_RUN]


def test_a_firmware_outside_the_range_of_the_staged_driver_package_is_refused():
    driver = {'path': DRIVER_RUN, 'exists': True,
              'version_info': {'Version': '26.0.rc1', 'compatible_version_fw': '[7.8.0,7.9.99]'}}
    found = pair_problems('a2-0', '26.0.rc1', '7.7.0.1.231', {'driver': driver})
    assert len(found) == 1
    assert found[0].startswith('a2-0: npu_driver_firmware_version: firmware 7.7.0.1.231 is outside [7.8.0, 7.9.99],'
                               ' the firmware driver 26.0.rc1 works with (compatible_version_fw of %s)' % DRIVER_RUN)
    assert found[0].endswith('accepted: a firmware version within [7.8.0, 7.9.99], or an npu_driver_version whose'
                             ' compatible_version_fw includes 7.7.0.1.231')


def test_the_installed_driver_judges_a_firmware_installed_alone():
    found = pair_problems('a2-0', '25.0.rc1.1', '7.8.0.2.210', {'firmware': {'path': FIRMWARE_RUN, 'exists': True, 'version_info': {}}},
                          {'driver': DRIVER_INFO.replace('[7.0.0,7.7.99]', '[7.8.0,7.8.99]'), 'firmware': 'Version=7.7.0.1.231\n'})
    assert found == []
    found = pair_problems('a2-0', '25.0.rc1.1', '7.8.0.2.210', {'firmware': {'path': FIRMWARE_RUN, 'exists': True, 'version_info': {}}},
                          {'driver': DRIVER_INFO})
    assert len(found) == 1 and "(compatible_version_fw of the installed driver's version.info)" in found[0]


def test_a_package_to_be_installed_overrides_what_is_installed():
    """The old firmware's range no longer matters once its replacement's package is there."""
    packages = {'firmware': {'path': STAGE + 'new.run', 'exists': True, 'version_info': {'compatible_version_drv': '[25.0,25.0.]'}}}
    assert pair_problems('a2-0', '25.0.rc1.1', '7.7.0.1.231', packages, {'firmware': OLD_FIRMWARE_INFO}) == []


def test_a_package_not_staged_yet_is_judged_by_the_known_ranges_only():
    """Check mode on a node without the packages: the installed (old) release says nothing about the new one."""
    packages = {'driver': {'path': DRIVER_RUN, 'exists': False, 'version_info': {}},
                'firmware': {'path': FIRMWARE_RUN, 'exists': False, 'version_info': {}}}
    assert pair_problems('a2-0', '25.0.rc1.1', '7.7.0.1.231', packages, {'firmware': OLD_FIRMWARE_INFO}) == []
    found = pair_problems('a2-0', '25.0.rc1.1', '7.8.0.2.210', packages)
    assert len(found) == 1 and "(compatible_version_fw of driver 25.0.rc1.1's version.info)" in found[0]


def test_an_unknown_driver_without_a_package_is_not_judged():
    assert pair_problems('a2-0', '26.0.rc1', '9.9.9', {'driver': {'path': DRIVER_RUN, 'exists': True, 'version_info': {}}}) == []


def test_a_pair_within_both_ranges_passes():
    packages = {'driver': {'path': DRIVER_RUN, 'exists': True, 'version_info': _run_package.parse_version_info(DRIVER_INFO)},
                'firmware': {'path': STAGE + 'fw.run', 'exists': True, 'version_info': {'compatible_version_drv': '[25.0,25.0.]'}}}
    assert pair_problems('a2-0', '25.0.rc1.1', '7.7.0.1.231', packages) == []


def test_unmanaged_firmware_is_not_judged():
    packages = {'driver': {'path': DRIVER_RUN, 'exists': True, 'version_info': _run_package.parse_version_info(DRIVER_INFO)}}
    assert pair_problems('vm-0', '25.0.rc1.1', '', packages, {'firmware': OLD_FIRMWARE_INFO}) == []


def test_both_ranges_broken_give_two_messages():
    packages = {'driver': {'path': DRIVER_RUN, 'exists': True, 'version_info': {'compatible_version_fw': '[7.8.0,7.9.99]'}},
                'firmware': {'path': FIRMWARE_RUN, 'exists': True, 'version_info': {'compatible_version_drv': '[24.1,24.1.]'}}}
    found = pair_problems('a2-0', '25.0.rc1.1', '7.5.0.5.220', packages)
    assert [message.split(': ')[1] for message in found] == ['npu_driver_firmware_version', 'npu_driver_version']
