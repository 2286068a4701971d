# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: accuracy_install_plan
short_description: Whether the AISBench client's venv needs pip, and the record of the install to keep on the client
author: ascend_ops.vllm contributors
description:
  - Compares what the vllm_accuracy role would install (torch and AISBench's requirements, pip's arguments, the tested set of
    versions, the venv's Python, and for each local C(--find-links) directory its P(ascend_ops.vllm.directory_manifest#filter))
    with the record the last successful install left in the venv. pip runs only when they differ, so an unchanged re-run
    costs two file reads instead of two pip resolutions.
  - pip's arguments and the constraints are kept as sha256, never as text (an index URL may carry a password).
  - The C(--find-links) directories are read here, on the controller; with O(local=false) (a client other than the controller)
    and such a directory the plan always installs, as the role did before there was a record.
  - What the record does not hold goes unseen - a package removed from the venv by hand is installed again only once the record
    (C(<venv>/ascend_ops-install.json)) is removed.
options:
  _input:
    description: The install's settings - C(torch_package) (a requirement, empty for none), C(torch_pip_args), C(packages) (a list
      of requirements), C(pip_args) (the arguments of both installs) and C(constraints) (the text of the constraints file, empty
      when none is used).
    type: dict
    required: true
  previous:
    description: The record the last install left (the file's text), empty when there is none.
    type: str
    default: ''
  pyvenv:
    description: The text of the venv's C(pyvenv.cfg), empty before the venv exists.
    type: str
    default: ''
  local:
    description: Whether the client is the controller, so that its C(--find-links) directories can be read here.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Work out whether the client needs pip
  ansible.builtin.set_fact:
    install_plan: >-
      {{ {'torch_package': 'torch==2.13.0', 'torch_pip_args': '', 'packages': ['ais-bench-benchmark==3.1.20260630'],
          'pip_args': '--no-index --find-links /srv/wheels', 'constraints': ''}
         | ascend_ops.vllm.accuracy_install_plan(previous=record.content | default('') | b64decode,
                                                 pyvenv=pyvenv.content | default('') | b64decode) }}

- name: Install AISBench
  ansible.builtin.pip:
    name: ais-bench-benchmark==3.1.20260630
    virtualenv: /var/tmp/ascend_ops-ais-bench/venv
  when: install_plan.install
"""

RETURN = r"""
_value:
  description: C(install) (bool), C(reason) (why pip runs, empty when it does not) and C(record) (the JSON text to write after
    a successful install).
  type: dict
  sample: {install: false, reason: '', record: "{\n \"format\": 1,\n ...}\n"}
"""

import os

from ansible.errors import AnsibleFilterError

from ansible_collections.ascend_ops.vllm.plugins.module_utils._accuracy import AccuracyError, install_plan, pip_find_links
from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle_read import directory_manifest

FILTER_NAME = 'ascend_ops.vllm.accuracy_install_plan'


def accuracy_install_plan(settings, previous='', pyvenv='', local=True):
    """Whether pip runs, why, and the record to keep."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError('%s: the install settings are a dict, got %r' % (FILTER_NAME, settings))
    directories = pip_find_links(' '.join(str(settings.get(key) or '') for key in ('torch_pip_args', 'pip_args')))
    wheels = None
    try:
        if local or not directories:
            # A directory not there is pip's warning to give, as before; its manifest is empty.
            wheels = {directory: directory_manifest(directory) if os.path.isdir(directory) else '' for directory in directories}
        return install_plan(settings, str(previous or ''), str(pyvenv or ''), wheels)
    except (AccuracyError, OSError, ValueError) as error:
        raise AnsibleFilterError('%s: %s' % (FILTER_NAME, error))


class FilterModule(object):
    """Accuracy install plan filter."""

    def filters(self):
        return {'accuracy_install_plan': accuracy_install_plan}
