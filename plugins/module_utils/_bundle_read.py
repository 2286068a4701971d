# -*- coding: utf-8 -*-
# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading an offline bundle from disk: its manifest, the sizes and sha256 of its files.

Private to the collection. The I/O half of ``_bundle`` (which judges what is
read here): the ``bundle_manifest`` module calls it on the host that holds the
bundle, the ``validate_inventory`` action on the controller. Files are hashed
in 1 MiB blocks (``_digest.sha256_of``), so an image archive of tens of GB takes
no more memory than a small file.

:func:`directory_manifest` names any directory of files by their contents the
same way (the router's wheels on the controller, by default the bundle's
``wheels/``): the vllm_router role copies the directory only when the
manifest it left on the host last time differs, instead of asking the host
about every file on every run.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.ascend_ops.vllm.plugins.module_utils._bundle import MANIFEST_NAME, BundleError, parse_manifest
from ansible_collections.ascend_ops.vllm.plugins.module_utils._digest import sha256_of


def file_info(directory: str, relative: str, checksums: bool) -> Optional[Dict[str, Any]]:
    """``{size, sha256}`` of a file of the bundle (sha256 '' without checksums), None when it is not a file there."""
    path = os.path.join(directory, relative)
    if not os.path.isfile(path):
        return None
    return {'size': os.path.getsize(path), 'sha256': sha256_of(path) if checksums else ''}


def files_under(directory: str, relatives: Iterable[str], follow_links: bool = False) -> List[str]:
    """Every file at or under these relative paths of the bundle, relative to it, sorted.

    ``follow_links`` also walks into symbolically linked directories.
    """
    found = set()
    for relative in relatives:
        path = os.path.join(directory, relative)
        if os.path.isfile(path):
            found.add(relative)
        for root, _dirs, names in os.walk(path, followlinks=follow_links):
            for name in names:
                found.add(os.path.relpath(os.path.join(root, name), directory).replace(os.sep, '/'))
    return sorted(found)


def directory_manifest(directory: str) -> str:
    """One line per regular file under ``directory``, sorted by path: ``<sha256>  <size>  <relative path>``.

    Symbolic links are followed as ``ansible.builtin.copy`` follows them;
    raises OSError when ``directory`` is not a readable directory.
    """
    if not os.path.isdir(directory):
        raise OSError('%s is not a directory' % directory)
    lines = []
    for relative in files_under(directory, ['.'], follow_links=True):
        info = file_info(directory, relative, checksums=True)
        if info is not None:
            lines.append('%s  %d  %s\n' % (info['sha256'], info['size'], relative))
    return ''.join(lines)


def read_bundle(directory: str, checksums: bool = True) -> Dict[str, Any]:
    """The manifest's entries (``manifest``), why it could not be read (``error``, '' when it could),
    and ``files``: every path the manifest lists -> ``{size, sha256}`` or None."""
    manifest_path = os.path.join(directory, MANIFEST_NAME)
    result = {'manifest': [], 'error': '', 'files': {}}  # type: Dict[str, Any]
    if not os.path.isdir(directory):
        result['error'] = '%s is not a directory' % directory
        return result
    try:
        with open(manifest_path, encoding='utf-8') as stream:
            result['manifest'] = parse_manifest(stream.read())
    except (OSError, UnicodeDecodeError) as error:
        result['error'] = 'cannot read %s: %s' % (manifest_path, getattr(error, 'strerror', None) or error)
        return result
    except BundleError as error:
        result['error'] = '%s: %s' % (directory, error)
        return result
    for entry in result['manifest']:
        result['files'][entry['path']] = file_info(directory, entry['path'], checksums)
    return result
