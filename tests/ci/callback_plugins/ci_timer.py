# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Records where the time of a CI run goes, for tests/ci/times_report.py.

Enabled by `make molecule` (ANSIBLE_CALLBACKS_ENABLED) for every
ansible-playbook run that molecule starts. It writes one JSON line per play
and per task to ``$CI_TIMES_DIR/ansible.jsonl``; without that variable it
records nothing. Each line names the molecule scenario and the playbook, so
the report can tell a converge from the deploys inside a side effect.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: ci_timer
type: aggregate
short_description: Write play and task durations as JSON lines for the CI time report
description:
  - Appends one JSON object per finished play and per task to C($CI_TIMES_DIR/ansible.jsonl).
  - Test tooling of this repository, not part of the collection.
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED, C(CI_TIMES_DIR) set in the environment
"""

import json
import os
import time

from ansible import context
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Time each play and task and append the figures to a JSON-lines file."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ci_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        directory = os.environ.get("CI_TIMES_DIR", "")
        self._path = os.path.join(directory, "ansible.jsonl") if directory else ""
        self._playbook = ""
        self._check = False
        self._playbook_started = time.time()
        self._play: tuple[str, float] | None = None
        self._task: tuple[str, str, float] | None = None
        self._scenario = os.environ.get("MOLECULE_SCENARIO_NAME", "")

    def _write(self, record: dict) -> None:
        if not self._path:
            return
        record.update(scenario=self._scenario, playbook=self._playbook, check=self._check)
        line = json.dumps(record, sort_keys=True) + "\n"
        os.makedirs(os.path.dirname(self._path), exist_ok=True)
        # One short write with O_APPEND: lines of parallel runs do not interleave.
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def _end_task(self) -> None:
        if self._task is not None:
            name, role, started = self._task
            self._write({"kind": "task", "name": name, "role": role, "seconds": round(time.time() - started, 3)})
            self._task = None

    def _end_play(self) -> None:
        self._end_task()
        if self._play is not None:
            name, started = self._play
            self._write({"kind": "play", "name": name, "started": round(started, 3),
                         "seconds": round(time.time() - started, 3)})
            self._play = None

    def v2_playbook_on_start(self, playbook) -> None:
        self._playbook = os.path.relpath(playbook._file_name, os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd()))
        self._check = bool(context.CLIARGS.get("check", False))
        self._playbook_started = time.time()

    def v2_playbook_on_play_start(self, play) -> None:
        self._end_play()
        self._play = (play.get_name().strip(), time.time())

    def v2_playbook_on_task_start(self, task, is_conditional) -> None:
        self._end_task()
        role = task._role.get_name() if task._role else ""
        self._task = (task.get_name().strip(), role, time.time())

    def v2_playbook_on_handler_task_start(self, task) -> None:
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats) -> None:
        self._end_play()
        self._write({"kind": "playbook", "name": self._playbook, "started": round(self._playbook_started, 3),
                     "seconds": round(time.time() - self._playbook_started, 3)})
