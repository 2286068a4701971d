#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: bundle_manifest
short_description: Read an offline bundle's manifest and the sizes and sha256 of its files
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Reads the C(manifest.json) of an offline bundle directory (as C(playbooks/bundle.yml) writes it) and, for every file
    the manifest lists, its size and sha256 as it is on disk (RV(files)), without changing anything. The filter
    C(ascend_ops.vllm.bundle_verdict) compares the two with what an inventory needs.
  - With O(describe), also reads the files of these artifacts (a file, or a directory such as a model's weights) and
    returns the manifest entries that describe them (RV(described)) and the C(manifest.json) document of those
    entries (RV(document)); the caller writes it.
  - Files are hashed in 1 MiB blocks, so archives of tens of GB take no more memory than small files.
options:
  path:
    description: The bundle directory.
    type: path
    required: true
  checksums:
    description: Hash the files. Without, RV(files) carries sizes only (C(sha256) empty) and a changed byte goes unseen.
    type: bool
    default: true
  describe:
    description:
      - Artifacts to describe, each C(kind) (C(image), C(weights), C(wheel), C(deb), C(driver)), C(path) relative to
        O(path) (a file or a directory), and C(name) and C(version). A wheel or deb without a C(name) takes its name and
        version from each file name. A driver's version is always read from its package's C(version.info) (empty when
        the file is no makeself package), not taken from the item, so that a package of another version shows as one.
      - Paths whose file is not there give no entry.
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads (and hashes); it does the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
  idempotent:
    description: Running the module twice in a row gives the same result and changes nothing.
    support: full
notes:
  - Hashing reads every byte of the bundle once, a few minutes for an image and the weights of one model on a local disk.
seealso:
  - module: ascend_ops.vllm.weights_check
"""

EXAMPLES = r"""
- name: Read the bundle
  ascend_ops.vllm.bundle_manifest:
    path: /srv/ascend-bundle
  register: bundle

- name: Refuse a bundle unlike its manifest or without what the inventory needs
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | map(attribute='problem') | join('; ') }}"
  vars:
    problems: "{{ needs | ascend_ops.vllm.bundle_verdict(bundle.manifest, bundle.files) }}"

- name: Describe what was fetched, for the manifest
  ascend_ops.vllm.bundle_manifest:
    path: /srv/ascend-bundle
    describe:
      - {kind: wheel, path: wheels}
      - {kind: weights, name: Eco-Tech/Qwen3.6-27B-w8a8, version: master, path: weights/Eco-Tech/Qwen3.6-27B-w8a8}
  register: described
"""

RETURN = r"""
exists:
  description: Whether O(path) is a directory.
  type: bool
  returned: always
manifest:
  description: The manifest's entries (name, kind, version, size, sha256, path); empty when it cannot be read.
  type: list
  elements: dict
  returned: always
  sample: [{name: quay.io/ascend/vllm-ascend:v0.18.0rc1-a3, kind: image, version: v0.18.0rc1-a3, size: 15032385536,
            sha256: 9f2c0a0b8e4f11c26e1f9f3d1b8f0d2f3c4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b,
            path: images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar}]
error:
  description: Why the manifest could not be read (no directory, no file, not the format); empty when it could.
  type: str
  returned: always
files:
  description: Every path the manifest lists, with C(size) and C(sha256) as on disk, or null when the file is not there.
  type: dict
  returned: always
  sample: {images/quay.io_ascend_vllm-ascend_v0.18.0rc1-a3.tar: {size: 15032385536, sha256: 9f2c...}}
described:
  description: The manifest entries of O(describe)'s files.
  type: list
  elements: dict
  returned: always
document:
  description: The C(manifest.json) document of RV(described) (format 1, entries sorted by path).
  type: dict
  returned: always
"""

import os
from typing import Any, Dict, Mapping

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ascend_ops.vllm.plugins.module_utils import _bundle
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle_read import file_info, files_under, read_bundle
from ansible_collections.ascend_ops.vllm.plugins.module_utils._run_package import RunPackageError, read_version_info


def package_version(path: str) -> str:
    """The Version of a .run package's version.info, '' when it has none or is no package."""
    try:
        with open(path, 'rb') as package:
            info = read_version_info(package) or {}
    except (OSError, RunPackageError):
        return ''
    return str(info.get('Version', ''))


def inspect(params: Mapping[str, Any]) -> Dict[str, Any]:
    """What the module returns: the bundle's manifest and files, and the entries of the artifacts to describe."""
    directory = params['path']
    checksums = params['checksums']
    result = dict(read_bundle(directory, checksums), changed=False, exists=os.path.isdir(directory))
    artifacts = []
    for number, artifact in enumerate(params['describe']):
        kind = artifact.get('kind')
        path = str(artifact.get('path') or '')
        if kind not in _bundle.KINDS or not path or path.startswith('/') or '..' in path.split('/'):
            raise ValueError('describe item %d needs a kind (%s) and a relative path inside the bundle, got %r'
                             % (number + 1, ', '.join(_bundle.KINDS), dict(artifact)))
        version = str(artifact.get('version') or '')
        if kind == 'driver':
            version = package_version(os.path.join(directory, path))
        artifacts.append({'kind': kind, 'path': path.rstrip('/'), 'name': str(artifact.get('name') or ''), 'version': version})
    read = {}
    if result['exists']:
        for relative in files_under(directory, [artifact['path'] for artifact in artifacts]):
            read[relative] = file_info(directory, relative, checksums)
    result['described'] = _bundle.describe(artifacts, read)
    result['document'] = _bundle.manifest_document(result['described'])
    return result


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            checksums=dict(type='bool', default=True),
            describe=dict(type='list', elements='dict', default=[]),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**inspect(module.params))
    except ValueError as error:
        module.fail_json(msg='bundle_manifest: %s' % error)
    except (IOError, OSError) as error:
        module.fail_json(msg='bundle_manifest: cannot read %s: %s' % (module.params['path'], error))


if __name__ == '__main__':
    main()
