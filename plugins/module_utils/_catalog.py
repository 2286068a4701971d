# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Node types and models the collection knows, in one place.

Private to the collection. Pure standard library: the planning filters, the
unit tests and tools outside Ansible import it.

Every figure that decides memory is here so that the layout math and the
documentation (docs/planning.md) read the same numbers. Users extend or
override entries from inventory without editing Python: the filters accept
``catalog: {node_types: {...}, models: {...}}`` and pass it to
:func:`merged_catalog`.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

GIB = 1024 ** 3
MIB = 1024 ** 2

# Why 6 GiB: memory vLLM needs on every NPU besides weights, KV cache and
# linear-attention state, estimated for a 27B model at the tutorial's settings
# (max-num-batched-tokens 16384, max-num-seqs 32, HCCL_BUFFSIZE=512):
#   ~1.5 GiB  CANN runtime context, operator workspaces, torch-npu allocator slack
#   ~1.0 GiB  HCCL buffers (two buffers of HCCL_BUFFSIZE=512 MB per communicator)
#   ~2.0 GiB  activation peak of a 16384-token prefill chunk (MLP intermediates,
#             Gated-DeltaNet chunked-prefill scratch)
#   ~0.5 GiB  graph pools of FULL_DECODE_ONLY capture, sampler logits
#             (32 seqs x 4 tokens x 248320 vocab x fp32 = 0.12 GiB)
# = ~5 GiB, rounded up to 6 GiB because vllm-ascend users report OOM for these
# hybrid models near gpu-memory-utilization 0.9 with the bare figures. It is an
# engineering estimate, not a measurement: a model entry can override it.
DEFAULT_RUNTIME_RESERVE_GIB = 6.0

_QWEN35_ARCHITECTURE = {
    # 64 layers = 16 x (3 Gated-DeltaNet + 1 full attention); only the 16
    # full-attention layers keep a KV cache.
    'full_attention_layers': 16,
    'kv_heads': 4,
    'head_dim': 256,
    'kv_cache_dtype_bytes': 2,
    # The MTP draft head is one more full-attention decoder layer; vLLM gives it
    # KV cache in the same pool whenever speculative decoding is on.
    'speculative_kv_layers': 1,
    # 48 GDN layers x 48 value heads x 128 key dim x 128 value dim x fp32 bytes.
    'linear_attention_state_bytes': 48 * 48 * 128 * 128 * 4,
    # TP must divide 24 query heads, 16 GDN key heads and 48 GDN value heads.
    'tensor_parallel_sizes': [1, 2, 4, 8],
    'recommended_tensor_parallel_size': 2,
    'default_max_model_len': 133000,
    'max_model_len': 262144,
    'runtime_reserve_gib': DEFAULT_RUNTIME_RESERVE_GIB,
}

_MTP_SPECULATIVE_CONFIG = {
    'method': 'qwen3_5_mtp',
    'num_speculative_tokens': 3,
    'enforce_eager': True,
}

# Weight sizes are the approximate on-disk sizes of the published repositories
# (BF16 about 54 GB, w8a8 about 30 GB); decimal bytes, as the hubs report them.
_BUILTIN_MODELS = {
    'qwen3.5-27b': dict(
        _QWEN35_ARCHITECTURE,
        weight_repository='Qwen/Qwen3.5-27B',
        weight_bytes=54 * 10 ** 9,
        quantization=None,
        speculative_config=_MTP_SPECULATIVE_CONFIG,
        served_model_name='qwen3.5',
        min_vllm_ascend_version='v0.17.0rc1',
    ),
    'qwen3.5-27b-w8a8': dict(
        _QWEN35_ARCHITECTURE,
        weight_repository='Eco-Tech/Qwen3.5-27B-w8a8-mtp',
        weight_bytes=30 * 10 ** 9,
        quantization='ascend',
        speculative_config=_MTP_SPECULATIVE_CONFIG,
        served_model_name='qwen3.5',
        min_vllm_ascend_version='v0.17.0rc1',
    ),
    'qwen3.6-27b': dict(
        _QWEN35_ARCHITECTURE,
        weight_repository='Qwen/Qwen3.6-27B',
        weight_bytes=54 * 10 ** 9,
        quantization=None,
        speculative_config=_MTP_SPECULATIVE_CONFIG,
        served_model_name='qwen3.6',
        min_vllm_ascend_version='v0.18.0rc1',
    ),
    'qwen3.6-27b-w8a8': dict(
        _QWEN35_ARCHITECTURE,
        weight_repository='Eco-Tech/Qwen3.6-27B-w8a8',
        weight_bytes=30 * 10 ** 9,
        quantization='ascend',
        speculative_config=_MTP_SPECULATIVE_CONFIG,
        served_model_name='qwen3.6',
        min_vllm_ascend_version='v0.18.0rc1',
    ),
}

_BUILTIN_NODE_TYPES = {
    'atlas_800_a2': {
        'description': 'Atlas 800 A2 (910B), 8 NPUs',
        'npus': 8,
        'chips_per_module': 1,
        'hbm_gib': 64,
        'image_suffix': '',
    },
    'atlas_800_a3': {
        'description': 'Atlas 800 A3, 8 modules x 2 chips = 16 NPUs',
        'npus': 16,
        'chips_per_module': 2,
        'hbm_gib': 64,
        'image_suffix': '-a3',
    },
}


class CatalogError(ValueError):
    """A catalog entry or lookup is invalid; ``setting`` names the key at fault."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__('%s: %s' % (setting, message))
        self.setting = setting


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_positive_int(value: Any) -> Optional[str]:
    if not _is_int(value) or value < 1:
        return 'must be a positive integer, got %r' % (value,)
    return None


def _check_positive_number(value: Any) -> Optional[str]:
    if not _is_number(value) or value <= 0:
        return 'must be a positive number, got %r' % (value,)
    return None


def _check_non_negative_number(value: Any) -> Optional[str]:
    if not _is_number(value) or value < 0:
        return 'must be a number >= 0, got %r' % (value,)
    return None


def _check_non_negative_int(value: Any) -> Optional[str]:
    if not _is_int(value) or value < 0:
        return 'must be an integer >= 0, got %r' % (value,)
    return None


def _check_text(value: Any) -> Optional[str]:
    if not isinstance(value, str) or not value.strip():
        return 'must be a non-empty string, got %r' % (value,)
    return None


def _check_string(value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return 'must be a string, got %r' % (value,)
    return None


def _check_optional_text(value: Any) -> Optional[str]:
    if value is None:
        return None
    return _check_text(value)


def _check_optional_mapping(value: Any) -> Optional[str]:
    if value is None or isinstance(value, Mapping):
        return None
    return 'must be a dictionary or null, got %r' % (value,)


def _check_tp_sizes(value: Any) -> Optional[str]:
    if (not isinstance(value, (list, tuple)) or not value
            or not all(_is_int(size) and size >= 1 for size in value)):
        return 'must be a non-empty list of positive integers, got %r' % (value,)
    return None


def _check_version(value: Any) -> Optional[str]:
    try:
        parse_vllm_ascend_version(value)
    except CatalogError as error:
        return str(error)
    return None


NODE_TYPE_FIELDS = {
    'description': _check_string,
    'npus': _check_positive_int,
    'chips_per_module': _check_positive_int,
    'hbm_gib': _check_positive_number,
    'image_suffix': _check_string,
}
NODE_TYPE_OPTIONAL_DEFAULTS = {'description': '', 'chips_per_module': 1, 'image_suffix': ''}

MODEL_FIELDS = {
    'weight_repository': _check_text,
    'weight_bytes': _check_positive_int,
    'quantization': _check_optional_text,
    'full_attention_layers': _check_positive_int,
    'kv_heads': _check_positive_int,
    'head_dim': _check_positive_int,
    'kv_cache_dtype_bytes': _check_positive_int,
    'speculative_kv_layers': _check_non_negative_int,
    'linear_attention_state_bytes': _check_non_negative_int,
    'tensor_parallel_sizes': _check_tp_sizes,
    'recommended_tensor_parallel_size': _check_positive_int,
    'speculative_config': _check_optional_mapping,
    'default_max_model_len': _check_positive_int,
    'max_model_len': _check_positive_int,
    'served_model_name': _check_text,
    'min_vllm_ascend_version': _check_version,
    'runtime_reserve_gib': _check_non_negative_number,
}
MODEL_OPTIONAL_DEFAULTS = {
    'quantization': None,
    'speculative_config': None,
    'speculative_kv_layers': 0,
    'linear_attention_state_bytes': 0,
    'kv_cache_dtype_bytes': 2,
    'runtime_reserve_gib': DEFAULT_RUNTIME_RESERVE_GIB,
    'min_vllm_ascend_version': 'v0.17.0rc1',
}


def builtin_catalog() -> Dict[str, Dict[str, Dict[str, Any]]]:
    """A fresh deep copy of the built-in catalog (callers may mutate it)."""
    return {
        'node_types': copy.deepcopy(_BUILTIN_NODE_TYPES),
        'models': copy.deepcopy(_BUILTIN_MODELS),
    }


def _validate_entry(path: str, entry: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
    for field in entry:
        if field not in fields:
            raise CatalogError('%s.%s' % (path, field), 'unknown field; known fields: %s' % ', '.join(sorted(fields)))
    for field, check in fields.items():
        if field not in entry:
            raise CatalogError('%s.%s' % (path, field), 'missing (a new entry must set every field without a default)')
        problem = check(entry[field])
        if problem:
            raise CatalogError('%s.%s' % (path, field), problem)


def _validate_model_consistency(path: str, model: Mapping[str, Any]) -> None:
    recommended = model['recommended_tensor_parallel_size']
    if recommended not in model['tensor_parallel_sizes']:
        raise CatalogError(
            path + '.recommended_tensor_parallel_size',
            '%d is not one of tensor_parallel_sizes %s' % (recommended, sorted(model['tensor_parallel_sizes'])))
    if model['default_max_model_len'] > model['max_model_len']:
        raise CatalogError(
            path + '.default_max_model_len',
            '%d is above max_model_len %d' % (model['default_max_model_len'], model['max_model_len']))


def _validate_node_type_consistency(path: str, node_type: Mapping[str, Any]) -> None:
    if node_type['npus'] % node_type['chips_per_module']:
        raise CatalogError(
            path + '.chips_per_module',
            '%d does not divide npus %d' % (node_type['chips_per_module'], node_type['npus']))


def _merge_section(
    section: str,
    base: Dict[str, Dict[str, Any]],
    extras: Any,
    fields: Mapping[str, Any],
    optional_defaults: Mapping[str, Any],
) -> None:
    if extras is None:
        return
    if not isinstance(extras, Mapping):
        raise CatalogError('catalog.' + section, 'must be a dictionary of id -> entry, got %r' % (extras,))
    for entry_id, entry in extras.items():
        path = 'catalog.%s.%s' % (section, entry_id)
        if not isinstance(entry_id, str) or not entry_id.strip():
            raise CatalogError('catalog.' + section, 'ids must be non-empty strings, got %r' % (entry_id,))
        if not isinstance(entry, Mapping):
            raise CatalogError(path, 'must be a dictionary of fields, got %r' % (entry,))
        # Overriding a known id changes only the fields given; a new id starts
        # from the defaults of the optional fields and must set the rest.
        merged = dict(base[entry_id]) if entry_id in base else dict(optional_defaults)
        merged.update(copy.deepcopy(dict(entry)))
        _validate_entry(path, merged, fields)
        base[str(entry_id)] = merged


def merged_catalog(extras: Optional[Mapping[str, Any]] = None) -> Dict[str, Dict[str, Dict[str, Any]]]:
    """The built-in catalog with user extras applied and validated.

    ``extras`` is ``{'node_types': {id: fields}, 'models': {id: fields}}``;
    both keys optional. Raises :class:`CatalogError` naming the bad key.
    """
    catalog = builtin_catalog()
    if extras is None:
        return catalog
    if not isinstance(extras, Mapping):
        raise CatalogError('catalog', 'must be a dictionary with keys node_types and/or models, got %r' % (extras,))
    for key in extras:
        if key not in ('node_types', 'models'):
            raise CatalogError('catalog.%s' % (key,), 'unknown key; use node_types or models')
    _merge_section('node_types', catalog['node_types'], extras.get('node_types'), NODE_TYPE_FIELDS, NODE_TYPE_OPTIONAL_DEFAULTS)
    _merge_section('models', catalog['models'], extras.get('models'), MODEL_FIELDS, MODEL_OPTIONAL_DEFAULTS)
    for node_type_id, node_type in catalog['node_types'].items():
        _validate_node_type_consistency('catalog.node_types.' + node_type_id, node_type)
    for model_id, model in catalog['models'].items():
        _validate_model_consistency('catalog.models.' + model_id, model)
    return catalog


def lookup_node_type(catalog: Mapping[str, Any], node_type: Any, setting: str = 'node_type') -> Dict[str, Any]:
    known = catalog['node_types']
    if not isinstance(node_type, str) or node_type not in known:
        raise CatalogError(setting, 'unknown node type %r; known: %s (add others under catalog.node_types)'
                           % (node_type, ', '.join(sorted(known))))
    return dict(known[node_type])


def lookup_model(catalog: Mapping[str, Any], model: Any, setting: str = 'model') -> Dict[str, Any]:
    known = catalog['models']
    if not isinstance(model, str) or model not in known:
        raise CatalogError(setting, 'unknown model %r; known: %s (add others under catalog.models)'
                           % (model, ', '.join(sorted(known))))
    return dict(known[model])


_VERSION_PATTERN = re.compile(
    r'^v?(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)'
    r'(?:rc(?P<rc>\d+))?(?:\.post(?P<post>\d+))?'
    r'(?P<variant>-[A-Za-z0-9][A-Za-z0-9.-]*)?$'
)


def parse_vllm_ascend_version(tag: Any) -> Tuple[int, int, int, int, int, int]:
    """Sort key of a vllm-ascend image tag or version.

    ``v0.17.0rc1`` < ``v0.18.0rc1`` < ``v0.18.0`` < ``v0.18.0.post1``. Image
    variants (``-a3``, ``-openeuler``, ``-a3-openeuler``) do not change the
    version and are ignored.
    """
    match = _VERSION_PATTERN.match(tag) if isinstance(tag, str) else None
    if match is None:
        raise CatalogError('vllm_ascend_version', '%r is not a vllm-ascend version such as v0.18.0rc1 or v0.18.0' % (tag,))
    release_candidate = match.group('rc')
    # A final release sorts after all of its release candidates.
    stage = (0, int(release_candidate)) if release_candidate is not None else (1, 0)
    return (int(match.group('major')), int(match.group('minor')), int(match.group('patch')),
            stage[0], stage[1], int(match.group('post') or 0))


def compare_vllm_ascend_versions(left: str, right: str) -> int:
    """-1, 0 or 1 as ``left`` is older than, equal to or newer than ``right``."""
    left_key = parse_vllm_ascend_version(left)
    right_key = parse_vllm_ascend_version(right)
    return (left_key > right_key) - (left_key < right_key)


def check_model_supported_by(model_id: str, model: Mapping[str, Any], version: str) -> None:
    """Refuse an image older than the model's oldest supporting vllm-ascend."""
    oldest = model['min_vllm_ascend_version']
    if compare_vllm_ascend_versions(version, oldest) < 0:
        raise CatalogError('vllm_ascend_version', '%s is too old for %s; use %s or newer' % (version, model_id, oldest))


def image_tag(version: str, node_type: Mapping[str, Any], os_variant: str = '') -> str:
    """Image tag for a node type: ``v0.18.0rc1`` + ``-a3`` (+ ``-openeuler``)."""
    parse_vllm_ascend_version(version)
    if '-' in version:
        raise CatalogError('vllm_ascend_version', '%r already carries an image variant; give the bare version such as v0.18.0rc1' % (version,))
    suffix = node_type['image_suffix']
    if os_variant:
        suffix += '-' + os_variant
    return version + suffix


def valid_tensor_parallel_sizes(model: Mapping[str, Any]) -> List[int]:
    return sorted(set(model['tensor_parallel_sizes']))


# Where the vllm-ascend images are published; an inventory points elsewhere
# with a registry mirror (ascend_image_registry) or another repository.
DEFAULT_IMAGE_REGISTRY = 'quay.io'
DEFAULT_IMAGE_REPOSITORY = 'ascend/vllm-ascend'

NODE_TYPE_ANSWERS = ('description', 'npus', 'chips_per_module', 'hbm_gib', 'image_suffix')
MODEL_ANSWERS = (
    'weight_repository', 'weight_bytes', 'quantization', 'served_model_name', 'min_vllm_ascend_version',
    'tensor_parallel_sizes', 'recommended_tensor_parallel_size', 'default_max_model_len', 'max_model_len',
)


def _optional_text(value: Any, setting: str) -> str:
    """An optional text option: None and '' both mean "not set"."""
    if value is None:
        return ''
    if not isinstance(value, str):
        raise CatalogError(setting, 'must be a string, got %r' % (value,))
    return value.strip()


def model_directory(weights_dir: str, weight_repository: str, subdir: str = '') -> str:
    """The model's directory in the weight cache: ``<weights_dir>/<subdir or repository>``.

    The roles check that ``weights_dir`` is absolute, with their own variable names.
    """
    return '%s/%s' % (weights_dir.rstrip('/'), subdir or weight_repository)


def image_reference(registry: str, repository: str, tag: str) -> Tuple[str, str]:
    """(``<registry>/<repository>``, ``<registry>/<repository>:<tag>``)."""
    name = '%s/%s' % (registry.rstrip('/'), repository.strip('/'))
    return name, '%s:%s' % (name, tag)


def catalog_answer(
    node_type: Any,
    model: Any = None,
    vllm_ascend_version: Any = None,
    extra: Optional[Mapping[str, Any]] = None,
    os_variant: Any = None,
    image_registry: Any = None,
    image_repository: Any = None,
    weights_dir: Any = None,
    weights_subdir: Any = None,
    weight_repository: Any = None,
) -> Dict[str, Any]:
    """What the catalog says about a node type, and optionally a model and a release.

    The one place roles read catalog fields from (through the ``catalog``
    filter): the node type's NPUs and image suffix; with ``model`` its weights,
    served name, limits and oldest release; with ``vllm_ascend_version`` the
    image tag and reference (refusing a release older than the model needs);
    with ``weights_dir`` the model's directory in the weight cache. Raises
    :class:`CatalogError` naming the setting at fault.
    """
    catalog = merged_catalog(extra)
    answer = {'node_type': node_type}
    node = lookup_node_type(catalog, node_type)
    answer.update((field, node[field]) for field in NODE_TYPE_ANSWERS)
    model_id = _optional_text(model, 'model')
    version = _optional_text(vllm_ascend_version, 'vllm_ascend_version')
    if model_id:
        entry = lookup_model(catalog, model_id)
        answer['model'] = model_id
        answer.update((field, copy.deepcopy(entry[field])) for field in MODEL_ANSWERS)
        answer['weight_repository'] = _optional_text(weight_repository, 'weight_repository') or entry['weight_repository']
        if version:
            check_model_supported_by(model_id, entry, version)
        directory = _optional_text(weights_dir, 'weights_dir')
        if directory:
            answer['model_path'] = model_directory(directory, answer['weight_repository'],
                                                   _optional_text(weights_subdir, 'weights_subdir'))
    if version:
        answer['vllm_ascend_version'] = version
        answer['image_tag'] = image_tag(version, node, _optional_text(os_variant, 'os_variant'))
        answer['image_name'], answer['image'] = image_reference(
            _optional_text(image_registry, 'image_registry') or DEFAULT_IMAGE_REGISTRY,
            _optional_text(image_repository, 'image_repository') or DEFAULT_IMAGE_REPOSITORY,
            answer['image_tag'])
    return answer
