# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in for the vllm-ascend serving image: ``vllm serve`` and ``vllm bench serve`` without an NPU.

It accepts exactly the command lines the real vLLM parser of its release accepts (the parser is built
from a spec dumped from the real one), checks what a real start-up on an Atlas node would check
(device nodes, ports, model directory) and then serves an OpenAI-compatible API with deterministic text.
"""
