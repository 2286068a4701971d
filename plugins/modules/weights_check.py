#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: weights_check
short_description: Check a model's weight directory on the node against its record or what the model needs
version_added: 0.1.0
author: ascend_ops.vllm contributors (@ascend-ops)
description:
  - Reads a model directory of the weight cache on the node itself and reports, without changing anything,
    how much room is left for it (RV(free_bytes)) and how much of it is there (RV(bytes)).
  - With O(record), compares the model's files with the record of their last verified stage (a JSON file such as
    C(.ascend_ops_weights.json)), by size and modification time only, so a later run can trust gigabytes of
    weights without reading them (RV(unchanged), RV(drift)).
  - With O(verify=true), checks what the model needs (RV(problems)) - C(config.json) is a JSON object, every shard
    C(model.safetensors.index.json) names (or C(model.safetensors)) is there, and every file of O(listing), a hub's
    file listing, is there with the listed size and, where the hub lists one, its sha256 - and names the files to
    fetch again (RV(bad_files)). It hashes every model file once (O(checksums)), except those whose size already
    differs from the listing.
  - Without a listing, O(expected_record) (the record of the stage a local copy or an archive was made from,
    copied in with its files) takes the listing's place, when it is a record of O(repository).
  - A problem with a file names it by its path under O(path) and, for a wrong size or sha256, what was found
    and what the listing or the record lists.
  - Paths with a part that starts with a dot (the download clients' C(.cache/), C(.msc), C(._____temp/),
    C(.gitattributes), the record itself) are not model files. Only regular files count; symbolic links are not
    followed.
options:
  path:
    description: The model directory. It need not exist (nothing is there then).
    type: path
    required: true
  record:
    description:
      - The record of the last verified stage, a JSON object with C(repository), C(revision) and C(files)
        (path to C(size), C(mtime), C(sha256)), as this module's RV(files) and the role C(model_weights) write it.
      - When set, RV(drift) and RV(unchanged) are returned.
    type: path
  repository:
    description: The repository the record must name (with O(record) or O(expected_record)).
    type: str
    default: ""
  revision:
    description: The revision the record must name (with O(record)).
    type: str
    default: ""
  verify:
    description: Check the files against what the model needs and return RV(problems) and RV(bad_files).
    type: bool
    default: false
  listing:
    description:
      - With O(verify), the hub's listing of the repository's files as its API returned it, the JSON of
        C(GET /api/v1/models/REPO/repo/files?Revision=REV&Recursive=true) (ModelScope) or
        C(GET /api/models/REPO/revision/REV?blobs=true) (Hugging Face).
      - Without it (or O(expected_record)) only C(config.json) and the shards of the index are checked.
    type: dict
  expected_record:
    description:
      - With O(verify) and no O(listing), a record of a verified stage (as O(record) describes) whose sizes and
        sha256 the files must have - the record a local copy or an archive carries from the stage it was made
        from, such as a copy of another node's model directory.
      - Not there, not such a record, or one of another repository than O(repository) - only C(config.json)
        and the shards of the index are checked.
    type: path
  hub:
    description: Which hub O(listing) comes from. Required with O(listing).
    type: str
    choices: [modelscope, huggingface]
  checksums:
    description: With O(verify), hash the model files and compare the sha256 the hub (or O(expected_record)) lists.
    type: bool
    default: true
  index:
    description: Name of the shard index in the model directory.
    type: str
    default: model.safetensors.index.json
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
  - O(verify) reads every model file once when O(checksums) is on, about a minute for 30 GB on a local NVMe disk,
    longer on network storage.
seealso:
  - module: ansible.builtin.find
"""

EXAMPLES = r"""
- name: Room for the weights, and what of them is there already
  ascend_ops.vllm.weights_check:
    path: /data/models/Eco-Tech/Qwen3.6-27B-w8a8
  register: __room

- name: Trust the weights verified before, if nothing changed since
  ascend_ops.vllm.weights_check:
    path: /data/models/Eco-Tech/Qwen3.6-27B-w8a8
    record: /data/models/Eco-Tech/Qwen3.6-27B-w8a8/.ascend_ops_weights.json
    repository: Eco-Tech/Qwen3.6-27B-w8a8
    revision: master
  register: __staged

- name: Read the hub's listing
  ansible.builtin.uri:
    url: https://www.modelscope.cn/api/v1/models/Eco-Tech/Qwen3.6-27B-w8a8/repo/files?Revision=master&Recursive=true
  register: __listing

- name: Verify a download against it
  ascend_ops.vllm.weights_check:
    path: /data/models/Eco-Tech/Qwen3.6-27B-w8a8
    verify: true
    listing: "{{ __listing.json }}"
    hub: modelscope
  register: __verified

- name: Verify a copy from a directory on the node against the record it carries from the stage it was made from
  ascend_ops.vllm.weights_check:
    path: /data/models/Eco-Tech/Qwen3.6-27B-w8a8
    verify: true
    expected_record: /data/models/Eco-Tech/Qwen3.6-27B-w8a8/.ascend_ops_weights.json
    repository: Eco-Tech/Qwen3.6-27B-w8a8
  register: __verified

- name: Refuse incomplete weights
  ansible.builtin.assert:
    that: __verified.problems | length == 0
    fail_msg: "{{ __verified.problems | join('; ') }}"
"""

RETURN = r"""
exists:
  description: Whether O(path) is a directory.
  returned: always
  type: bool
  sample: true
bytes:
  description: Size of every regular file under O(path), the clients' bookkeeping (partial downloads) included.
  returned: always
  type: int
  sample: 31457280000
free_bytes:
  description:
    - Bytes available to the user of the filesystem that holds O(path), or its nearest existing parent directory
      (what C(df) shows as available).
  returned: always
  type: int
  sample: 1099511627776
files:
  description:
    - The model's files (paths relative to O(path)) with their size, modification time and sha256. The sha256 is
      empty unless O(verify) and O(checksums) hashed the file.
    - After a successful O(verify), the record to write.
  returned: always
  type: dict
  sample: {"model-00001-of-00003.safetensors": {"size": 4976698672, "mtime": 1745912040.53, "sha256": "8f2c..."}}
unchanged:
  description: Whether the record names O(repository) at O(revision) and every file it lists is there unchanged.
  returned: when O(record) is set
  type: bool
  sample: false
drift:
  description: What differs from the record, one line per difference; empty when RV(unchanged).
  returned: when O(record) is set
  type: list
  elements: str
  sample: ["no record of a verified stage"]
problems:
  description: What the model directory lacks, one line per problem; empty when it holds what the model needs.
  returned: when O(verify=true)
  type: list
  elements: str
  sample: ["/data/models/Eco-Tech/Qwen3.6-27B-w8a8/model-00003-of-00003.safetensors has 8000 bytes, the hub lists 1231"]
bad_files:
  description: Files to remove and fetch again (missing, wrong size or sha256, a shard the index names).
  returned: when O(verify=true)
  type: list
  elements: str
  sample: ["model-00003-of-00003.safetensors"]
"""

import os
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.ascend_ops.vllm.plugins.module_utils._digest import sha256_of
from ansible_collections.ascend_ops.vllm.plugins.module_utils._weights import (
    CONFIG_NAME,
    WeightsError,
    files_to_hash,
    is_bookkeeping,
    listed_files,
    record_drift,
    recorded_files,
    weight_findings,
)


class WeightDirectory:
    """The model directory as the node's filesystem shows it."""

    def __init__(self, path: str) -> None:
        self.path = path.rstrip('/') or '/'

    def scan(self):
        """(model files, bytes of every regular file); model files map relative paths to size and mtime."""
        files, total = {}, 0
        if not os.path.isdir(self.path):
            return files, total
        for root, _dirs, names in os.walk(self.path):
            for name in names:
                full = os.path.join(root, name)
                try:
                    info = os.lstat(full)
                except OSError:
                    continue
                if not stat.S_ISREG(info.st_mode):
                    continue
                total += info.st_size
                relative = os.path.relpath(full, self.path).replace(os.sep, '/')
                if not is_bookkeeping(relative):
                    files[relative] = {'size': info.st_size, 'mtime': info.st_mtime, 'sha256': ''}
        return files, total

    def free_bytes(self) -> int:
        existing = self.path
        while not os.path.isdir(existing) and existing != os.path.dirname(existing):
            existing = os.path.dirname(existing)
        found = os.statvfs(existing)
        return found.f_bavail * found.f_frsize

    def text(self, relative: str):
        """The file's text, None when it cannot be read (absent); ``relative`` may be absolute."""
        full = os.path.join(self.path, relative)
        try:
            with open(full, 'rb') as handle:
                return handle.read().decode('utf-8', 'replace')
        except (IOError, OSError):
            return None

    def sha256(self, relative: str) -> str:
        return sha256_of(os.path.join(self.path, relative))


def check(params) -> dict:
    """The module's result for ``params``; raises WeightsError or OSError on what it cannot read."""
    directory = WeightDirectory(params['path'])
    files, total = directory.scan()
    result = {'changed': False, 'exists': os.path.isdir(directory.path), 'bytes': total,
              'free_bytes': directory.free_bytes(), 'files': files}
    if params['record']:
        drift = record_drift(directory.text(params['record']), params['repository'], params['revision'], files)
        result.update(drift=drift, unchanged=not drift)
    if params['verify']:
        if params['listing'] is not None:
            expected, reference = listed_files(params['listing'], params['hub']), 'the hub'
        elif params['expected_record']:
            expected = recorded_files(directory.text(params['expected_record']), params['repository'])
            reference = 'the record it was copied with'
        else:
            expected, reference = [], ''
        if params['checksums']:
            for relative in files_to_hash(files, expected):
                files[relative]['sha256'] = directory.sha256(relative)
        config_text = directory.text(CONFIG_NAME) if CONFIG_NAME in files else None
        index_text = directory.text(params['index']) if params['index'] in files else None
        result.update(weight_findings(files, config_text, index_text, expected, params['checksums'], params['index'],
                                      directory=directory.path, reference=reference))
    return result


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            record=dict(type='path'),
            repository=dict(type='str', default=''),
            revision=dict(type='str', default=''),
            verify=dict(type='bool', default=False),
            listing=dict(type='dict'),
            expected_record=dict(type='path'),
            hub=dict(type='str', choices=['modelscope', 'huggingface']),
            checksums=dict(type='bool', default=True),
            index=dict(type='str', default='model.safetensors.index.json'),
        ),
        required_by={'listing': 'hub'},
        mutually_exclusive=[('listing', 'expected_record')],
        supports_check_mode=True,
    )
    try:
        module.exit_json(**check(module.params))
    except WeightsError as error:
        module.fail_json(msg='weights_check: %s' % error)
    except (IOError, OSError) as error:
        module.fail_json(msg='weights_check: cannot read %s: %s' % (module.params['path'], error))


if __name__ == '__main__':
    main()
