# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' real argument specs, read once by each validation test module, so the checks are tested
on the variables and types the roles declare rather than on a copy that can drift.

ansible-test units imports test files as ansible_collections.ascend_ops.vllm.tests.unit..., so
they import this module by that name (plain pytest does the same with the collection on PYTHONPATH)."""

from __future__ import annotations

import os

import yaml

ROLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'roles')


def role_argument_specs():
    """role -> the argument_specs mapping of its meta/argument_specs.yml, for every role that has one."""
    specs = {}
    for role in sorted(os.listdir(ROLES)):
        path = os.path.join(ROLES, role, 'meta', 'argument_specs.yml')
        if os.path.exists(path):
            with open(path, encoding='utf-8') as stream:
                specs[role] = yaml.safe_load(stream)['argument_specs']
    return specs
