# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a model's weight directory must hold, and how it compares with that.

Private to the ascend_ops.vllm collection: the interface may change without notice.

Pure functions over data; the ``weights_check`` module reads the node (walks the
directory, reads ``config.json``, the shard index and the record, hashes files)
and hands what it read to these functions:

* ``listed_files``: the files a hub lists for a repository, from the JSON of the
  ModelScope (``/api/v1/models/R/repo/files``) or Hugging Face
  (``/api/models/R/revision/V?blobs=true``) listing;
* ``weight_findings``: what is wrong with the staged files (config, index,
  shards, listed sizes and sha256), with the files to fetch again;
* ``record_drift``: how the files differ from the record of their last verified
  stage (``.ascend_ops_weights.json``), which lets a later run trust them
  without hashing tens of GB again;
* ``recorded_files``: the sizes and sha256 such a record lists, what a copy of
  that stage (an offline site's directory or archive that carries its record)
  must match where there is no hub to ask.

``local`` below is always a mapping of paths relative to the model directory
(``/`` separated) to ``{'size': int, 'mtime': float, 'sha256': str}``, the
sha256 empty where the file was not hashed.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence

HUBS = ('modelscope', 'huggingface')
INDEX_NAME = 'model.safetensors.index.json'
SINGLE_FILE = 'model.safetensors'
CONFIG_NAME = 'config.json'

LocalFiles = Mapping[str, Mapping[str, Any]]


class WeightsError(ValueError):
    """Input that cannot be judged, such as a hub listing of an unknown shape."""


def is_bookkeeping(path: str) -> bool:
    """Client bookkeeping (``.cache/``, ``.msc``, ``._____temp/``), ``.gitattributes`` and
    this collection's record are not part of the model: any path part starting with a dot."""
    return any(part.startswith('.') for part in path.split('/'))


def _size(value: Any, hub: str, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WeightsError('the %s listing gives %s no size in bytes (got %r); Hugging Face lists sizes only with ?blobs=true'
                           % (hub, path, value))
    return value


def _entries(listing: Any, hub: str) -> List[Any]:
    """The file entries of a listing; a listing of another shape names what the hub said instead."""
    if not isinstance(listing, Mapping):
        raise WeightsError('the %s listing is not a JSON object: %r' % (hub, listing))
    if hub == 'modelscope':
        data = listing.get('Data')
        files = data.get('Files') if isinstance(data, Mapping) else None
        if not isinstance(files, list):
            raise WeightsError('the modelscope listing has no Data.Files (Code %s: %s)'
                               % (listing.get('Code', '?'), listing.get('Message', 'no message')))
        return files
    if hub == 'huggingface':
        siblings = listing.get('siblings')
        if not isinstance(siblings, list):
            raise WeightsError('the huggingface listing has no siblings (error: %s)' % listing.get('error', 'none given'))
        return siblings
    raise WeightsError('hub must be one of %s, got %r' % (', '.join(HUBS), hub))


def listed_files(listing: Any, hub: str) -> List[Dict[str, Any]]:
    """``[{'path', 'size', 'sha256'}]`` for every model file the hub lists, in listing order.

    ModelScope lists a ``Sha256`` for every blob and ``Type: tree`` entries for
    directories; Hugging Face a sha256 only for LFS files (``lfs.sha256``; its
    ``blobId`` is a git object id, not a content hash). ``sha256`` is empty where
    the hub gives none. Bookkeeping paths (see ``is_bookkeeping``) are left out.
    """
    listed = []
    for entry in _entries(listing, hub):
        if not isinstance(entry, Mapping):
            raise WeightsError('the %s listing has an entry that is not an object: %r' % (hub, entry))
        if hub == 'modelscope':
            if (entry.get('Type') or 'blob') != 'blob':
                continue
            path, size, sha256 = entry.get('Path'), entry.get('Size'), entry.get('Sha256')
        else:
            lfs = entry.get('lfs') or {}
            path, size, sha256 = entry.get('rfilename'), entry.get('size'), lfs.get('sha256') if isinstance(lfs, Mapping) else None
        if not isinstance(path, str) or not path:
            raise WeightsError('the %s listing has an entry without a path: %r' % (hub, entry))
        if is_bookkeeping(path):
            continue
        listed.append({'path': path, 'size': _size(size, hub, path), 'sha256': (sha256 or '').lower()})
    return listed


def index_shards(index_text: str) -> Optional[List[str]]:
    """The shard files a ``model.safetensors.index.json`` names (sorted, once each); None when it is
    not a JSON object. An index without a ``weight_map`` names no shard."""
    try:
        index = json.loads(index_text)
    except ValueError:
        return None
    if not isinstance(index, dict):
        return None
    weight_map = index.get('weight_map') or {}
    if not isinstance(weight_map, dict):
        return None
    return sorted(set(str(shard) for shard in weight_map.values()))


def _is_json_object(text: Optional[str]) -> bool:
    try:
        return isinstance(json.loads(text or ''), dict)
    except ValueError:
        return False


def files_to_hash(local: LocalFiles, expected: Sequence[Mapping[str, Any]]) -> List[str]:
    """The model files worth hashing: all of them except those whose size already differs from the
    listing (they are fetched again whatever their bytes)."""
    listed_sizes = dict((entry['path'], entry['size']) for entry in expected)
    return sorted(path for path, found in local.items()
                  if not is_bookkeeping(path) and listed_sizes.get(path, found['size']) == found['size'])


def weight_findings(local: LocalFiles, config_text: Optional[str], index_text: Optional[str],
                    expected: Sequence[Mapping[str, Any]] = (), checksums: bool = True,
                    index_name: str = INDEX_NAME, directory: str = '', reference: str = 'the hub') -> Dict[str, List[str]]:
    """What is wrong with the staged files, as ``{'problems': [...], 'bad_files': [...]}``.

    Complete means: ``config.json`` is a JSON object; every shard the index names
    (or ``model.safetensors`` without an index) is there; every file in
    ``expected`` (a hub's listing, see ``listed_files``, or a record's, see
    ``recorded_files``) is there with the listed size and, where one is listed
    and ``checksums`` is on, its sha256.
    ``bad_files`` are the files to remove and fetch again: missing, wrong size,
    wrong sha256, a shard the index names, an index that is not JSON.
    ``config_text`` / ``index_text`` are the files' text (None where absent).
    A problem with a file names it under ``directory`` (the model directory;
    empty: relative), and a wrong size or sha256 what was found and what
    ``reference`` (who listed ``expected``) lists; ``bad_files`` stay relative.
    """
    problems: List[str] = []
    bad: List[str] = []

    def named(path: str) -> str:
        return '%s/%s' % (directory.rstrip('/'), path) if directory else path

    def found(problem: str, path: Optional[str] = None) -> None:
        problems.append(problem)
        if path is not None and path not in bad:
            bad.append(path)

    if CONFIG_NAME not in local:
        found('%s is missing' % named(CONFIG_NAME))
    elif not _is_json_object(config_text):
        found('%s is not a JSON object' % named(CONFIG_NAME))

    if index_name in local:
        shards = index_shards(index_text or '')
        if shards is None:
            found('%s is not a JSON object with a weight_map' % named(index_name), index_name)
        elif not shards:
            found('%s names no shard' % named(index_name))
        else:
            for shard in shards:
                if shard not in local:
                    found('shard %s of the index is missing' % named(shard), shard)
    elif SINGLE_FILE not in local:
        found('neither %s nor %s is there' % (named(index_name), named(SINGLE_FILE)))

    for entry in expected:
        path = entry['path']
        here = local.get(path)
        if here is None:
            if path not in bad:
                found('%s is missing' % named(path), path)
        elif here['size'] != entry['size']:
            found('%s has %d bytes, %s lists %d' % (named(path), here['size'], reference, entry['size']), path)
        elif checksums and entry.get('sha256') and (here.get('sha256') or '').lower() != entry['sha256'].lower():
            found('%s has sha256 %s, %s lists %s' % (named(path), here.get('sha256') or '?', reference, entry['sha256']), path)
    return {'problems': problems, 'bad_files': bad}


def _parse_record(text: str) -> Optional[Dict[str, Any]]:
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get('files'), dict):
        return None
    return record


def record_drift(record_text: Optional[str], repository: str, revision: str, local: LocalFiles) -> List[str]:
    """How the staged files differ from the record of their last verified stage (the record file's
    text, None when there is none); empty when they are complete: the record names this repository
    and revision, and every file it lists is there with the size and modification time it had when
    it was verified."""
    if record_text is None:
        return ['no record of a verified stage']
    record = _parse_record(record_text)
    if record is None:
        return ['the record is not a JSON object with files']
    if record.get('repository') != repository or record.get('revision') != revision:
        return ['the record is of %s@%s' % (record.get('repository'), record.get('revision'))]
    drift = []
    for path, recorded in sorted(record['files'].items()):
        here = local.get(path)
        if here is None:
            drift.append('%s is missing' % path)
        elif not isinstance(recorded, Mapping) or here['size'] != recorded.get('size') or here['mtime'] != recorded.get('mtime'):
            drift.append('%s changed since it was verified' % path)
    return drift


def recorded_files(record_text: Optional[str], repository: str) -> List[Dict[str, Any]]:
    """``[{'path', 'size', 'sha256'}]`` (in path order) of the model files a record of a verified stage
    lists, the shape ``listed_files`` gives a hub's listing in: what a copy of that stage must match.

    Empty when there is no record (None), the text is not one, or it is a record of another repository
    than ``repository``: such a directory carries nothing to compare with. A record of this repository
    with an entry that has no size in bytes raises WeightsError: it cannot vouch for the files."""
    if record_text is None:
        return []
    record = _parse_record(record_text)
    if record is None or record.get('repository') != repository:
        return []
    listed = []
    for path, recorded in sorted(record['files'].items()):
        if is_bookkeeping(path):
            continue
        size = recorded.get('size') if isinstance(recorded, Mapping) else None
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise WeightsError('the record of %s lists %s without a size in bytes (got %r)' % (repository, path, recorded))
        sha256 = recorded.get('sha256')
        listed.append({'path': path, 'size': size, 'sha256': sha256.lower() if isinstance(sha256, str) else ''})
    return listed
