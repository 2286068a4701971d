"""Write small model repositories in the real Qwen3.5/3.6-27B layout for the stand-in hub.

The directories look like what ModelScope and Hugging Face serve for the real
repositories (config, generation config, tokenizer files, a safetensors index
and N shards in the real safetensors format), but every tensor is tiny, so a
whole repository is a few tens of KB. Content is a pure function of the repo id
and the shard count: two runs write identical bytes, so checksums, ETags and
commit ids stay stable across test runs.

Usage: python3 make_model.py --root DIR [--repo OWNER/NAME ...] [--shards N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import struct
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

DEFAULT_REPOS: Tuple[str, ...] = (
    "Qwen/Qwen3.5-27B",
    "Eco-Tech/Qwen3.5-27B-w8a8-mtp",
    "Qwen/Qwen3.6-27B",
    "Eco-Tech/Qwen3.6-27B-w8a8",
)

# The description file msModelSlim writes next to w8a8 weights; vllm-ascend's
# AscendQuantConfig looks for exactly this name.
QUANT_DESCRIPTION_FILE = "quant_model_description.json"
INDEX_FILE = "model.safetensors.index.json"

NUM_LAYERS = 64
FULL_ATTENTION_INTERVAL = 4
# Tiny stand-in tensor shapes: the real ones are [12288, 5120] and up.
TINY_ROWS = 4
TINY_COLS = 8

DTYPE_BYTES = {"BF16": 2, "F32": 4, "I8": 1}


def is_quantized(repo_id: str) -> bool:
    return "w8a8" in repo_id.lower()


def has_mtp_weights(repo_id: str) -> bool:
    """BF16 originals ship the MTP layer; of the w8a8 repos only the -mtp one keeps it."""
    return not is_quantized(repo_id) or repo_id.lower().endswith("-mtp")


def default_shard_count(repo_id: str) -> int:
    return 3 if is_quantized(repo_id) else 4


def layer_types() -> List[str]:
    return [
        "full_attention" if (index + 1) % FULL_ATTENTION_INTERVAL == 0 else "linear_attention"
        for index in range(NUM_LAYERS)
    ]


def text_config() -> Dict[str, object]:
    """Qwen3.5-27B and Qwen3.6-27B share this text architecture (values of the public config.json)."""
    return {
        "attention_bias": False,
        "attention_dropout": 0.0,
        "attn_output_gate": True,
        "bos_token_id": 248044,
        "dtype": "bfloat16",
        "eos_token_id": 248044,
        "full_attention_interval": FULL_ATTENTION_INTERVAL,
        "head_dim": 256,
        "hidden_act": "silu",
        "hidden_size": 5120,
        "initializer_range": 0.02,
        "intermediate_size": 17408,
        "layer_types": layer_types(),
        "linear_conv_kernel_dim": 4,
        "linear_key_head_dim": 128,
        "linear_num_key_heads": 16,
        "linear_num_value_heads": 48,
        "linear_value_head_dim": 128,
        "mamba_ssm_dtype": "float32",
        "max_position_embeddings": 262144,
        "model_type": "qwen3_5_text",
        "mtp_num_hidden_layers": 1,
        "mtp_use_dedicated_embeddings": False,
        "num_attention_heads": 24,
        "num_hidden_layers": NUM_LAYERS,
        "num_key_value_heads": 4,
        "output_gate_type": "swish",
        "pad_token_id": None,
        "partial_rotary_factor": 0.25,
        "rms_norm_eps": 1e-06,
        "rope_parameters": {
            "mrope_interleaved": True,
            "mrope_section": [11, 11, 10],
            "partial_rotary_factor": 0.25,
            "rope_theta": 10000000,
            "rope_type": "default",
        },
        "tie_word_embeddings": False,
        "use_cache": True,
        "vocab_size": 248320,
    }


def model_config() -> Dict[str, object]:
    config: Dict[str, object] = {
        "architectures": ["Qwen3_5ForConditionalGeneration"],
        "image_token_id": 248056,
        "language_model_only": False,
        "model_type": "qwen3_5",
        "text_config": text_config(),
        "tie_word_embeddings": False,
        # transformers >= 4.56 writes text_config.dtype; torch_dtype is the older
        # top-level name that tools reading config.json still look for.
        "torch_dtype": "bfloat16",
        "transformers_version": "4.57.1",
        "video_token_id": 248057,
        "vision_config": {
            "deepstack_visual_indexes": [],
            "depth": 27,
            "hidden_act": "gelu_pytorch_tanh",
            "hidden_size": 1152,
            "in_channels": 3,
            "initializer_range": 0.02,
            "intermediate_size": 4304,
            "model_type": "qwen3_5",
            "num_heads": 16,
            "num_position_embeddings": 2304,
            "out_hidden_size": 5120,
            "patch_size": 16,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        "vision_end_token_id": 248054,
        "vision_start_token_id": 248053,
    }
    # The w8a8 stand-ins share this config; their scheme lives in
    # quant_model_description.json, the file vllm-ascend reads with --quantization ascend.
    return config


def generation_config() -> Dict[str, object]:
    return {
        "bos_token_id": 248044,
        "do_sample": True,
        "eos_token_id": [248046, 248044],
        "pad_token_id": 248044,
        "temperature": 0.6,
        "top_k": 20,
        "top_p": 0.95,
        "transformers_version": "4.57.1",
    }


SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
SPECIAL_TOKEN_IDS = [248044, 248045, 248046]
# A byte-level BPE vocabulary of a few words: enough for a tokenizer file that
# the `tokenizers` library parses, far from the real 248k entries.
SMALL_VOCAB = ["h", "e", "l", "o", "w", "r", "d", "\u0120", "he", "ll", "hell", "hello", "\u0120w", "or", "\u0120wor", "ld", "\u0120world"]
SMALL_MERGES = ["h e", "l l", "he ll", "hell o", "\u0120 w", "o r", "\u0120w or", "l d", "\u0120wor ld"]


def tokenizer_json() -> Dict[str, object]:
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": token_id, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for token, token_id in zip(SPECIAL_TOKENS, SPECIAL_TOKEN_IDS)
        ],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": {token: index for index, token in enumerate(SMALL_VOCAB)},
            "merges": SMALL_MERGES,
        },
    }


def tokenizer_config() -> Dict[str, object]:
    return {
        "add_prefix_space": False,
        "added_tokens_decoder": {
            str(token_id): {"content": token, "lstrip": False, "normalized": False, "rstrip": False,
                            "single_word": False, "special": True}
            for token, token_id in zip(SPECIAL_TOKENS, SPECIAL_TOKEN_IDS)
        },
        "bos_token": None,
        "chat_template": (
            "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
            "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
        ),
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": 262144,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }


def preprocessor_config() -> Dict[str, object]:
    return {
        "image_processor_type": "Qwen2VLImageProcessorFast",
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
        "merge_size": 2,
        "patch_size": 16,
        "temporal_patch_size": 2,
        "processor_class": "Qwen3VLProcessor",
    }


def modelscope_configuration() -> Dict[str, object]:
    return {"framework": "pytorch", "task": "image-text-to-text", "allow_remote": True}


def tensor_plan(repo_id: str) -> List[Tuple[str, str, List[int], str]]:
    """(name, dtype, shape, quant type) of each stand-in tensor, in checkpoint order.

    One small tensor per real module family keeps the weight_map realistic
    (language model layers, MTP head, vision tower, lm_head) at a few KB.
    """
    quantized = is_quantized(repo_id)
    plan: List[Tuple[str, str, List[int], str]] = [
        ("model.language_model.embed_tokens.weight", "BF16", [TINY_ROWS, TINY_COLS], "FLOAT"),
    ]
    for layer_index, kind in enumerate(layer_types()):
        prefix = "model.language_model.layers.%d." % layer_index
        plan.append((prefix + "input_layernorm.weight", "BF16", [TINY_COLS], "FLOAT"))
        projection = prefix + ("self_attn.q_proj" if kind == "full_attention" else "linear_attn.in_proj_qkv")
        if quantized:
            plan.append((projection + ".weight", "I8", [TINY_ROWS, TINY_COLS], "W8A8"))
            plan.append((projection + ".input_scale", "BF16", [1], "W8A8"))
            plan.append((projection + ".input_offset", "BF16", [1], "W8A8"))
            plan.append((projection + ".deq_scale", "F32", [TINY_ROWS], "W8A8"))
            plan.append((projection + ".quant_bias", "F32", [TINY_ROWS], "W8A8"))
        else:
            plan.append((projection + ".weight", "BF16", [TINY_ROWS, TINY_COLS], "FLOAT"))
    plan.append(("model.language_model.norm.weight", "BF16", [TINY_COLS], "FLOAT"))
    plan.append(("model.visual.patch_embed.proj.weight", "BF16", [TINY_ROWS, TINY_COLS], "FLOAT"))
    plan.append(("model.visual.merger.linear_fc2.weight", "BF16", [TINY_ROWS, TINY_COLS], "FLOAT"))
    if has_mtp_weights(repo_id):
        plan.append(("mtp.fc.weight", "BF16", [TINY_ROWS, TINY_COLS], "FLOAT"))
        plan.append(("mtp.layers.0.self_attn.q_proj.weight", "BF16", [TINY_ROWS, TINY_COLS], "FLOAT"))
        plan.append(("mtp.norm.weight", "BF16", [TINY_COLS], "FLOAT"))
    plan.append(("lm_head.weight", "BF16", [TINY_ROWS, TINY_COLS], "FLOAT"))
    return plan


def tensor_nbytes(dtype: str, shape: List[int]) -> int:
    count = 1
    for dimension in shape:
        count *= dimension
    return count * DTYPE_BYTES[dtype]


def deterministic_bytes(seed: str, length: int) -> bytes:
    return hashlib.shake_256(seed.encode()).digest(length)


def safetensors_bytes(tensors: List[Tuple[str, str, List[int], bytes]]) -> bytes:
    """Serialise tensors in the safetensors format: u64 header length, JSON header, raw data."""
    header: Dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    # The reference implementation pads the header with spaces to 8-byte alignment.
    header_bytes += b" " * (-len(header_bytes) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(tensor[3] for tensor in tensors)


def split_into_shards(items: List[Tuple[str, str, List[int], str]], shards: int) -> Iterator[List[Tuple[str, str, List[int], str]]]:
    per_shard = -(-len(items) // shards)
    for start in range(0, per_shard * shards, per_shard):
        yield items[start:start + per_shard]


def shard_name(index: int, total: int) -> str:
    return "model-%05d-of-%05d.safetensors" % (index, total)


def grow_to(chunk: List[Tuple[str, str, List[int], str]], shard_size: int) -> List[Tuple[str, str, List[int], str]]:
    """Add rows to the shard's first matrix until its tensor data reaches shard_size bytes.

    Only for tests that need shards larger than a client's read chunk (10 MiB
    for huggingface_hub): a cut connection loses the chunk being read, so a
    resumable partial file only exists past the first chunk.
    """
    current = sum(tensor_nbytes(dtype, shape) for _name, dtype, shape, _quant in chunk)
    if current >= shard_size:
        return chunk
    grown = list(chunk)
    for position, (name, dtype, shape, quant) in enumerate(grown):
        if len(shape) == 2:
            row_bytes = shape[1] * DTYPE_BYTES[dtype]
            extra_rows = -(-(shard_size - current) // row_bytes)
            grown[position] = (name, dtype, [shape[0] + extra_rows, shape[1]], quant)
            return grown
    return grown


def weight_files(repo_id: str, shards: int, shard_size: int = 0) -> Dict[str, bytes]:
    plan = tensor_plan(repo_id)
    if not 1 <= shards <= len(plan):
        raise ValueError("shards must be between 1 and %d, got %d" % (len(plan), shards))
    files: Dict[str, bytes] = {}
    weight_map: Dict[str, str] = {}
    total_size = 0
    for number, chunk in enumerate(split_into_shards(plan, shards), start=1):
        chunk = grow_to(chunk, shard_size)
        name = shard_name(number, shards)
        tensors = []
        for tensor_name, dtype, shape, _quant in chunk:
            data = deterministic_bytes("%s:%s" % (repo_id, tensor_name), tensor_nbytes(dtype, shape))
            tensors.append((tensor_name, dtype, shape, data))
            weight_map[tensor_name] = name
            total_size += len(data)
        files[name] = safetensors_bytes(tensors)
    # total_size counts tensor bytes only, as transformers writes it (headers excluded).
    index = {"metadata": {"total_size": total_size}, "weight_map": dict(sorted(weight_map.items()))}
    files[INDEX_FILE] = json_bytes(index)
    if is_quantized(repo_id):
        description: Dict[str, object] = {"model_quant_type": "W8A8", "version": "1.0.0"}
        description.update({name: quant for name, _dtype, _shape, quant in plan})
        files[QUANT_DESCRIPTION_FILE] = json_bytes(description)
    return files


def json_bytes(document: object) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def readme(repo_id: str) -> bytes:
    return (
        "---\nlicense: apache-2.0\npipeline_tag: image-text-to-text\nlibrary_name: transformers\n---\n\n"
        "# %s\n\nTest-bed stand-in: the real repository layout with tiny tensors. Not a usable model.\n" % repo_id
    ).encode()


GITATTRIBUTES = b"*.safetensors filter=lfs diff=lfs merge=lfs -text\ntokenizer.json filter=lfs diff=lfs merge=lfs -text\n"


def repository_files(repo_id: str, shards: Optional[int] = None, shard_size: int = 0) -> Dict[str, bytes]:
    """All files of one repository, keyed by their path inside it."""
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise ValueError("repo id must look like OWNER/NAME, got %r" % repo_id)
    files = {
        ".gitattributes": GITATTRIBUTES,
        "LICENSE": b"Apache License, Version 2.0 (stand-in text for the test bed)\n",
        "README.md": readme(repo_id),
        "config.json": json_bytes(model_config()),
        "configuration.json": json_bytes(modelscope_configuration()),
        "generation_config.json": json_bytes(generation_config()),
        "merges.txt": ("#version: 0.2\n" + "\n".join(SMALL_MERGES) + "\n").encode(),
        "preprocessor_config.json": json_bytes(preprocessor_config()),
        "tokenizer.json": json_bytes(tokenizer_json()),
        "tokenizer_config.json": json_bytes(tokenizer_config()),
        "vocab.json": json_bytes({token: index for index, token in enumerate(SMALL_VOCAB)}),
    }
    files.update(weight_files(repo_id, shards or default_shard_count(repo_id), shard_size))
    return files


def write_model(root: Path, repo_id: str, shards: Optional[int] = None, shard_size: int = 0) -> Path:
    """Write (or rewrite) ROOT/OWNER/NAME; files that already hold the right bytes are left alone."""
    repo_dir = root.joinpath(*repo_id.split("/"))
    for relative, content in repository_files(repo_id, shards, shard_size).items():
        target = repo_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file() and target.read_bytes() == content:
            continue
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(content)
        temporary.replace(target)
    return repo_dir


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--root", required=True, type=Path, help="directory that holds OWNER/NAME repositories")
    parser.add_argument("--repo", action="append", dest="repos", help="repository id (repeatable); default: the four served models")
    parser.add_argument("--shards", type=int, help="number of safetensors shards (default: 4 for BF16, 3 for w8a8)")
    parser.add_argument("--shard-size", type=int, default=0,
                        help="grow each shard to at least this many bytes (resume tests need > 10 MiB)")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    for repo_id in args.repos or DEFAULT_REPOS:
        print(write_model(args.root, repo_id, args.shards, args.shard_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
