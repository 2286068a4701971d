# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the bench scripts run ansible-playbook: from the checkout, with profile_tasks, output captured.

Shared by bench/hccl_pairs.py and bench/deploy_scale.py (run as
``python3 bench/<script>.py``, so this directory is on their import path).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Dict, Mapping, Optional

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTBED_PLAYBOOKS = os.path.join(REPO, 'tests', 'testbed', 'playbooks')


def ansible_env(defaults: Optional[Mapping[str, str]] = None, settings: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The environment of a bench run: the checkout's collections, profile_tasks, no colour.

    ``defaults`` apply unless the caller's environment sets them; ``settings`` always.
    """
    env = dict(os.environ)
    env.setdefault('ANSIBLE_COLLECTIONS_PATH', os.path.join(REPO, 'build', 'collections'))
    env.setdefault('ANSIBLE_HOME', os.path.join(REPO, 'build', 'ansible-home'))
    env.setdefault('ANSIBLE_LOCAL_TEMP', os.path.join(REPO, 'build', 'ansible-home', 'tmp'))
    for key, value in (defaults or {}).items():
        env.setdefault(key, value)
    env['ANSIBLE_CALLBACKS_ENABLED'] = 'ansible.posix.profile_tasks'
    env['ANSIBLE_NOCOLOR'] = '1'
    env.update(settings or {})
    return env


def playbook(inventory_path: str, path: str, *args: str, check: bool = True, env: Optional[Mapping[str, str]] = None) -> subprocess.CompletedProcess:
    """ansible-playbook on the inventory, from the checkout; with check, a failure prints its tail and exits."""
    argv = ['ansible-playbook', '-i', inventory_path, path] + list(args)
    done = subprocess.run(argv, cwd=REPO, env=dict(env) if env is not None else ansible_env(), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-2000:])
        raise SystemExit('%s failed (rc %d)' % (' '.join(argv), done.returncode))
    return done
