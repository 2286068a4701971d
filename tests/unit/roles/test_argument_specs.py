# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every role documents exactly the variables it defaults, and nothing else.

meta/argument_specs.yml is the roles' documentation and first line of input
validation; a default it does not list would be an undocumented knob, a spec
entry without a default a documented knob that does nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROLES = sorted(path for path in (Path(__file__).resolve().parents[3] / 'roles').iterdir() if path.is_dir())


def role_ids():
    return [role.name for role in ROLES]


def load(path: Path) -> dict:
    with path.open(encoding='utf-8') as stream:
        return yaml.safe_load(stream) or {}


@pytest.mark.parametrize('role', ROLES, ids=role_ids())
def test_defaults_and_argument_specs_name_the_same_variables(role: Path):
    defaults = load(role / 'defaults' / 'main.yml')
    spec = load(role / 'meta' / 'argument_specs.yml')['argument_specs']['main'].get('options', {})
    optional = {name for name, option in spec.items() if not option.get('required')}
    assert not set(defaults) - set(spec), 'defaults without an argument_specs entry'
    assert not optional - set(defaults), 'optional argument_specs entries without a default in defaults/main.yml'


@pytest.mark.parametrize('role', ROLES, ids=role_ids())
def test_public_variables_carry_the_role_prefix(role: Path):
    defaults = load(role / 'defaults' / 'main.yml')
    strays = [name for name in defaults if not name.startswith(role.name + '_')]
    assert not strays, 'variables without the %s_ prefix: %s' % (role.name, strays)


@pytest.mark.parametrize('role', ROLES, ids=role_ids())
def test_spec_defaults_match_role_defaults(role: Path):
    defaults = load(role / 'defaults' / 'main.yml')
    spec = load(role / 'meta' / 'argument_specs.yml')['argument_specs']['main'].get('options', {})
    mismatched = {name: (option['default'], defaults[name]) for name, option in spec.items()
                  if 'default' in option and name in defaults and option['default'] != defaults[name]}
    assert not mismatched, 'argument_specs default differs from defaults/main.yml: %s' % mismatched
