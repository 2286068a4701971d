# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The serving plan of one node: how its NPUs split into vLLM replicas.

Private to the collection. Pure: no Jinja, no I/O; the ``serving_layout``
filter is a thin wrapper. docs/planning.md explains the rules and the memory
test with worked numbers.

Rules:

* a replica's NPUs are a disjoint, contiguous block of ``tensor_parallel_size``
  ids starting at a multiple of it; with TP >= 2 a block therefore never splits
  an A3 module (chips ``2k`` and ``2k+1``) between replicas;
* by default the node is filled with as many replicas as such blocks exist;
* TP is the model's recommended size, unless one ``max_model_len`` sequence
  does not fit in memory at that size (then the smallest valid size that fits),
  or the user sets it;
* memory test per NPU: weights / TP + KV cache of one ``max_model_len``
  sequence + linear-attention state of one sequence + runtime reserve must fit
  in HBM x ``gpu_memory_utilization``;
* replica ``i`` listens on ``base_port + i`` and gets ``HCCL_IF_BASE_PORT =
  hccl_base_port + i * PORT_STRIDE`` and ``VLLM_PORT = vllm_port + i *
  PORT_STRIDE``; the three port ranges must not overlap.

Anything impossible raises :class:`LayoutError`, whose message names the
setting and a value that would work.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.ascend_ops.vllm.plugins.module_utils._catalog import (
    GIB,
    CatalogError,
    check_model_supported_by,
    image_tag,
    lookup_model,
    lookup_node_type,
    merged_catalog,
    valid_tensor_parallel_sizes,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._devices import (
    DeviceListError,
    davinci_devices,
    npu_ids,
)
from ansible_collections.ascend_ops.vllm.plugins.module_utils._serve_args import release_serve_options, tutorial_serve_config

# Distance between the HCCL_IF_BASE_PORT (and the VLLM_PORT) of consecutive
# replicas. HCCL listens on 16 (CANN 7) or 32 (CANN 8) ports from its base;
# vLLM probes upward from VLLM_PORT for several torch.distributed / ZMQ ports
# and skips busy ones. 100 leaves both room without meeting the next replica.
PORT_STRIDE = 100
HCCL_PORTS_PER_BASE = 32
HCCL_BASE_PORT_RANGE = (1024, 65520)

DEFAULTS = {
    'base_port': 8000,
    'hccl_base_port': 60000,
    # Below Linux's default ephemeral range (32768-60999), so that outgoing
    # connections rarely sit on the ports vLLM probes.
    'vllm_port': 20000,
    'gpu_memory_utilization': 0.90,
    'max_num_seqs': 32,
    'max_num_batched_tokens': 16384,
    'host': '0.0.0.0',
}

REQUEST_KEYS = frozenset([
    'node_type', 'model', 'max_model_len', 'max_num_seqs', 'max_num_batched_tokens', 'tensor_parallel_size',
    'replicas', 'npus', 'exclude_npus', 'base_port', 'hccl_base_port', 'vllm_port', 'gpu_memory_utilization',
    'host', 'model_path', 'vllm_ascend_version', 'catalog', 'shutdown_timeout',
])


class LayoutError(ValueError):
    """No plan can satisfy the request; ``setting`` names the input to change."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__('%s: %s' % (setting, message))
        self.setting = setting


def _gib(value: float) -> str:
    return '%.2f GiB' % (value / GIB)


# ---------------------------------------------------------------- inputs


def _int_setting(request: Mapping[str, Any], key: str, default: Optional[int], minimum: int = 1,
                 maximum: Optional[int] = None) -> Optional[int]:
    value = request.get(key)
    if value is None:
        return default
    # Extra vars given with -e arrive as text; booleans are ints to Python but never a count.
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise LayoutError(key, 'must be an integer, got %r' % (value,))
    if value < minimum:
        raise LayoutError(key, 'must be >= %d, got %d' % (minimum, value))
    if maximum is not None and value > maximum:
        raise LayoutError(key, 'must be <= %d, got %d' % (maximum, value))
    return value


def _utilization_setting(request: Mapping[str, Any]) -> float:
    value = request.get('gpu_memory_utilization')
    if value is None:
        return DEFAULTS['gpu_memory_utilization']
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise LayoutError('gpu_memory_utilization', 'must be a number in (0, 1] such as 0.90, got %r' % (value,))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise LayoutError('gpu_memory_utilization', 'must be a number in (0, 1] such as 0.90, got %r' % (value,))
    return float(value)


def _text_setting(request: Mapping[str, Any], key: str, default: Optional[str]) -> Optional[str]:
    value = request.get(key)
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip():
        raise LayoutError(key, 'must be a non-empty string, got %r' % (value,))
    return str(value)


def _present_npus(request: Mapping[str, Any], node_npus: int) -> Tuple[List[int], List[int]]:
    """(present ids, excluded ids), both sorted and validated against the node type."""
    try:
        present = sorted(npu_ids(request['npus'], 'npus', node_npus)) if request.get('npus') is not None \
            else list(range(node_npus))
        excluded = sorted(npu_ids(request['exclude_npus'], 'exclude_npus', node_npus)) \
            if request.get('exclude_npus') is not None else []
    except DeviceListError as error:
        raise LayoutError(error.setting, str(error).split(': ', 1)[1])
    if not present:
        raise LayoutError('npus', 'no NPU ids given; leave npus unset to use all %d of the node' % node_npus)
    return present, excluded


# ---------------------------------------------------------------- memory


def kv_bytes_per_token(model: Mapping[str, Any], tensor_parallel_size: int) -> int:
    """KV cache bytes one token takes on each NPU of a replica.

    KV heads split across TP up to the KV head count; beyond it every NPU holds
    (a replica of) one head. The speculative draft's layers count when MTP is on.
    """
    layers = model['full_attention_layers']
    if model.get('speculative_config'):
        layers += model['speculative_kv_layers']
    heads_per_npu = -(-model['kv_heads'] // tensor_parallel_size)
    return 2 * heads_per_npu * model['head_dim'] * model['kv_cache_dtype_bytes'] * layers


def memory_per_npu(model: Mapping[str, Any], node_type: Mapping[str, Any], tensor_parallel_size: int,
                   max_model_len: int, gpu_memory_utilization: float) -> Dict[str, Any]:
    """The figures of the memory test for one NPU, in bytes."""
    hbm = int(node_type['hbm_gib'] * GIB)
    budget = int(hbm * gpu_memory_utilization)
    weights = -(-model['weight_bytes'] // tensor_parallel_size)
    reserve = int(model['runtime_reserve_gib'] * GIB)
    per_token = kv_bytes_per_token(model, tensor_parallel_size)
    sequence_kv = per_token * max_model_len
    state = -(-model['linear_attention_state_bytes'] // tensor_parallel_size)
    one_sequence = weights + reserve + sequence_kv + state
    return {
        'hbm_bytes': hbm,
        'gpu_memory_utilization': gpu_memory_utilization,
        'budget_bytes': budget,
        'weights_bytes': weights,
        'runtime_reserve_bytes': reserve,
        'kv_per_token_bytes': per_token,
        'kv_per_sequence_bytes': sequence_kv,
        'linear_attention_state_bytes': state,
        'one_sequence_total_bytes': one_sequence,
        'kv_pool_bytes': budget - weights - reserve,
        'headroom_bytes': budget - one_sequence,
    }


def fits_one_sequence(memory: Mapping[str, Any]) -> bool:
    return memory['headroom_bytes'] >= 0


def largest_fitting_max_model_len(model: Mapping[str, Any], node_type: Mapping[str, Any], tensor_parallel_size: int,
                                  gpu_memory_utilization: float) -> int:
    """The longest context whose single sequence passes the memory test (0: none), capped at the model's maximum."""
    memory = memory_per_npu(model, node_type, tensor_parallel_size, 1, gpu_memory_utilization)
    room = memory['kv_pool_bytes'] - memory['linear_attention_state_bytes']
    if room < memory['kv_per_token_bytes']:
        return 0
    return min(room // memory['kv_per_token_bytes'], model['max_model_len'])


def _memory_summary(memory: Mapping[str, Any], max_model_len: int, tensor_parallel_size: int) -> str:
    return ('per NPU at tensor_parallel_size %d: weights %s + KV of one %d-token sequence %s + linear-attention state %s'
            ' + runtime reserve %s = %s, more than %s (%s HBM x gpu_memory_utilization %.2f)'
            % (tensor_parallel_size, _gib(memory['weights_bytes']), max_model_len, _gib(memory['kv_per_sequence_bytes']),
               _gib(memory['linear_attention_state_bytes']), _gib(memory['runtime_reserve_bytes']),
               _gib(memory['one_sequence_total_bytes']), _gib(memory['budget_bytes']), _gib(memory['hbm_bytes']),
               memory['gpu_memory_utilization']))


def _capacity(memory: Mapping[str, Any], max_num_seqs: int) -> Tuple[int, int]:
    """(KV cache tokens per replica after the linear-attention state of max_num_seqs sequences, full-length sequences)."""
    pool = memory['kv_pool_bytes']
    full_length = pool // (memory['kv_per_sequence_bytes'] + memory['linear_attention_state_bytes'])
    tokens = (pool - max_num_seqs * memory['linear_attention_state_bytes']) // memory['kv_per_token_bytes']
    return max(0, int(tokens)), max(0, int(full_length))


# ---------------------------------------------------------------- placement


def aligned_blocks(usable: Sequence[int], tensor_parallel_size: int, node_npus: int) -> List[List[int]]:
    """Every block ``[k*tp, (k+1)*tp)`` whose NPUs are all usable, in id order."""
    usable_set = set(usable)
    blocks = []
    for start in range(0, node_npus - tensor_parallel_size + 1, tensor_parallel_size):
        block = list(range(start, start + tensor_parallel_size))
        if usable_set.issuperset(block):
            blocks.append(block)
    return blocks


def _splits_modules(tensor_parallel_size: int, chips_per_module: int) -> bool:
    return tensor_parallel_size >= 2 and tensor_parallel_size % chips_per_module != 0


def _placeable_sizes(model: Mapping[str, Any], node_type: Mapping[str, Any], usable: Sequence[int]) -> List[int]:
    return [size for size in valid_tensor_parallel_sizes(model)
            if not _splits_modules(size, node_type['chips_per_module'])
            and aligned_blocks(usable, size, node_type['npus'])]


def _working_alternatives(model: Mapping[str, Any], node_type: Mapping[str, Any], usable: Sequence[int],
                          max_model_len: int, utilization: float, exclude_size: Optional[int] = None) -> str:
    """A hint that names settings that would give a plan, for refusal messages."""
    placeable = _placeable_sizes(model, node_type, usable)
    hints = []
    fitting = [size for size in placeable if size != exclude_size
               and fits_one_sequence(memory_per_npu(model, node_type, size, max_model_len, utilization))]
    if fitting:
        hints.append('tensor_parallel_size: %s' % ' or '.join(str(size) for size in fitting))
    if placeable:
        largest = max(placeable)
        longest = largest_fitting_max_model_len(model, node_type, largest, utilization)
        if 0 < longest < max_model_len:
            hints.append('tensor_parallel_size: %d with max_model_len: %d or less' % (largest, longest))
    if not hints:
        return 'no tensor_parallel_size of %s fits on the usable NPUs %s: free more NPUs (npus / exclude_npus)' \
            % (valid_tensor_parallel_sizes(model), list(usable))
    return 'would work: ' + '; '.join(hints)


def _choose_tensor_parallel_size(model_id: str, model: Mapping[str, Any], node_type: Mapping[str, Any],
                                 usable: Sequence[int], max_model_len: int, utilization: float,
                                 requested: Optional[int]) -> Tuple[int, str]:
    valid = valid_tensor_parallel_sizes(model)
    chips_per_module = node_type['chips_per_module']
    if requested is not None:
        if requested not in valid:
            raise LayoutError('tensor_parallel_size', '%d does not divide the attention heads of %s; valid: %s (recommended %d)'
                              % (requested, model_id, ', '.join(str(size) for size in valid),
                                 model['recommended_tensor_parallel_size']))
        if _splits_modules(requested, chips_per_module):
            raise LayoutError('tensor_parallel_size', '%d would split modules of %d chips between replicas; use 1 or a multiple of %d'
                              % (requested, chips_per_module, chips_per_module))
        if not aligned_blocks(usable, requested, node_type['npus']):
            raise LayoutError('tensor_parallel_size', '%d needs %d usable NPUs in an aligned block (ids k*%d..k*%d+%d); usable NPUs: %s; %s'
                              % (requested, requested, requested, requested, requested - 1, list(usable),
                                 _working_alternatives(model, node_type, usable, max_model_len, utilization, requested)))
        memory = memory_per_npu(model, node_type, requested, max_model_len, utilization)
        if not fits_one_sequence(memory):
            raise LayoutError('tensor_parallel_size', 'memory test failed: %s; %s'
                              % (_memory_summary(memory, max_model_len, requested),
                                 _working_alternatives(model, node_type, usable, max_model_len, utilization, requested)))
        return requested, 'set by the user'

    recommended = model['recommended_tensor_parallel_size']
    chosen = None
    for size in [size for size in valid if size >= recommended and not _splits_modules(size, chips_per_module)]:
        if fits_one_sequence(memory_per_npu(model, node_type, size, max_model_len, utilization)):
            chosen = size
            break
    if chosen is None:
        largest = max(valid)
        memory = memory_per_npu(model, node_type, largest, max_model_len, utilization)
        longest = largest_fitting_max_model_len(model, node_type, largest, utilization)
        hint = ('set max_model_len: %d or less' % longest) if longest else 'lower runtime_reserve_gib or raise gpu_memory_utilization'
        raise LayoutError('max_model_len', 'no tensor_parallel_size of %s fits one %d-token sequence even at the largest, %s; %s'
                          % (valid, max_model_len, _memory_summary(memory, max_model_len, largest), hint))
    if not aligned_blocks(usable, chosen, node_type['npus']):
        reason = 'the recommended size' if chosen == recommended else 'the smallest size whose memory test passes'
        raise LayoutError('tensor_parallel_size', '%d (%s for %s at max_model_len %d) needs %d usable NPUs in an aligned block;'
                          ' usable NPUs: %s; %s'
                          % (chosen, reason, model_id, max_model_len, chosen, list(usable),
                             _working_alternatives(model, node_type, usable, max_model_len, utilization, chosen)))
    if chosen == recommended:
        return chosen, 'recommended for the model'
    return chosen, 'smallest size whose memory test passes (recommended %d does not)' % recommended


# ---------------------------------------------------------------- ports


def _port_ranges(ports: Mapping[str, int], replicas: int) -> Dict[str, Tuple[int, int]]:
    """Inclusive port range each base setting occupies for ``replicas`` replicas."""
    last = replicas - 1
    return {
        'base_port': (ports['base_port'], ports['base_port'] + last),
        'hccl_base_port': (ports['hccl_base_port'], ports['hccl_base_port'] + last * PORT_STRIDE + HCCL_PORTS_PER_BASE - 1),
        'vllm_port': (ports['vllm_port'], ports['vllm_port'] + replicas * PORT_STRIDE - 1),
    }


def _port_problem(ports: Mapping[str, int], replicas: int) -> Optional[Tuple[str, str, str]]:
    """(setting, problem, other setting or '') for the first port rule broken, else None.

    For an overlap the problem text is empty: :func:`_check_ports` words it once it knows which side to blame.
    """
    ranges = _port_ranges(ports, replicas)
    for setting, (low, high) in sorted(ranges.items()):
        if high > 65535:
            return setting, 'the ports of %d replicas run to %d, above 65535' % (replicas, high), ''
    hccl_last_base = ranges['hccl_base_port'][1] - HCCL_PORTS_PER_BASE + 1
    if ranges['hccl_base_port'][0] < HCCL_BASE_PORT_RANGE[0] or hccl_last_base > HCCL_BASE_PORT_RANGE[1]:
        return 'hccl_base_port', 'HCCL_IF_BASE_PORT must stay within %d-%d for every replica' % HCCL_BASE_PORT_RANGE, ''
    names = sorted(ranges)
    for position, first in enumerate(names):
        for second in names[position + 1:]:
            (low_a, high_a), (low_b, high_b) = ranges[first], ranges[second]
            if low_a <= high_b and low_b <= high_a:
                return second, '', first
    return None


def _working_port(ports: Mapping[str, int], replicas: int, setting: str) -> Optional[int]:
    """A value of ``setting`` that, with the other two unchanged, breaks no port rule."""
    candidates = [DEFAULTS[setting]]
    for low, high in _port_ranges(ports, replicas).values():
        candidates.append(high + 1)
        candidates.append(low - (_port_ranges(dict(ports, **{setting: 0}), replicas)[setting][1] + 1))
    for candidate in candidates:
        if 1 <= candidate <= 65535 and _port_problem(dict(ports, **{setting: candidate}), replicas) is None:
            return candidate
    return None


def _check_ports(ports: Mapping[str, int], replicas: int, user_set: Sequence[str]) -> None:
    problem = _port_problem(ports, replicas)
    if problem is None:
        return
    setting, message, other = problem
    # Blame the setting the user changed: the defaults never collide with each other.
    if other and setting not in user_set and other in user_set:
        setting, other = other, setting
    if other:
        ranges = _port_ranges(ports, replicas)
        message = 'its ports %d-%d overlap the ports %d-%d of %s' % (ranges[setting] + ranges[other] + (other,))
    working = _working_port(ports, replicas, setting)
    hint = ('use %s: %d' % (setting, working)) if working is not None else 'move the port bases apart'
    raise LayoutError(setting, '%s (replica i uses base_port + i, hccl_base_port + i*%d .. +%d, vllm_port + i*%d .. +%d); %s'
                      % (message, PORT_STRIDE, HCCL_PORTS_PER_BASE - 1, PORT_STRIDE, PORT_STRIDE - 1, hint))


# ---------------------------------------------------------------- plan


def _check_request_keys(request: Any) -> None:
    if not isinstance(request, Mapping):
        raise LayoutError('_input', 'expected a dictionary with at least node_type and model, got %r' % (request,))
    for key in request:
        if key not in REQUEST_KEYS:
            raise LayoutError(str(key), 'unknown setting; known: %s' % ', '.join(sorted(REQUEST_KEYS)))
    for key in ('node_type', 'model'):
        if request.get(key) is None:
            raise LayoutError(key, 'required')


def _lookups(request: Mapping[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    try:
        catalog = merged_catalog(request.get('catalog'))
        return lookup_node_type(catalog, request['node_type']), lookup_model(catalog, request['model'])
    except CatalogError as error:
        raise LayoutError(error.setting, str(error).split(': ', 1)[1])


def _image_fields(model_id: str, model: Mapping[str, Any], node_type: Mapping[str, Any],
                  version: Optional[str]) -> Dict[str, Any]:
    fields = {'image_suffix': node_type['image_suffix'], 'min_vllm_ascend_version': model['min_vllm_ascend_version']}
    if version is None:
        return fields
    try:
        check_model_supported_by(model_id, model, version)
        fields['image_tag'] = image_tag(version, node_type)
    except CatalogError as error:
        raise LayoutError(error.setting, str(error).split(': ', 1)[1])
    fields['vllm_ascend_version'] = version
    return fields


def _notes(full_length: int, max_num_seqs: int, kv_tokens: int, max_model_len: int, unused: Sequence[int]) -> List[str]:
    notes = []
    if full_length < max_num_seqs:
        notes.append('%d sequences of max_model_len %d fit at once per replica, fewer than max_num_seqs %d: when more'
                     ' sequences grow that long, vLLM preempts some and they wait' % (full_length, max_model_len, max_num_seqs))
    if kv_tokens < max_model_len:
        notes.append('with max_num_seqs %d sequences of linear-attention state reserved, the KV cache holds %d tokens,'
                     ' less than max_model_len %d: lower max_num_seqs' % (max_num_seqs, kv_tokens, max_model_len))
    if unused:
        notes.append('NPUs %s stay idle' % list(unused))
    return notes


def listen_ports(replicas: Sequence[Mapping[str, Any]], extra_options: Optional[Mapping[str, Any]] = None,
                 extra_env: Optional[Mapping[str, Any]] = None) -> List[int]:
    """Every port the containers of ``replicas`` will listen on, in order, each once.

    Per replica: its API port (none when headless), the HCCL_PORTS_PER_BASE
    ports from its HCCL_IF_BASE_PORT, and the rpc port of a data-parallel
    head; the user's extra serve options and environment override the plan's
    as they do in the serve script.
    """
    ports: List[int] = []
    for replica in replicas:
        options = dict(replica.get('serve_options') or {}, **dict(extra_options or {}))
        env = dict(replica.get('env') or {}, **dict(extra_env or {}))
        if not options.get('headless'):
            ports.append(int(options['port']))
        hccl_base = int(env['HCCL_IF_BASE_PORT'])
        ports.extend(range(hccl_base, hccl_base + HCCL_PORTS_PER_BASE))
        if (replica.get('data_parallel') or {}).get('head'):
            ports.append(int(options['data_parallel_rpc_port']))
    return list(dict.fromkeys(ports))


def replica_name(served_model_name: str, index: int) -> str:
    """The container name of a replica: ``vllm-<served model name>-r<index>``."""
    return 'vllm-%s-r%d' % (served_model_name, index)


def serving_layout(request: Mapping[str, Any]) -> Dict[str, Any]:
    """The plan for one node. See the module documentation for the rules and docs/planning.md for examples."""
    _check_request_keys(request)
    node_type, model = _lookups(request)
    model_id = str(request['model'])

    max_model_len = _int_setting(request, 'max_model_len', model['default_max_model_len'])
    if max_model_len > model['max_model_len']:
        raise LayoutError('max_model_len', '%d is above the maximum of %s; use %d or less'
                          % (max_model_len, model_id, model['max_model_len']))
    max_num_seqs = _int_setting(request, 'max_num_seqs', DEFAULTS['max_num_seqs'])
    max_num_batched_tokens = _int_setting(request, 'max_num_batched_tokens', DEFAULTS['max_num_batched_tokens'])
    requested_size = _int_setting(request, 'tensor_parallel_size', None)
    requested_replicas = _int_setting(request, 'replicas', None)
    base_port = _int_setting(request, 'base_port', DEFAULTS['base_port'], 1, 65535)
    hccl_base_port = _int_setting(request, 'hccl_base_port', DEFAULTS['hccl_base_port'], 1, 65535)
    vllm_port = _int_setting(request, 'vllm_port', DEFAULTS['vllm_port'], 1, 65535)
    utilization = _utilization_setting(request)
    host = _text_setting(request, 'host', DEFAULTS['host'])
    model_path = _text_setting(request, 'model_path', model['weight_repository'])
    image = _image_fields(model_id, model, node_type, _text_setting(request, 'vllm_ascend_version', None))
    # Only where the release has the flag (vLLM 0.18 on): the server finishes its requests on SIGTERM.
    release_options = release_serve_options(image.get('vllm_ascend_version'),
                                            _int_setting(request, 'shutdown_timeout', None, 0, 86400))

    present, excluded = _present_npus(request, node_type['npus'])
    usable = [npu for npu in present if npu not in excluded]
    if not usable:
        raise LayoutError('exclude_npus', 'excludes every present NPU %s; leave at least %d usable'
                          % (present, model['recommended_tensor_parallel_size']))

    size, size_reason = _choose_tensor_parallel_size(model_id, model, node_type, usable, max_model_len, utilization, requested_size)
    blocks = aligned_blocks(usable, size, node_type['npus'])
    if requested_replicas is not None:
        if requested_replicas > len(blocks):
            raise LayoutError('replicas', '%d replicas of tensor_parallel_size %d need %d aligned blocks of %d NPUs; the usable'
                              ' NPUs %s hold %d; use replicas: %d or less'
                              % (requested_replicas, size, requested_replicas, size, usable, len(blocks), len(blocks)))
        blocks = blocks[:requested_replicas]

    ports = {'base_port': base_port, 'hccl_base_port': hccl_base_port, 'vllm_port': vllm_port}
    _check_ports(ports, len(blocks), [key for key in ports if request.get(key) is not None])
    memory = memory_per_npu(model, node_type, size, max_model_len, utilization)
    kv_tokens, full_length = _capacity(memory, max_num_seqs)

    replicas = []
    for index, block in enumerate(blocks):
        replica = {
            'index': index,
            'name': replica_name(model['served_model_name'], index),
            'npus': block,
            'devices': davinci_devices(block),
            'port': base_port + index,
            'hccl_base_port': hccl_base_port + index * PORT_STRIDE,
            'vllm_port': vllm_port + index * PORT_STRIDE,
            'kv_cache_tokens': kv_tokens,
            'full_length_sequences': full_length,
        }
        replica.update(tutorial_serve_config(
            model=model_path, served_model_name=model['served_model_name'], tensor_parallel_size=size,
            port=replica['port'], hccl_base_port=replica['hccl_base_port'], vllm_port=replica['vllm_port'],
            max_model_len=max_model_len, quantization=model['quantization'], speculative_config=model['speculative_config'],
            max_num_seqs=max_num_seqs, max_num_batched_tokens=max_num_batched_tokens, gpu_memory_utilization=utilization,
            host=host))
        replica['serve_options'] = dict(replica.pop('options'), **release_options)
        replicas.append(replica)

    assigned = set(npu for block in blocks for npu in block)
    unused = [npu for npu in present if npu not in assigned]
    plan = {
        'node_type': str(request['node_type']),
        'model': model_id,
        'served_model_name': model['served_model_name'],
        'weight_repository': model['weight_repository'],
        'quantization': model['quantization'],
        'tensor_parallel_size': size,
        'tensor_parallel_size_reason': size_reason,
        'max_model_len': max_model_len,
        'max_num_seqs': max_num_seqs,
        'max_num_batched_tokens': max_num_batched_tokens,
        'gpu_memory_utilization': utilization,
        'port_stride': PORT_STRIDE,
        'hccl_ports_per_base': HCCL_PORTS_PER_BASE,
        'replicas': replicas,
        'npus_used': sorted(assigned),
        'unused_npus': unused,
        'excluded_npus': excluded,
        'kv_cache_tokens': kv_tokens,
        'full_length_sequences': full_length,
        'memory_per_npu': memory,
        'memory_per_npu_gib': dict((key.replace('_bytes', '_gib'), round(value / GIB, 2)) for key, value in memory.items()
                                   if key.endswith('_bytes') and key != 'kv_per_token_bytes'),
        'notes': _notes(full_length, max_num_seqs, kv_tokens, max_model_len, unused),
    }
    plan.update(image)
    plan['summary'] = plan_summary(plan)
    return plan


def plan_summary(plan: Mapping[str, Any]) -> str:
    """The plan on one line, as the serve step shows it."""
    replicas = '; '.join('r%d NPUs %s port %d' % (replica['index'], ','.join(str(npu) for npu in replica['npus']), replica['port'])
                         for replica in plan['replicas'])
    notes = ('; notes: ' + '; '.join(plan['notes'])) if plan['notes'] else ''
    return '%d x TP%d of %s (%s), max_model_len %d: %s%s' % (
        len(plan['replicas']), plan['tensor_parallel_size'], plan['model'], plan['tensor_parallel_size_reason'],
        plan['max_model_len'], replicas, notes)
