# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What vLLM reads from a local model directory before it serves, and the errors it gives when it cannot.

The deployments here always pass a local directory. vLLM needs ``config.json`` there; it loads every
safetensors shard the index names; vllm-ascend's ``--quantization ascend`` reads
``quant_model_description.json``. The context length comes from ``max_position_embeddings``
(at the top level or in ``text_config`` for multimodal checkpoints such as Qwen3.5/3.6).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional


class ModelDirError(Exception):
    """The model directory cannot be served; the message is vLLM's."""


def invalid_model_message(model: str) -> str:
    return (
        "ValueError: Invalid repository ID or local directory specified: '%s'.\n"
        "Please verify the following requirements:\n"
        "1. Provide a valid Hugging Face repository ID.\n"
        "2. Specify a local directory that contains a recognized configuration file.\n"
        "   - For Hugging Face models: ensure the presence of a 'config.json'.\n"
        "   - For Mistral models: ensure the presence of a 'params.json'." % model
    )


def read_config(model: str) -> Dict[str, Any]:
    path = os.path.join(model, "config.json")
    if not os.path.isfile(path):
        raise ModelDirError(invalid_model_message(model))
    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except ValueError as exc:
        raise ModelDirError("json.decoder.JSONDecodeError: %s: %s" % (path, exc)) from None
    if not isinstance(config, dict):
        raise ModelDirError(invalid_model_message(model))
    return config


def derived_max_model_len(config: Dict[str, Any]) -> Optional[int]:
    for section in (config, config.get("text_config") or {}):
        value = section.get("max_position_embeddings") if isinstance(section, dict) else None
        if isinstance(value, int):
            return value
    return None


def resolve_max_model_len(requested: Optional[int], config: Dict[str, Any]) -> int:
    derived = derived_max_model_len(config)
    if requested is None or requested == -1:
        return derived or 2048
    if derived is not None and requested > derived:
        raise ModelDirError(
            "pydantic_core._pydantic_core.ValidationError: 1 validation error for ModelConfig\n"
            "  Value error, User-specified max_model_len (%d) is greater than the derived max_model_len "
            "(max_position_embeddings=%d or model_max_length=None in model's config.json). "
            "To allow overriding this maximum, set the env var VLLM_ALLOW_LONG_MAX_MODEL_LEN=1." % (requested, derived)
        )
    return requested


def weight_files(model: str) -> List[str]:
    """The shard files vLLM would load; raises when any is missing or none exists."""
    index_path = os.path.join(model, "model.safetensors.index.json")
    if os.path.isfile(index_path):
        with open(index_path, encoding="utf-8") as handle:
            weight_map = json.load(handle).get("weight_map", {})
        shards = sorted(set(weight_map.values()))
        for shard in shards:
            path = os.path.join(model, shard)
            if not os.path.isfile(path):
                raise ModelDirError("FileNotFoundError: [Errno 2] No such file or directory: '%s'" % path)
        return [os.path.join(model, s) for s in shards]
    shards = sorted(n for n in os.listdir(model) if n.endswith(".safetensors"))
    if not shards:
        raise ModelDirError("RuntimeError: Cannot find any model weights with `%s`" % model)
    return [os.path.join(model, s) for s in shards]


def check_quantization(model: str, quantization: Optional[str]) -> None:
    if quantization != "ascend":
        return
    description = os.path.join(model, "quant_model_description.json")
    if not os.path.isfile(description):
        raise ModelDirError(
            "ValueError: Cannot find the quantization description file quant_model_description.json in %s: "
            "--quantization ascend needs a checkpoint quantized for Ascend (e.g. w8a8)." % model
        )
