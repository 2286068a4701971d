# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""execution-environment.yml and meta/execution-environment.yml: one source for each dependency list, pinned as the tests ran it."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
EE_FILE = ROOT / 'execution-environment.yml'
META_EE_FILE = ROOT / 'meta' / 'execution-environment.yml'


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding='utf-8'))


def requirement_lines(path: Path) -> list[Requirement]:
    lines = (line.split('#', 1)[0].strip() for line in path.read_text(encoding='utf-8').splitlines())
    return [Requirement(line) for line in lines if line]


def pins(requirements: list[Requirement]) -> dict[str, str]:
    """Name -> version of every requirement pinned with ==."""
    found = {}
    for requirement in requirements:
        specifiers = list(requirement.specifier)
        if len(specifiers) == 1 and specifiers[0].operator == '==':
            found[requirement.name.lower()] = specifiers[0].version
    return found


@pytest.fixture(scope='module')
def ee() -> dict:
    return load(EE_FILE)


@pytest.fixture(scope='module')
def meta_ee() -> dict:
    return load(META_EE_FILE)


def test_the_image_definition_is_ansible_builder_3_on_a_pinned_base(ee):
    assert ee['version'] == 3
    name = ee['images']['base_image']['name']
    tag = name.rsplit(':', 1)[1] if ':' in name.rsplit('/', 1)[-1] else ''
    assert tag and tag != 'latest', f'{name}: pin the base image to a release tag'


def test_the_image_reads_the_requirement_files_themselves(ee, meta_ee):
    """Both definitions name the same files, which exist: no copied list can drift."""
    for entry in ('python', 'system'):
        top = ee['dependencies'][entry]
        collection = meta_ee['dependencies'][entry]
        assert isinstance(top, str) and isinstance(collection, str), f'{entry}: a file, not an inline list'
        assert (EE_FILE.parent / top).resolve() == (ROOT / collection).resolve()
        assert (ROOT / collection).is_file(), collection


def test_the_collection_ships_what_its_meta_names(meta_ee):
    """ansible-builder reads the files from the installed artifact: galaxy.yml must not leave them out."""
    ignored = set(load(ROOT / 'galaxy.yml')['build_ignore'])
    for entry in ('python', 'system'):
        path = meta_ee['dependencies'][entry]
        assert not PurePosixPath(path).is_absolute(), 'ansible-builder refuses absolute paths in a collection'
        assert path not in ignored and PurePosixPath(path).parts[0] not in ignored, path
    assert 'meta' not in ignored


def test_ansible_core_in_the_image_is_the_release_requirements_txt_pins(ee):
    wanted = pins(requirement_lines(ROOT / 'requirements.txt'))['ansible-core']
    image = pins([Requirement(ee['dependencies']['ansible_core']['package_pip'])])
    assert image == {'ansible-core': wanted}


def test_ansible_runner_is_pinned(ee):
    assert set(pins([Requirement(ee['dependencies']['ansible_runner']['package_pip'])])) == {'ansible-runner'}


def test_the_collection_installs_from_the_file_the_build_context_receives(ee):
    """galaxy: names the artifact where additional_build_files puts it (the build's working directory is _build)."""
    (collection,) = ee['dependencies']['galaxy']['collections']
    assert collection['type'] == 'file'
    destinations = {str(PurePosixPath(entry['dest']) / PurePosixPath(entry['src']).name)
                    for entry in ee['additional_build_files']}
    assert collection['name'] in destinations
    assert '--offline' in ee['build_arg_defaults']['ANSIBLE_GALAXY_CLI_COLLECTION_OPTS'].split()


def test_every_system_package_says_its_platform():
    """The image is RPM-based and controllers are often Debian: an untagged line would be looked up on both."""
    lines = [line.strip() for line in (ROOT / 'bindep.txt').read_text(encoding='utf-8').splitlines()]
    rules = [line for line in lines if line and not line.startswith('#')]
    assert rules
    for rule in rules:
        assert re.search(r'\[.*platform:(rpm|dpkg).*\]', rule), rule
