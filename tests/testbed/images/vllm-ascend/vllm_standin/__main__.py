# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``python3 -m vllm_standin ...`` is the same as the ``vllm`` command of the image."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
